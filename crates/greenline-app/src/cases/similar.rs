//! "已有人反映过此问题？" — before a citizen submits a report, the reports already in hand of the
//! same kind at the same place, so they can follow one instead of filing it again; and the
//! submission that follows one (the new report joins its group, as a call linked at the desk
//! does).
//!
//! What counts as the same place: the same county, and the same road (stem, direction and
//! ending: 解放北路 is not 解放南路) or the same compound or village named in the address or the
//! description (the text crate's source features). When both reports carry a point, they must
//! also lie within [`SAME_ROAD_RADIUS_M`] of each other (a road runs for kilometres); two points
//! within [`SAME_SPOT_RADIUS_M`] are the same place whatever the words say.
//!
//! What is shown of an earlier report, and nothing else: its tracking number (the public
//! 受理编号), type, county and the road or compound name (never the house number or the rest of
//! the address), the day it was received, its stage in plain words, and — only once the result
//! is published — the official public summary, masked. Never the reporter, never the
//! description, never the point.

use std::net::IpAddr;

use greenline_domain::case::{MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS};
use greenline_domain::geo::nearest_county;
use greenline_domain::{
    Case, CaseKind, Datum, GeoPoint, IntakeForm, PollutionType, RegionCode, RegionLevel, Stage,
    TrackingNo,
};
use greenline_store::Actor;
use greenline_text::SourceFeatures;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::intake::{Registered, RetryKey, Submitter};
use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// Earlier reports shown at most.
pub const SIMILAR_SHOWN: usize = 3;
/// Two points this close are the same place, whatever the words say.
pub const SAME_SPOT_RADIUS_M: f64 = 100.0;
/// Two reports naming the same road or compound, each with a point, must lie this close.
pub const SAME_ROAD_RADIUS_M: f64 = 500.0;
/// The newest reports of the county and type read to look for the place.
const SCANNED: u32 = 300;
/// Fewer characters of address and description than this say too little to match a place.
pub const MIN_TEXT_CHARS: usize = 4;

/// The stages in which an earlier report may be followed: accepted and in hand, concluded,
/// replied or published. Not those still waiting for acceptance, not rejected, not archived.
pub const FOLLOWABLE: [Stage; 6] = [
    Stage::Accepted,
    Stage::Handling,
    Stage::PendingApproval,
    Stage::Concluded,
    Stage::Replied,
    Stage::Published,
];

/// What the citizen has filled in so far.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarQuery {
    /// The pollution type code chosen (`air`, `noise` …); none (or `auto`): nothing is looked up.
    pub primary_type: String,
    /// The county chosen (six-digit code); a province or city: nothing is looked up.
    pub region: Option<String>,
    /// The address typed so far.
    pub address: String,
    /// The description typed so far.
    pub description: String,
    /// A point on the map or from the device, degrees north.
    pub latitude: Option<f64>,
    /// Degrees east.
    pub longitude: Option<f64>,
    /// `wgs84` (default) or `gcj02`.
    pub datum: Option<String>,
}

/// An earlier report, as the public may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SimilarReport {
    /// 受理编号 (GL20261127-0000123): what the citizen follows.
    pub tracking_no: String,
    pub primary_type: PollutionType,
    /// 大气污染
    pub primary_type_zh: String,
    /// The county in full (广东省深圳市南山区).
    pub region_name: String,
    /// The road or compound the reports share (解放北路, 翠微苑), no house number.
    pub place: String,
    /// The day it was received, China time (2026-11-27).
    pub received_on: String,
    /// The stage in plain words (正在办理, 已办结并答复 …).
    pub stage_zh: String,
    /// The official public summary, masked, once the result is published.
    pub public_summary: Option<String>,
}

/// A county suggested from the point, for the form's region lists.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CountySuggestion {
    pub province: String,
    pub city: String,
    pub county: String,
    /// 广东省深圳市南山区
    pub name: String,
}

/// The answer to a [`SimilarQuery`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SimilarReports {
    /// At most 3, newest first.
    pub reports: Vec<SimilarReport>,
    /// When a point was given and no county: the county whose seat lies nearest.
    pub suggested_county: Option<CountySuggestion>,
}

