//! Two complaints' features weighed against each other: are they about the same source?
//!
//! Each thing that matches or differs is a piece of [`Evidence`] with a weight in log-odds; the
//! score is the logistic function of their sum and a prior. The weights were set by reasoning
//! about what each piece of evidence proves, then checked on the tuning part of the development
//! set (`data/text/dev/same_source.jsonl`):
//!
//! - a shared firm or shop name is strong (+4); two different names are strong against (−3.5),
//!   as two restaurants on one road are two sources; a name the index has seen in many counties
//!   (a chain, or a phrase that looks like a name) counts for little (+1.2);
//! - a shared road (+1.3) or compound (+1.0) places the source, a shared house number (+1.2) or
//!   building (+0.8) places it closely; a different house number (−2) or building (−1.5) tells
//!   two neighbours apart;
//! - the same equipment or spot (发电机, 排风口, 空地) adds a little (+0.8), different ones
//!   take a little (−0.6): a transformer's hum is not a neighbour's drill;
//! - another kind of problem (−5) makes it another matter by the labelling rule, another region
//!   (−8) another source whatever the names;
//! - without a shared name, compound, or road with something specific (a house number, a
//!   crossing, a specific kind of business, the same equipment or spot) nothing identifies the
//!   source, and the score stays below the threshold whatever else agrees.

use serde::Serialize;

use super::features::{Facility, SourceFeatures};
use super::sound::{similarity, sounds};
use super::terms::{TERMS_TABLE, Terms};

/// Scores at or above this are suggested as the same source.
pub const THRESHOLD: f64 = 0.5;

/// Log-odds before any evidence: most pairs of cases are about different sources.
const PRIOR: f64 = -2.5;
/// Names at least this alike are the same name; below `NAME_DIFFERENT`, different names.
const NAME_SAME: f64 = 0.75;
const NAME_DIFFERENT: f64 = 0.34;

const W_SAME_NAME: f64 = 4.0;
const W_COMMON_NAME: f64 = 1.2;
const W_DIFFERENT_NAME: f64 = -3.5;
const W_SAME_FACILITY_KIND: f64 = 0.8;
const W_SAME_FACILITY_SORT: f64 = 0.4;
const W_DIFFERENT_FACILITY_KIND: f64 = -2.0;
const W_SAME_ROAD: f64 = 1.3;
const W_CROSSROADS: f64 = 0.5;
const W_SAME_NUMBER: f64 = 1.2;
const W_DIFFERENT_NUMBER: f64 = -2.0;
const W_DIFFERENT_ROAD: f64 = -1.0;
const W_SAME_COMPOUND: f64 = 1.0;
const W_SAME_BUILDING: f64 = 0.8;
const W_DIFFERENT_BUILDING: f64 = -1.5;
const W_DIFFERENT_COMPOUND: f64 = -0.5;
const W_SAME_AREA: f64 = 0.4;
const W_SAME_OBJECT: f64 = 0.8;
const W_DIFFERENT_OBJECT: f64 = -0.6;
const W_SAME_POLLUTION: f64 = 1.0;
const W_DIFFERENT_POLLUTION: f64 = -5.0;
const W_DIFFERENT_REGION: f64 = -8.0;
const W_BOTH_AT_NIGHT: f64 = 0.3;
/// Without an identifying match the log-odds are held at most here.
const UNIDENTIFIED_CEILING: f64 = -1.5;

/// What one piece of evidence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    SameName,
    DifferentName,
    SameFacilityKind,
    DifferentFacilityKind,
    SameRoad,
    SameHouseNumber,
    DifferentHouseNumber,
    DifferentRoad,
    SameCompound,
    SameBuilding,
    DifferentBuilding,
    DifferentCompound,
    SameArea,
    SameObject,
    DifferentObject,
    SamePollution,
    DifferentPollution,
    DifferentRegion,
    BothAtNight,
    NothingIdentifying,
}

/// One thing that matched or differed, with what it weighs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// What it is, for staff: 同一单位名称：鑫达化工有限公司 / 新达化工厂.
    pub label: String,
    /// Its weight in log-odds: positive for the same source, negative against.
    pub weight: f64,
}

/// The verdict on two complaints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceMatch {
    /// 0–1: how likely the two are about the same source.
    pub score: f64,
    /// Whether the score reaches [`THRESHOLD`].
    pub same: bool,
    /// What matched and what differed.
    pub evidence: Vec<Evidence>,
}

