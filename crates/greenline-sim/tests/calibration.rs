//! The simulator's aggregate figures match its calibration, within stated tolerances, and the
//! same seed gives the same cases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono::{Datelike, NaiveDate};
use greenline_domain::record::parse_time;
use greenline_sim::calibration as cal;
use greenline_sim::{CaseRecord, GroundTruth, Scale, SimConfig, Simulator};

fn config(seed: u64, days: u32) -> SimConfig {
    SimConfig {
        seed,
        start: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        days,
        cases: None,
        scale: Scale::National,
        inject_events: true,
    }
}

fn one_year() -> &'static (Vec<CaseRecord>, Vec<GroundTruth>, Simulator) {
    static YEAR: std::sync::OnceLock<(Vec<CaseRecord>, Vec<GroundTruth>, Simulator)> =
        std::sync::OnceLock::new();
    YEAR.get_or_init(|| {
        // A tenth of the national volume keeps the test quick; shares do not depend on it.
        let mut cases = Vec::new();
        let mut truth = Vec::new();
        let mut simulator = Simulator::new(config(7, 365)).expect("simulator");
        for (i, (record, ground)) in (&mut simulator).enumerate() {
            if i % 10 == 0 {
                cases.push(record);
                truth.push(ground);
            }
        }
        (cases, truth, simulator)
    })
}

fn at(text: &str) -> DateTime<Utc> {
    parse_time(text).expect("records carry valid times")
}

fn opt(text: &Option<String>) -> Option<DateTime<Utc>> {
    text.as_deref().map(at)
}

fn share(cases: &[CaseRecord], test: impl Fn(&CaseRecord) -> bool) -> f64 {
    100.0 * cases.iter().filter(|c| test(c)).count() as f64 / cases.len() as f64
}

#[test]
fn a_year_has_the_national_volume() {
    let (cases, _, _) = one_year();
    let total = cases.len() as f64 * 10.0;
    // 600,000 a year from the calibration, plus the injected events' few hundred.
    assert!(
        (570_000.0..=630_000.0).contains(&total),
        "{total} cases in a year"
    );
}

#[test]
fn channel_shares_match_the_calibration_within_one_and_a_half_points() {
    let (cases, _, _) = one_year();
    let total: f64 = cal::CHANNEL_SHARES.iter().map(|(_, w)| w).sum();
    for (channel, weight) in cal::CHANNEL_SHARES {
        let expected = 100.0 * weight / total;
        let got = share(cases, |c| c.channel == channel);
        assert!(
            (got - expected).abs() < 1.5,
            "{channel}: {got:.1}% against {expected:.1}%"
        );
    }
}

#[test]
fn multi_label_type_shares_fall_in_the_bulletins_ranges() {
    let (cases, _, _) = one_year();
    let carries = |t: &str| share(cases, |c| c.types.split(';').any(|x| x == t));
    // Ranges of the 2019-2020 bulletins (statistics.md), slightly widened.
    for (t, low, high) in [
        ("air", 49.0, 60.0),
        ("noise", 36.0, 54.0),
        ("water", 11.0, 18.0),
        ("solid_waste", 5.0, 11.0),
        ("ecology", 1.2, 3.7),
        ("radiation", 0.5, 1.2),
    ] {
        let got = carries(t);
        assert!((low..=high).contains(&got), "{t}: {got:.1}%");
    }
    let two = share(cases, |c| c.types.contains(';'));
    assert!((14.0..=19.0).contains(&two), "second type on {two:.1}%");
    let sum: f64 = [
        "air",
        "noise",
        "water",
        "solid_waste",
        "ecology",
        "radiation",
        "soil",
        "marine",
        "other",
    ]
    .iter()
    .map(|t| carries(t))
    .sum();
    assert!(
        sum > 110.0,
        "multi-label shares add up to more than 100%: {sum:.1}"
    );
}

#[test]
fn leading_sub_types_are_odour_and_construction_noise() {
    let (cases, _, _) = one_year();
    let air: Vec<_> = cases
        .iter()
        .filter(|c| c.primary_type == "air")
        .cloned()
        .collect();
    let odour = share(&air, |c| c.sub_type.as_deref() == Some("odor"));
    assert!((36.0..=50.0).contains(&odour), "odour {odour:.1}% of air");
    let noise: Vec<_> = cases
        .iter()
        .filter(|c| c.primary_type == "noise")
        .cloned()
        .collect();
    let construction = share(&noise, |c| c.sub_type.as_deref() == Some("construction"));
    assert!(
        (38.0..=52.0).contains(&construction),
        "construction {construction:.1}% of noise"
    );
}