/// A public submission, and the earlier report it follows if it follows one.
#[derive(Debug)]
pub struct PublicRegistered {
    pub registered: Registered,
    /// The tracking number of the group's first report the new one joined.
    pub followed: Option<String>,
}

/// The stage in words a citizen understands.
pub fn stage_in_words(stage: Stage) -> &'static str {
    match stage {
        Stage::Registered | Stage::Routed => "待受理",
        Stage::Accepted => "已受理，正在办理",
        Stage::Handling | Stage::PendingApproval => "正在办理",
        Stage::Concluded => "已办结",
        Stage::Replied => "已办结并答复",
        Stage::Published => "已办结，结果已公开",
        Stage::Rejected => "不予受理",
        _ => "已办结",
    }
}

/// The roads (stem, direction, ending — no number) and compounds a text names.
fn place_keys(features: &SourceFeatures) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = features
        .roads
        .iter()
        .filter(|r| !r.stem.is_empty())
        .map(|r| {
            let key = format!(
                "road:{}{}{}",
                r.stem,
                r.direction.map(String::from).unwrap_or_default(),
                r.ending()
            );
            // The name as written without its number (解放北路).
            (key, r.written.clone())
        })
        .collect();
    keys.extend(
        features
            .compounds
            .iter()
            .filter(|c| !c.name.is_empty())
            .map(|c| (format!("compound:{}", c.name), c.name.clone())),
    );
    keys
}

/// Where an earlier report lies, as its own texts say it: the address first.
fn case_keys(case: &Case) -> Vec<(String, String)> {
    let mut keys = place_keys(&SourceFeatures::extract(&case.address));
    for key in place_keys(&SourceFeatures::extract(&case.description)) {
        if !keys.iter().any(|(k, _)| *k == key.0) {
            keys.push(key);
        }
    }
    keys
}

/// The place shown for an earlier report that matches `wanted` (the citizen's road and compound
/// keys) or the citizen's point: the shared road or compound name, else the first the earlier
/// report names, else nothing (it is then not shown).
fn shared_place(
    wanted: &[(String, String)],
    point: Option<GeoPoint>,
    case: &Case,
) -> Option<String> {
    let theirs = case_keys(case);
    let distance = point.zip(case.point).map(|(a, b)| a.distance_m(b));
    if let Some(d) = distance
        && d <= SAME_SPOT_RADIUS_M
    {
        // The same spot: the earlier report's own road or compound names the place, if any.
        return Some(
            theirs
                .first()
                .map(|(_, shown)| shown.clone())
                .unwrap_or_else(|| "附近".to_owned()),
        );
    }
    if distance.is_some_and(|d| d > SAME_ROAD_RADIUS_M) {
        return None;
    }
    theirs
        .into_iter()
        .find(|(key, _)| wanted.iter().any(|(k, _)| k == key))
        .map(|(_, shown)| shown)
}

fn county_of(region: Option<&str>) -> ServiceResult<Option<RegionCode>> {
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(code) => RegionCode::parse(code)
            .map(|c| Some(c).filter(|c| c.level() == RegionLevel::County))
            .map_err(|_| ServiceError::field("region", "unknown region code")),
    }
}

fn point_of(
    latitude: Option<f64>,
    longitude: Option<f64>,
    datum: Option<&str>,
) -> ServiceResult<Option<GeoPoint>> {
    let datum = match datum {
        None => Datum::Wgs84,
        Some(code) => Datum::parse(code)
            .ok_or_else(|| ServiceError::field("datum", "expected wgs84 or gcj02"))?,
    };
    match (latitude, longitude) {
        (Some(lat), Some(lon)) => Ok(Some(GeoPoint::from_datum(lat, lon, datum)?)),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ServiceError::field(
            "latitude",
            "give both latitude and longitude, or neither",
        )),
        (Some(_), None) => Err(ServiceError::field(
            "longitude",
            "give both latitude and longitude, or neither",
        )),
    }
}

