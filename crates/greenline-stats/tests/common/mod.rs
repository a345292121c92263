//! Simulated cases for the tests, as stored cases with ids, and what the simulator knows of them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use greenline_domain::{Case, DeadlineTable, RegionCode};
use greenline_sim::{GroundTruth, InjectedEvent, Scale, SimConfig, Simulator};
use greenline_stats::{CaseFacts, Index};

#[derive(Clone)]
/// Cases with ids from 1, whether each one's source was reported before, and its ground truth.
pub struct Sample {
    pub cases: Vec<Case>,
    pub repeat: Vec<bool>,
    pub truth: Vec<GroundTruth>,
    pub events: Vec<InjectedEvent>,
}

pub fn simulate(configs: &[SimConfig]) -> Sample {
    let mut sample = Sample {
        cases: Vec::new(),
        repeat: Vec::new(),
        truth: Vec::new(),
        events: Vec::new(),
    };
    for config in configs {
        // Each source's first case: later ones repeat it, as the store records them.
        let mut first: HashMap<u64, i64> = HashMap::new();
        let simulator = Simulator::new(config.clone()).expect("simulator");
        sample.events.extend(simulator.events().iter().cloned());
        for (record, truth) in simulator {
            let mut case = record.to_imported().expect("simulated records import").case;
            case.id = sample.cases.len() as i64 + 1;
            let earlier = first.get(&truth.source_id).copied();
            case.repeat_of = earlier;
            first.entry(truth.source_id).or_insert(case.id);
            sample.repeat.push(earlier.is_some());
            sample.cases.push(case);
            sample.truth.push(truth);
        }
    }
    sample
}

pub fn config(seed: u64, start: (i32, u32, u32), days: u32, scale: Scale) -> SimConfig {
    SimConfig {
        seed,
        start: NaiveDate::from_ymd_opt(start.0, start.1, start.2).expect("date"),
        days,
        cases: None,
        scale,
        inject_events: true,
    }
}

pub fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).expect("region")
}

/// A national sample of a few weeks plus three years of one small province: every level of
/// the division tree, several years of months, cases still open at the end.
pub fn mixed_sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        simulate(&[
            SimConfig {
                cases: Some(12_000),
                ..config(7, (2025, 11, 20), 30, Scale::National)
            },
            config(11, (2023, 1, 1), 3 * 365, Scale::Province(region("640000"))),
        ])
    })
}

pub fn index_of(sample: &Sample) -> Index {
    let limits = DeadlineTable::statutory();
    Index::build(
        sample
            .cases
            .iter()
            .zip(&sample.repeat)
            .map(|(case, repeat)| {
                (
                    case.id,
                    CaseFacts::from_case(case, *repeat, &limits).expect("facts"),
                )
            }),
    )
}