/// Extracts both texts' features and scores them.
pub fn score_texts(a: &str, b: &str) -> SourceMatch {
    score(&SourceFeatures::extract(a), &SourceFeatures::extract(b))
}

/// Scores two complaints' features.
pub fn score(a: &SourceFeatures, b: &SourceFeatures) -> SourceMatch {
    score_with(a, b, &|_| false)
}

/// Scores two complaints' features, knowing which names are common (found in many counties: a
/// chain, or a phrase that looks like a name): a common name shared counts for little and
/// identifies no source on its own.
pub(crate) fn score_with(
    a: &SourceFeatures,
    b: &SourceFeatures,
    common: &dyn Fn(&str) -> bool,
) -> SourceMatch {
    let mut evidence = Vec::new();
    let mut push = |kind, label: String, weight| {
        evidence.push(Evidence {
            kind,
            label,
            weight,
        })
    };
    let mut identified = false;
    // Specific matches that let a shared road identify the source.
    let mut specific = false;

    // Names.
    let (name_similarity, names, kinds_fit, stems) = best_name(a, b);
    let named = |f: &SourceFeatures| f.facilities.iter().any(Facility::is_named);
    let same_name = name_similarity >= NAME_SAME;
    if same_name && kinds_fit && (common(&stems.0) || common(&stems.1)) {
        push(
            EvidenceKind::SameName,
            format!("同名（多个县区都有此名称）：{names}"),
            W_COMMON_NAME,
        );
    } else if same_name && kinds_fit {
        identified = true;
        push(
            EvidenceKind::SameName,
            format!("同一单位名称：{names}"),
            W_SAME_NAME,
        );
    } else if same_name {
        // 老王烧烤 and 老王火锅: one name, two businesses.
        push(
            EvidenceKind::DifferentFacilityKind,
            format!("名称相同但场所类型不同：{names}"),
            W_DIFFERENT_FACILITY_KIND,
        );
    } else if named(a) && named(b) && name_similarity < NAME_DIFFERENT {
        push(
            EvidenceKind::DifferentName,
            format!("单位名称不同：{names}"),
            W_DIFFERENT_NAME,
        );
    }
    // A text that names a facility is about it: its unnamed ones are landmarks (就在变电站边上).
    let subjects = |f: &SourceFeatures| -> Vec<Facility> {
        let named: Vec<Facility> = f
            .facilities
            .iter()
            .filter(|x| x.is_named())
            .cloned()
            .collect();
        if named.is_empty() {
            f.facilities.clone()
        } else {
            named
        }
    };
    let (subjects_a, subjects_b) = (subjects(a), subjects(b));
    if !same_name && !subjects_a.is_empty() && !subjects_b.is_empty() {
        let pairs = subjects_a
            .iter()
            .flat_map(|x| subjects_b.iter().map(move |y| (x, y)));
        let mut compatible: Option<(bool, &Facility, &Facility)> = None;
        for (x, y) in pairs {
            if facilities_fit(x, y) {
                let exact = {
                    let ((_, sx), (_, sy)) = (x.class(), y.class());
                    !sx.is_empty() && sx == sy
                };
                if compatible.is_none_or(|(e, _, _)| !e && exact) {
                    compatible = Some((exact, x, y));
                }
            }
        }
        specific |= compatible.is_some_and(|(exact, _, _)| exact);
        match compatible {
            Some((exact, x, y)) => push(
                EvidenceKind::SameFacilityKind,
                format!("同类场所：{} / {}", shown(x), shown(y)),
                W_SAME_FACILITY_KIND + if exact { W_SAME_FACILITY_SORT } else { 0.0 },
            ),
            None => push(
                EvidenceKind::DifferentFacilityKind,
                format!(
                    "场所类型不同：{} / {}",
                    shown(&subjects_a[0]),
                    shown(&subjects_b[0])
                ),
                W_DIFFERENT_FACILITY_KIND,
            ),
        }
    }

    // Roads and house numbers.
    let mut matched_a = vec![false; a.roads.len()];
    let mut matched_b = vec![false; b.roads.len()];
    let mut shared_roads = Vec::new();
    for (i, x) in a.roads.iter().enumerate() {
        for (j, y) in b.roads.iter().enumerate() {
            let directions_fit =
                x.direction.is_none() || y.direction.is_none() || x.direction == y.direction;
            if directions_fit
                && x.ending() == y.ending()
                && similarity(&sounds(&x.stem), &sounds(&y.stem)) >= 1.0
            {
                matched_a[i] = true;
                matched_b[j] = true;
                shared_roads.push((x, y));
            }
        }
    }
    let mut road_only = false;
    if let Some((x, _)) = shared_roads.first() {
        road_only = true;
        push(
            EvidenceKind::SameRoad,
            format!("同一道路：{}", x.written),
            W_SAME_ROAD,
        );
        let distinct = shared_roads
            .iter()
            .filter(|(r, _)| r.stem != x.stem)
            .count();
        if distinct > 0 {
            road_only = false;
            push(
                EvidenceKind::SameRoad,
                format!("同一路口：{} / {}", x.written, shared_roads[1].0.written),
                W_CROSSROADS,
            );
        }
        let numbered = shared_roads
            .iter()
            .find_map(|(x, y)| x.number.zip(y.number).map(|n| (x, n)));
        if let Some((road, (m, n))) = numbered {
            if m == n {
                road_only = false;
                push(
                    EvidenceKind::SameHouseNumber,
                    format!("同一门牌：{}{m}号", road.written),
                    W_SAME_NUMBER,
                );
            } else {
                push(
                    EvidenceKind::DifferentHouseNumber,
                    format!("门牌号不同：{}{m}号 / {n}号", road.written),
                    W_DIFFERENT_NUMBER,
                );
            }
        }
    }
    if matched_a.contains(&false) && matched_b.contains(&false) {
        let unmatched = |roads: &[super::features::Road], matched: &[bool]| {
            roads
                .iter()
                .zip(matched)
                .find(|(_, m)| !**m)
                .map(|(r, _)| r.written.clone())
                .unwrap_or_default()
        };
        push(
            EvidenceKind::DifferentRoad,
            format!(
                "道路不同：{} / {}",
                unmatched(&a.roads, &matched_a),
                unmatched(&b.roads, &matched_b)
            ),
            W_DIFFERENT_ROAD,
        );
    }

    // Compounds and buildings.
    let shared_compound = a.compounds.iter().find_map(|x| {
        b.compounds
            .iter()
            .find(|y| similarity(&sounds(&x.name), &sounds(&y.name)) >= 1.0)
            .map(|y| (x, y))
    });
    match shared_compound {
        Some((x, y)) => {
            identified = true;
            push(
                EvidenceKind::SameCompound,
                format!("同一小区/村：{}", x.name),
                W_SAME_COMPOUND,
            );
            if let (Some(m), Some(n)) = (x.building, y.building) {
                if m == n {
                    push(
                        EvidenceKind::SameBuilding,
                        format!("同一楼栋：{}{m}", x.name),
                        W_SAME_BUILDING,
                    );
                } else {
                    push(
                        EvidenceKind::DifferentBuilding,
                        format!("楼栋不同：{}{m} / {n}", x.name),
                        W_DIFFERENT_BUILDING,
                    );
                }
            }
        }
        None if !a.compounds.is_empty() && !b.compounds.is_empty() => push(
            EvidenceKind::DifferentCompound,
            format!(
                "小区/村不同：{} / {}",
                a.compounds[0].name, b.compounds[0].name
            ),
            W_DIFFERENT_COMPOUND,
        ),
        None => {}
    }

    // Wider areas.
    if let Some(area) = a.areas.iter().find(|x| {
        b.areas
            .iter()
            .any(|y| similarity(&sounds(x), &sounds(y)) >= 1.0)
    }) {
        push(
            EvidenceKind::SameArea,
            format!("同一片区：{area}"),
            W_SAME_AREA,
        );
    }

    // Equipment and spots.
    let objects = |f: &SourceFeatures| -> Vec<(String, &'static str)> {
        f.objects
            .iter()
            .filter_map(|w| TERMS_TABLE.object_group(w).map(|g| (w.clone(), g)))
            .collect()
    };
    let (objects_a, objects_b) = (objects(a), objects(b));
    if let (Some(first_a), Some(first_b)) = (objects_a.first(), objects_b.first()) {
        let shared = objects_a
            .iter()
            .any(|(_, g)| objects_b.iter().any(|(_, h)| h == g));
        specific |= shared;
        match objects_a
            .iter()
            .find(|(_, g)| objects_b.iter().any(|(_, h)| h == g))
        {
            Some((word, _)) => push(
                EvidenceKind::SameObject,
                format!("同一设备或地点：{word}"),
                W_SAME_OBJECT,
            ),
            None => push(
                EvidenceKind::DifferentObject,
                format!("设备或地点不同：{} / {}", first_a.0, first_b.0),
                W_DIFFERENT_OBJECT,
            ),
        }
    }

    // A road alone does not identify a source: a long road has many shops. With a house
    // number, a crossing, a specific kind of business (烧烤, 早餐店) or the same equipment or
    // spot (排风口, 空地) it does.
    if !shared_roads.is_empty() && (!road_only || specific) {
        identified = true;
    }

    // Kinds of problem.
    if a.kinds != 0 && b.kinds != 0 {
        let shared = a.kinds & b.kinds;
        let names = |kinds: u16| {
            SourceFeatures {
                kinds,
                ..SourceFeatures::default()
            }
            .pollution_types()
            .iter()
            .map(|t| t.zh())
            .collect::<Vec<_>>()
            .join("、")
        };
        if shared != 0 {
            push(
                EvidenceKind::SamePollution,
                format!("同类污染：{}", names(shared)),
                W_SAME_POLLUTION,
            );
        } else {
            push(
                EvidenceKind::DifferentPollution,
                format!("污染类型不同：{} / {}", names(a.kinds), names(b.kinds)),
                W_DIFFERENT_POLLUTION,
            );
        }
    }

    // Regions.
    if let (Some(x), Some(y)) = (a.region, b.region)
        && !x.is_within(y)
        && !y.is_within(x)
    {
        push(
            EvidenceKind::DifferentRegion,
            format!("不在同一地区：{} / {}", x.full_name(), y.full_name()),
            W_DIFFERENT_REGION,
        );
    }

    if a.night && b.night {
        push(
            EvidenceKind::BothAtNight,
            "都在夜间".to_owned(),
            W_BOTH_AT_NIGHT,
        );
    }

    let mut log_odds = PRIOR + evidence.iter().map(|e| e.weight).sum::<f64>();
    if !identified && log_odds > UNIDENTIFIED_CEILING {
        evidence.push(Evidence {
            kind: EvidenceKind::NothingIdentifying,
            label: "没有共同的单位名称、小区或具体地点".to_owned(),
            weight: UNIDENTIFIED_CEILING - log_odds,
        });
        log_odds = UNIDENTIFIED_CEILING;
    }
    let score = 1.0 / (1.0 + (-log_odds).exp());
    SourceMatch {
        score,
        same: score >= THRESHOLD,
        evidence,
    }
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[char], needle: &[char]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether two facilities can be one: classes that fit and, within a class, sorts that fit
/// (烧烤 and 火锅 are two restaurants; 饭店 may be either).
fn facilities_fit(x: &Facility, y: &Facility) -> bool {
    let ((cx, sx), (cy, sy)) = (x.class(), y.class());
    Terms::classes_fit(cx, cy) && (cx != cy || sx.is_empty() || sy.is_empty() || sx == sy)
}

/// How a facility is shown in evidence: its name, or its kind when it has none.
fn shown(f: &Facility) -> &str {
    if f.written.is_empty() {
        &f.word
    } else {
        &f.written
    }
}

/// The most alike pair of names, also counting a name of one text written in the other without
/// its facility word (湘味轩餐馆 / 湘味轩的排烟口). Returns the similarity, the names shown,
/// whether the two are of kinds that fit, and the two stems.
fn best_name(a: &SourceFeatures, b: &SourceFeatures) -> (f64, String, bool, (String, String)) {
    let mut best = (0.0, String::new(), true, (String::new(), String::new()));
    let named_a = a.facilities.iter().filter(|f| f.is_named());
    for x in named_a.clone() {
        let sx = sounds(&x.stem);
        for y in b.facilities.iter().filter(|f| f.is_named()) {
            let s = similarity(&sx, &sounds(&y.stem));
            let fit = facilities_fit(x, y);
            // Among equally alike pairs, one whose kinds fit.
            if s > best.0 || best.1.is_empty() || (s == best.0 && fit && !best.2) {
                best = (
                    s,
                    format!("{} / {}", x.written, y.written),
                    fit,
                    (x.stem.clone(), y.stem.clone()),
                );
            }
        }
    }
    if best.0 >= NAME_SAME {
        return best;
    }
    // Character for character, and three characters at least: by sound, or shorter, a name is
    // too easily found by chance (石民 in 市民).
    let written_in = |f: &Facility, other: &SourceFeatures| {
        f.stem.chars().count() >= 3
            && contains(&other.text_chars, &f.stem.chars().collect::<Vec<_>>())
    };
    if let Some(x) = named_a.clone().find(|x| written_in(x, b)) {
        let stems = (x.stem.clone(), x.stem.clone());
        return (1.0, format!("{} / {}", x.written, x.stem), true, stems);
    }
    if let Some(y) = b
        .facilities
        .iter()
        .find(|y| y.is_named() && written_in(y, a))
    {
        let stems = (y.stem.clone(), y.stem.clone());
        return (1.0, format!("{} / {}", y.stem, y.written), true, stems);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_firm_in_other_words_is_the_same_source() {
        let m = score_texts(
            "江阴市临港街道的鑫达化工有限公司夜间排放刺激性废气",
            "临港新达化工厂晚上排的气味很冲，呛得嗓子疼",
        );
        assert!(m.same, "{m:?}");
        assert!(m.evidence.iter().any(|e| e.kind == EvidenceKind::SameName));
    }

    #[test]
    fn two_restaurants_on_one_road_are_two_sources() {
        let m = score_texts("建设路上的老王烧烤油烟很大", "建设路上的川味小炒油烟很大");
        assert!(!m.same, "{m:?}");
        assert!(
            m.evidence
                .iter()
                .any(|e| e.kind == EvidenceKind::DifferentName)
        );
    }

    #[test]
    fn the_same_name_in_another_city_is_another_source() {
        let m = score_texts(
            "郑州市金水区建设路上的老王烧烤油烟很大",
            "西安市新城区建设路的老王烧烤油烟扰民",
        );
        assert!(!m.same, "{m:?}");
        assert!(
            m.evidence
                .iter()
                .any(|e| e.kind == EvidenceKind::DifferentRegion)
        );
    }

    #[test]
    fn another_kind_of_problem_is_another_matter() {
        let m = score_texts("恒升机械厂晚上冲床噪声太大", "恒升机械厂往河里排废水");
        assert!(!m.same, "{m:?}");
    }

    #[test]
    fn one_name_on_two_kinds_of_business_is_two_sources() {
        let m = score_texts("解放路的老王烧烤油烟很大", "解放路的老王火锅油烟很大");
        assert!(!m.same, "{m:?}");
    }

    #[test]
    fn a_name_written_without_its_facility_word_still_matches() {
        let m = score_texts(
            "龙口西路的湘味轩餐馆油烟直排",
            "龙口西路湘味轩的排烟口在一楼，油烟全往楼上灌",
        );
        assert!(m.same, "{m:?}");
        // Not by sound, and not from two characters: 市民 is no 石民.
        let m = score_texts("市民来电反映油烟很大", "石民石材的粉尘很大");
        assert!(
            m.evidence.iter().all(|e| e.kind != EvidenceKind::SameName),
            "{m:?}"
        );
    }

    #[test]
    fn a_road_is_its_name_and_its_ending() {
        let m = score_texts("东湖大道78号的饭店油烟大", "东湖南路78号的饭店油烟大");
        assert!(
            m.evidence.iter().all(|e| e.kind != EvidenceKind::SameRoad),
            "{m:?}"
        );
        let m = score_texts("友谊大街的饭店油烟大", "友谊街那家饭店油烟大");
        assert!(
            m.evidence.iter().any(|e| e.kind == EvidenceKind::SameRoad),
            "{m:?}"
        );
    }

    #[test]
    fn nothing_identifying_is_never_a_match() {
        let m = score_texts("我家楼下的饭店油烟太大了", "楼下餐馆油烟很大，熏得不行");
        assert!(!m.same, "{m:?}");
        assert!(m.score < THRESHOLD);
    }

    #[test]
    fn evidence_serialises_with_chinese_labels() {
        let m = score_texts("建设路56号的饭店油烟大", "建设路56号那家餐馆油烟太大");
        let json = serde_json::to_string(&m).expect("serialises");
        assert!(json.contains("\"same_road\""), "{json}");
        assert!(json.contains("同一道路"), "{json}");
    }
}
