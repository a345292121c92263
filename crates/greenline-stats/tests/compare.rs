//! Two periods compared: the counts are those a loop over the cases finds, and a simulated
//! surge (the simulator's injected events) comes out as a significant move at the top.

mod common;

use chrono::{Duration, TimeZone, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::{RegionCode, RegionLevel};
use greenline_stats::compare::{Period, compare};
use greenline_stats::{Dimension, Query};

use common::{index_of, mixed_sample, region};

fn as_of() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
        .single()
        .expect("time")
}

#[test]
fn counts_of_both_periods_are_what_a_loop_over_the_cases_finds() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let scope = region("640000");
    let query = Query::new(scope, as_of()).group_by(Dimension::Region(RegionLevel::County));
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let before = Period {
        first: day(2024, 3, 1),
        last: day(2024, 3, 31),
    };
    let after = Period {
        first: day(2024, 4, 1),
        last: day(2024, 4, 30),
    };
    let found = compare(&index, &query, before, after).expect("compares");
    let count = |period: Period, county: &str| {
        sample
            .cases
            .iter()
            .filter(|c| c.region.is_within(scope))
            .filter(|c| {
                let d = local_date(c.received_at);
                d >= period.first && d <= period.last
            })
            .filter(|c| {
                c.region
                    .ancestry()
                    .any(|a| a.level() == RegionLevel::County && a.to_string() == county)
                    || (c.region.level() != RegionLevel::County && c.region.to_string() == county)
            })
            .count() as u64
    };
    assert!(found.moves.len() > 3, "{found:?}");
    let mut total_before = 0;
    for m in &found.moves {
        let county = &m.keys[0].code;
        assert_eq!(m.before, count(before, county), "{county} before");
        assert_eq!(m.after, count(after, county), "{county} after");
        total_before += m.before;
        assert!((0.0..=1.0).contains(&m.p_value) && m.q_value >= m.p_value);
    }
    assert_eq!(total_before, found.before_total);
    // Largest move first.
    for pair in found.moves.windows(2) {
        assert!(pair[0].excess.abs() >= pair[1].excess.abs());
    }
}

#[test]
fn an_injected_surge_is_the_top_significant_move() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let event = sample
        .events
        .iter()
        .filter(|e| e.region.is_within(region("640000")))
        .filter(|e| e.region.level() == RegionLevel::County)
        .max_by(|a, b| {
            let size = |e: &greenline_sim::InjectedEvent| {
                e.cases_per_day * ((e.last_day - e.first_day).num_days() + 1) as f64
            };
            size(a).total_cmp(&size(b))
        })
        .expect("an event in a county of the province");
    let days = (event.last_day - event.first_day).num_days() + 1;
    let after = Period {
        first: event.first_day,
        last: event.last_day,
    };
    let before = Period {
        first: event.first_day - Duration::days(days),
        last: event.first_day - Duration::days(1),
    };
    let query = Query::new(RegionCode::NATIONAL, as_of())
        .group_by(Dimension::Region(RegionLevel::County))
        .group_by(Dimension::PrimaryType);
    let found = compare(&index, &query, before, after).expect("compares");
    let top = &found.moves[0];
    assert_eq!(
        top.keys[0].code,
        event.region.to_string(),
        "{top:?} / {event:?}"
    );
    assert_eq!(top.keys[1].code, event.primary_type.code(), "{top:?}");
    assert!(top.significant && top.excess > 0.0, "{top:?}");
}

#[test]
fn a_date_filter_of_its_own_or_a_period_backwards_is_refused() {
    let index = index_of(mixed_sample());
    let day = |d| chrono::NaiveDate::from_ymd_opt(2024, 3, d).expect("date");
    let dated = Query::from_params(
        RegionCode::NATIONAL,
        as_of(),
        [("received_from", "2024-01-01")],
    )
    .expect("query");
    let p = Period {
        first: day(1),
        last: day(2),
    };
    assert!(compare(&index, &dated, p, p).is_err());
    let backwards = Period {
        first: day(5),
        last: day(1),
    };
    let plain = Query::new(RegionCode::NATIONAL, as_of());
    let e = compare(&index, &plain, p, backwards).expect_err("backwards");
    assert!(e.to_string().contains("before it starts"), "{e}");
}