#[test]
fn acceptance_is_about_four_in_five_and_a_few_percent_run_over() {
    let (cases, _, _) = one_year();
    let decided: Vec<_> = cases
        .iter()
        .filter(|c| at(&c.received_at).month() <= 10)
        .cloned()
        .collect();
    let accepted = share(&decided, |c| c.accepted_at.is_some());
    assert!((79.0..=83.0).contains(&accepted), "accepted {accepted:.1}%");
    let handled: Vec<_> = decided
        .iter()
        .filter(|c| c.concluded_at.is_some())
        .cloned()
        .collect();
    let late = share(&handled, |c| {
        let (Some(a), Some(d)) = (opt(&c.accepted_at), opt(&c.concluded_at)) else {
            return false;
        };
        (d - a).num_days() >= 60 + i64::from(c.extension_days.unwrap_or(0))
    });
    assert!((1.0..=3.5).contains(&late), "overdue {late:.1}%");
    let outcomes = share(&handled, |c| c.outcome.is_some());
    assert!(outcomes > 99.0);
}

#[test]
fn construction_noise_follows_the_building_season() {
    let (cases, _, _) = one_year();
    let count = |month: u32| {
        cases
            .iter()
            .filter(|c| c.sub_type.as_deref() == Some("construction"))
            .filter(|c| at(&c.received_at).month() == month)
            .count()
    };
    assert!(
        count(6) as f64 > 2.0 * count(2) as f64,
        "June {} vs February {}",
        count(6),
        count(2)
    );
}

#[test]
fn the_most_reported_provinces_are_the_bulletins_leaders() {
    let (cases, _, _) = one_year();
    let mut by_province: HashMap<&str, usize> = HashMap::new();
    for case in cases {
        *by_province.entry(&case.region[..2]).or_default() += 1;
    }
    let mut ranked: Vec<_> = by_province.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<_> = ranked.iter().take(5).map(|(p, _)| *p).collect();
    for leader in ["41", "44"] {
        assert!(
            top.contains(&leader),
            "{leader} not in the top five {top:?}"
        );
    }
}

#[test]
fn some_sources_are_reported_again_and_again() {
    let (_, truth, _) = one_year();
    let mut reports: HashMap<u64, usize> = HashMap::new();
    for t in truth {
        *reports.entry(t.source_id).or_default() += 1;
    }
    let repeated = reports.values().filter(|n| **n >= 2).count();
    let most = reports.values().copied().max().unwrap_or(0);
    assert!(
        repeated > 1_000,
        "{repeated} sources reported twice or more"
    );
    assert!(
        most >= 10,
        "the most reported source has {most} reports (in a 1-in-10 sample)"
    );
}

#[test]
fn injected_events_happen_where_and_when_the_sidecar_says() {
    let (cases, truth, simulator) = one_year();
    let events = simulator.events();
    assert_eq!(events.len(), 2);
    for event in events {
        let theirs: Vec<_> = cases
            .iter()
            .zip(truth)
            .filter(|(_, t)| t.event_id == Some(event.id))
            .map(|(c, _)| c)
            .collect();
        assert!(
            !theirs.is_empty(),
            "{} produced no case in the sample",
            event.kind
        );
        for case in theirs {
            assert_eq!(case.region, event.region.to_string());
            assert!(case.to_imported().is_ok(), "simulated records import");
            assert_eq!(case.sub_type.as_deref(), Some(event.sub_type.code()));
            let day = at(&case.received_at)
                .with_timezone(&greenline_domain::deadline::china_time())
                .date_naive();
            assert!(event.first_day <= day && day <= event.last_day);
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_cases_and_another_seed_others() {
    let take = |seed| {
        Simulator::new(config(seed, 30))
            .expect("simulator")
            .take(3_000)
            .map(|(c, _)| serde_json::to_string(&c).expect("json"))
            .collect::<Vec<_>>()
    };
    assert_eq!(take(11), take(11));
    let (a, b) = (take(11), take(12));
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0);
}

#[test]
fn a_case_limit_and_a_province_scale_are_respected() {
    let mut c = config(3, 3650);
    c.cases = Some(5_000);
    c.scale = Scale::Province(greenline_domain::RegionCode::parse("320000").expect("code"));
    let cases: Vec<_> = Simulator::new(c)
        .expect("simulator")
        .map(|(c, _)| c)
        .collect();
    assert_eq!(cases.len(), 5_000);
    assert!(cases.iter().all(|c| c.region.starts_with("32")));
    assert!(
        cases
            .windows(2)
            .all(|w| w[0].received_at <= w[1].received_at)
    );
    assert_eq!(cases[4_999].external_id, "SIM3-000005000");
}