fn suggestion(code: RegionCode) -> CountySuggestion {
    let mut chain: Vec<RegionCode> = code
        .ancestry()
        .filter(|c| *c != RegionCode::NATIONAL)
        .collect();
    chain.reverse();
    let province = chain.first().copied().unwrap_or(code);
    // A county directly under its province has no city level: the city list shows the
    // county's own row there (the form's lists follow the table's parents).
    let city = chain.get(1).copied().unwrap_or(code);
    CountySuggestion {
        province: province.to_string(),
        city: city.to_string(),
        county: code.to_string(),
        name: code.full_name(),
    }
}

/// The public view of a report that matched.
fn public_view(case: &Case, place: String) -> SimilarReport {
    let summary = case
        .public_summary
        .as_deref()
        .filter(|_| case.stage == Stage::Published)
        .map(|s| {
            greenline_text::pii::mask(s, &greenline_text::pii::Identity::default()).into_owned()
        })
        .filter(|s| !s.trim().is_empty());
    SimilarReport {
        tracking_no: case.tracking_no().to_string(),
        primary_type: case.primary_type,
        primary_type_zh: case.primary_type.zh().to_owned(),
        region_name: case.region.full_name(),
        place,
        received_on: greenline_domain::deadline::local_date(case.received_at).to_string(),
        stage_zh: stage_in_words(case.stage).to_owned(),
        public_summary: summary,
    }
}

