//! Simulated cases for the tests: two provinces over two years, built into an index.

#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::{Case, DeadlineTable, RegionCode, Reporter};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_stats::{CaseFacts, Index};

/// Cases with ids from 1 and whether each one's source was reported before.
#[derive(Debug)]
pub struct Sample {
    pub cases: Vec<Case>,
    pub repeat: Vec<bool>,
    /// Who reported each case, as the simulator made them up.
    pub reporters: Vec<Reporter>,
}

pub fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).expect("region")
}

pub fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 5, 2, 0, 0)
        .single()
        .expect("time")
}

fn simulate(configs: &[SimConfig]) -> Sample {
    let mut sample = Sample {
        cases: Vec::new(),
        repeat: Vec::new(),
        reporters: Vec::new(),
    };
    for config in configs {
        let mut seen = HashSet::new();
        let simulator = Simulator::new(config.clone()).expect("simulator");
        for (record, truth) in simulator {
            let imported = record.to_imported().expect("simulated records import");
            let mut case = imported.case;
            sample.reporters.push(imported.reporter);
            case.id = sample.cases.len() as i64 + 1;
            sample.repeat.push(!seen.insert(truth.source_id));
            sample.cases.push(case);
        }
    }
    sample
}

/// Gansu and Ningxia from November 2024 to October 2026, fixed seeds.
pub fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let start = NaiveDate::from_ymd_opt(2024, 11, 1).expect("date");
        let config = |seed, province| SimConfig {
            seed,
            start,
            days: 730,
            cases: None,
            scale: Scale::Province(region(province)),
            inject_events: true,
        };
        simulate(&[config(21, "620000"), config(22, "640000")])
    })
}

/// An index of the cases `keep` selects.
pub fn index_where(sample: &Sample, keep: impl Fn(&Case) -> bool) -> Index {
    let limits = DeadlineTable::statutory();
    Index::build(
        sample
            .cases
            .iter()
            .zip(&sample.repeat)
            .filter(|(case, _)| keep(case))
            .map(|(case, repeat)| {
                (
                    case.id,
                    CaseFacts::from_case(case, *repeat, &limits).expect("facts"),
                )
            }),
    )
}

pub fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| index_where(sample(), |_| true))
}

/// The received day of a case, China time.
pub fn day(case: &Case) -> NaiveDate {
    local_date(case.received_at)
}
