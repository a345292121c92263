//! Where cases come from, and who reports them: regions drawn in proportion to the calibrated
//! weights, and invented reporters.

use std::collections::BTreeMap;

use greenline_domain::{RegionCode, RegionLevel};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;

use crate::calibration::{CAPITAL_WEIGHT, PREFECTURE_ONLY_SHARE, PROVINCE_WEIGHTS};

/// A prefecture and the counties under it.
#[derive(Debug, Clone)]
struct Prefecture {
    code: RegionCode,
    counties: Vec<RegionCode>,
}

/// Draws the place of a case.
#[derive(Debug, Clone)]
pub(crate) struct RegionSampler {
    prefectures: Vec<Prefecture>,
    choose: WeightedIndex<f64>,
    /// The share of the national volume this sampler covers.
    pub volume_share: f64,
}

impl RegionSampler {
    /// Places within `area` (the nation, a province or a prefecture).
    pub fn new(area: RegionCode) -> Option<RegionSampler> {
        // Prefectures by code, with their counties; counties directly under a province
        // (省直辖县级行政区) form a group of their own under the province's `PP90` code.
        let mut groups: BTreeMap<u32, Vec<RegionCode>> = BTreeMap::new();
        let mut prefectures: BTreeMap<u32, RegionCode> = BTreeMap::new();
        for region in RegionCode::all() {
            match region.code.level() {
                RegionLevel::Prefecture => {
                    prefectures.insert(region.code.as_u32(), region.code);
                    groups.entry(region.code.as_u32()).or_default();
                }
                RegionLevel::County => {
                    let parent = region.code.parent().unwrap_or(RegionCode::NATIONAL);
                    let key = if parent.level() == RegionLevel::Prefecture {
                        parent.as_u32()
                    } else {
                        region.code.as_u32() / 100 * 100
                    };
                    groups.entry(key).or_default().push(region.code);
                }
                _ => {}
            }
        }
        let province_weight = |code: u32| {
            PROVINCE_WEIGHTS
                .iter()
                .find(|(p, _)| *p == code / 10_000 * 10_000)
                .map_or(0.0, |(_, w)| *w)
        };
        let total: f64 = PROVINCE_WEIGHTS.iter().map(|(_, w)| w).sum();
        let mut list = Vec::new();
        let mut weights = Vec::new();
        // Each province's weight is shared among its prefectures by size (counties, at least
        // one), the capital counting CAPITAL_WEIGHT times.
        let mut size_in_province: BTreeMap<u32, f64> = BTreeMap::new();
        let size = |key: u32, counties: &[RegionCode]| {
            let base = counties.len().max(1) as f64;
            if key % 10_000 == 100 {
                base * CAPITAL_WEIGHT
            } else {
                base
            }
        };
        for (key, counties) in &groups {
            *size_in_province.entry(key / 10_000).or_default() += size(*key, counties);
        }
        let mut covered = 0.0;
        for (key, mut counties) in groups {
            let code = match prefectures.get(&key) {
                Some(code) => *code,
                None => match counties.first() {
                    Some(first) => first.parent().unwrap_or(*first),
                    None => continue,
                },
            };
            let inside = counties.first().copied().unwrap_or(code);
            if !inside.is_within(area) && !code.is_within(area) {
                continue;
            }
            counties.retain(|c| c.is_within(area));
            let weight = province_weight(key) / total * size(key, &counties)
                / size_in_province
                    .get(&(key / 10_000))
                    .copied()
                    .unwrap_or(1.0);
            if weight <= 0.0 {
                continue;
            }
            covered += weight;
            list.push(Prefecture { code, counties });
            weights.push(weight);
        }
        let choose = WeightedIndex::new(&weights).ok()?;
        Some(RegionSampler {
            prefectures: list,
            choose,
            volume_share: covered,
        })
    }

    pub fn sample(&self, rng: &mut impl Rng) -> RegionCode {
        let prefecture = &self.prefectures[self.choose.sample(rng)];
        if prefecture.counties.is_empty() || rng.random_bool(PREFECTURE_ONLY_SHARE) {
            prefecture.code
        } else {
            prefecture.counties[rng.random_range(0..prefecture.counties.len())]
        }
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕", "斌",
];

/// An invented reporter: a name (or a polite form of address, as operators often note) and a
/// mobile number.
pub(crate) fn reporter(rng: &mut impl Rng) -> (String, String) {
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let name = match rng.random_range(0..3) {
        0 => format!("{surname}先生"),
        1 => format!("{surname}女士"),
        _ => format!("{surname}{}", GIVEN[rng.random_range(0..GIVEN.len())]),
    };
    let prefixes = [
        "139", "138", "137", "136", "135", "158", "159", "186", "188", "177", "199",
    ];
    let phone = format!(
        "{}{:08}",
        prefixes[rng.random_range(0..prefixes.len())],
        rng.random_range(0..100_000_000u32)
    );
    (name, phone)
}