impl App {
    /// The earlier reports of the same type in the same county at the same road or compound
    /// (see the module doc), at most [`SIMILAR_SHOWN`], newest first, each without any
    /// reporter detail; and, given a point without a county, the county to suggest.
    /// Rate-limited per client like every public request.
    pub async fn similar_reports(
        &self,
        client: IpAddr,
        query: SimilarQuery,
    ) -> ServiceResult<SimilarReports> {
        self.limiter.check(client)?;
        if query.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ServiceError::field(
                "description",
                format!("longer than {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if query.address.chars().count() > MAX_TEXT_CHARS {
            return Err(ServiceError::field(
                "address",
                format!("longer than {MAX_TEXT_CHARS} characters"),
            ));
        }
        let point = point_of(query.latitude, query.longitude, query.datum.as_deref())?;
        let county = county_of(query.region.as_deref())?;
        let typed = query.primary_type.trim();
        let pollution_type = match typed {
            "" | "auto" => None,
            code => Some(
                PollutionType::parse(code)
                    .map_err(|_| ServiceError::field("primary_type", "unknown type"))?,
            ),
        };
        let region_given = query
            .region
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        let suggested_county = match (point, region_given) {
            (Some(point), false) => nearest_county(point).map(suggestion),
            _ => None,
        };
        let (Some(county), Some(pollution_type)) = (county, pollution_type) else {
            return Ok(SimilarReports {
                reports: Vec::new(),
                suggested_county,
            });
        };
        let text = format!("{}，{}", query.address.trim(), query.description.trim());
        let reports = self
            .find_similar(county, pollution_type, text, point, None)
            .await?;
        Ok(SimilarReports {
            reports,
            suggested_county,
        })
    }

    /// The matching reports (see the module doc); with `only`, the one of that id if it
    /// matches.
    async fn find_similar(
        &self,
        county: RegionCode,
        pollution_type: PollutionType,
        text: String,
        point: Option<GeoPoint>,
        only: Option<i64>,
    ) -> ServiceResult<Vec<SimilarReport>> {
        if text.chars().count() < MIN_TEXT_CHARS && point.is_none() {
            return Ok(Vec::new());
        }
        let mut cases = self
            .store
            .reports_in_stages(county, pollution_type, &FOLLOWABLE, SCANNED)
            .await?;
        if let Some(id) = only {
            cases.retain(|c| c.id == id);
        }
        // Extraction is CPU work (jieba): off the async threads.
        Ok(tokio::task::spawn_blocking(move || {
            let wanted = place_keys(&SourceFeatures::extract(&text));
            cases
                .iter()
                .filter_map(|case| {
                    shared_place(&wanted, point, case).map(|place| public_view(case, place))
                })
                .take(SIMILAR_SHOWN)
                .collect()
        })
        .await?)
    }

    /// The report a citizen's submission follows, re-checked: a report (the tracking number
    /// with its date) of the citizen's type in the citizen's county, in a stage that may be
    /// followed. Anything else names the field `follows`.
    async fn followed_case(&self, typed: &str, form: &IntakeForm) -> ServiceResult<Case> {
        let refuse = || {
            ServiceError::field(
                "follows",
                "the report to follow is not one of the same type and county in hand",
            )
        };
        let number = TrackingNo::parse(&typed.trim().to_ascii_uppercase()).map_err(|_| refuse())?;
        let case = match self.store.case(number.case_id).await {
            Ok(case) => case,
            Err(greenline_store::StoreError::NotFound(_)) => return Err(refuse()),
            Err(other) => return Err(other.into()),
        };
        let same_type =
            PollutionType::parse(form.primary_type.trim()).is_ok_and(|t| case.types.contains(&t));
        let same_county = RegionCode::parse(&form.region)
            .is_ok_and(|r| r.level() == RegionLevel::County && r == case.region);
        if case.tracking_no() != number
            || case.kind != CaseKind::Report
            || !FOLLOWABLE.contains(&case.stage)
            || !same_type
            || !same_county
        {
            return Err(refuse());
        }
        Ok(case)
    }

    /// A citizen's report through the one intake path; with `follows` (a tracking number the
    /// form offered), the new report joins that report's group — the same `merge` event a
    /// staff merge or a linked desk call writes, by the public actor. The earlier report is
    /// checked before anything is saved; a forged or stale one is refused naming `follows`.
    /// The new report is not rejected as a repeat here: staff decide on it at acceptance, as
    /// they see it in the group.
    pub async fn register_public(
        &self,
        client: IpAddr,
        form: IntakeForm,
        follows: Option<&str>,
        retry: Option<RetryKey>,
    ) -> ServiceResult<PublicRegistered> {
        self.register_public_with_evidence(client, form, follows, retry, Vec::new())
            .await
    }

    /// [`App::register_public`], with the photos and videos the citizen sent (see
    /// [`App::register_with_evidence`]).
    pub async fn register_public_with_evidence(
        &self,
        client: IpAddr,
        form: IntakeForm,
        follows: Option<&str>,
        retry: Option<RetryKey>,
        evidence: Vec<crate::cases::evidence::EvidenceFile>,
    ) -> ServiceResult<PublicRegistered> {
        let into = match follows.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(typed) => Some(self.followed_case(typed, &form).await?),
        };
        let registered = self
            .register_with_evidence(Submitter::Public(client), form, retry, evidence)
            .await?;
        let Some(into) = into.filter(|_| !registered.replayed) else {
            return Ok(PublicRegistered {
                registered,
                followed: None,
            });
        };
        let (_, lead, _) = self
            .write_join(
                &Actor::public(),
                &registered.case,
                &into,
                Some("举报人提交时确认与此件为同一问题".to_owned()),
            )
            .await?;
        let mut registered = registered;
        registered.case = self.store.case(registered.case.id).await?;
        Ok(PublicRegistered {
            registered,
            followed: Some(lead.tracking_no().to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roads_match_by_stem_direction_and_ending_not_number() {
        let a = place_keys(&SourceFeatures::extract("解放北路128号烧烤店油烟"));
        let b = place_keys(&SourceFeatures::extract("解放北路3号附近"));
        let c = place_keys(&SourceFeatures::extract("解放南路3号附近"));
        assert!(
            a.iter().any(|(k, _)| b.iter().any(|(l, _)| k == l)),
            "{a:?} {b:?}"
        );
        assert!(
            !a.iter().any(|(k, _)| c.iter().any(|(l, _)| k == l)),
            "{a:?} {c:?}"
        );
        assert!(a.iter().all(|(_, shown)| !shown.contains("128")));
    }

    #[test]
    fn stages_read_in_plain_words() {
        assert_eq!(stage_in_words(Stage::PendingApproval), "正在办理");
        assert_eq!(stage_in_words(Stage::Published), "已办结，结果已公开");
    }
}
