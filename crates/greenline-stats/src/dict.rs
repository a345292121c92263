//! Dictionaries: every categorical value of a case as a small integer, and back.
//!
//! The order of each dictionary is the order results are sorted in: enum order for kinds,
//! channels, stages, outcomes and rejection reasons; the shipped code lists' order for types,
//! sub-types and industries; code order for regions. Optional values (sub-type, industry,
//! outcome, rejection reason) use 0 for "none" and `index + 1` otherwise.

use std::collections::HashMap;
use std::sync::LazyLock;

use greenline_domain::{
    CaseKind, Channel, Industry, Outcome, PollutionType, RegionCode, RegionLevel, RejectionReason,
    Stage, SubType,
};

pub(crate) const KINDS: [CaseKind; 3] = CaseKind::CASES;
pub(crate) const CHANNELS: [Channel; 10] = Channel::ALL;
pub(crate) const STAGES: [Stage; 14] = Stage::ALL;

pub(crate) const OUTCOMES: [Outcome; 11] = [
    Outcome::Substantiated,
    Outcome::PartlySubstantiated,
    Outcome::Unsubstantiated,
    Outcome::Supported,
    Outcome::Explained,
    Outcome::NotSupported,
    Outcome::Upheld,
    Outcome::Revoked,
    Outcome::Altered,
    Outcome::ConfirmedUnlawful,
    Outcome::Dismissed,
];

pub(crate) const REJECTION_REASONS: [RejectionReason; 6] = [
    RejectionReason::OutsideRemit,
    RejectionReason::InsufficientDetail,
    RejectionReason::OtherProcedure,
    RejectionReason::AlreadyAccepted,
    RejectionReason::DissatisfiedWithReply,
    RejectionReason::AfterReReview,
];

pub(crate) static TYPES: LazyLock<Vec<PollutionType>> =
    LazyLock::new(|| PollutionType::all().collect());
pub(crate) static SUB_TYPES: LazyLock<Vec<SubType>> = LazyLock::new(|| {
    PollutionType::all()
        .flat_map(PollutionType::sub_types)
        .collect()
});
pub(crate) static INDUSTRIES: LazyLock<Vec<Industry>> = LazyLock::new(|| Industry::all().collect());

static TYPE_INDEX: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code(), i as u8))
        .collect()
});
static SUB_TYPE_INDEX: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    SUB_TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code(), i as u8 + 1))
        .collect()
});
static INDUSTRY_INDEX: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    INDUSTRIES
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code(), i as u8 + 1))
        .collect()
});

pub(crate) fn kind_index(kind: CaseKind) -> u8 {
    kind_slot(kind).unwrap_or(0)
}

/// A kind's place in [`KINDS`]; none for a disclosure request, which has no case facts (a
/// filter on it matches nothing).
pub(crate) fn kind_slot(kind: CaseKind) -> Option<u8> {
    KINDS.iter().position(|k| *k == kind).map(|i| i as u8)
}
pub(crate) fn channel_index(channel: Channel) -> u8 {
    CHANNELS.iter().position(|c| *c == channel).unwrap_or(0) as u8
}
pub(crate) fn stage_index(stage: Stage) -> u8 {
    STAGES.iter().position(|s| *s == stage).unwrap_or(0) as u8
}
/// 0 for none.
pub(crate) fn outcome_index(outcome: Option<Outcome>) -> u8 {
    outcome
        .and_then(|o| OUTCOMES.iter().position(|x| *x == o))
        .map_or(0, |i| i as u8 + 1)
}
/// 0 for none.
pub(crate) fn rejection_index(reason: Option<RejectionReason>) -> u8 {
    reason
        .and_then(|r| REJECTION_REASONS.iter().position(|x| *x == r))
        .map_or(0, |i| i as u8 + 1)
}
pub(crate) fn type_index(t: PollutionType) -> Option<u8> {
    TYPE_INDEX.get(t.code()).copied()
}
/// 0 for none.
pub(crate) fn sub_type_index(t: Option<SubType>) -> u8 {
    t.and_then(|t| SUB_TYPE_INDEX.get(t.code()).copied())
        .unwrap_or(0)
}
/// 0 for none.
pub(crate) fn industry_index(i: Option<Industry>) -> u8 {
    i.and_then(|i| INDUSTRY_INDEX.get(i.code()).copied())
        .unwrap_or(0)
}

/// The regions of the division table in code order, and each one's representative at the
/// province, city and county levels (see [`crate::Dimension::Region`] for the rules).
pub(crate) struct Regions {
    pub codes: Vec<RegionCode>,
    by_code: HashMap<u32, u16>,
    /// `at_level[l][i]`: the index of region `i`'s representative at level `l` (0 province,
    /// 1 city, 2 county).
    pub at_level: [Vec<u16>; 3],
}

pub(crate) static REGIONS: LazyLock<Regions> = LazyLock::new(|| {
    let codes: Vec<RegionCode> = RegionCode::all().map(|r| r.code).collect();
    let by_code: HashMap<u32, u16> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_u32(), i as u16))
        .collect();
    let index =
        |code: RegionCode, fallback: u16| by_code.get(&code.as_u32()).copied().unwrap_or(fallback);
    let mut at_level: [Vec<u16>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (i, code) in codes.iter().enumerate() {
        let i = i as u16;
        let province = code
            .ancestry()
            .find(|c| c.level() == RegionLevel::Province)
            .map_or(i, |c| index(c, i));
        // A county directly under its province (省直辖县级行政区) stands for itself at city
        // level; a province-level case stands for itself at every lower level.
        let city = match code.level() {
            RegionLevel::County => code
                .parent()
                .filter(|p| p.level() == RegionLevel::Prefecture)
                .map_or(i, |p| index(p, i)),
            _ => i,
        };
        at_level[0].push(province);
        at_level[1].push(city);
        at_level[2].push(i);
    }
    Regions {
        codes,
        by_code,
        at_level,
    }
});

impl Regions {
    pub fn index(&self, code: RegionCode) -> Option<u16> {
        self.by_code.get(&code.as_u32()).copied()
    }

    /// The half-open range of indices making up `area`'s subtree (indices follow code order).
    pub fn subtree(&self, area: RegionCode) -> (usize, usize) {
        let (low, high) = area.subtree_range();
        let start = self.codes.partition_point(|c| c.as_u32() < low);
        let end = self.codes.partition_point(|c| c.as_u32() < high);
        (start, end)
    }
}
