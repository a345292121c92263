//! Spike alerts on simulated data: the simulator's injected events (an odour surge at a
//! chemical park, a new construction site working at night) are the ground truth.

mod common;

use chrono::{Days, NaiveDate};
use greenline_domain::RegionCode;
use greenline_sim::{InjectedEvent, Scale};
use greenline_stats::spikes::{Alert, SpikeRule, binomial_upper_tail, poisson_upper_tail};

use common::{Sample, config, index_of, region, simulate};

/// An alert finds an event when it is about the event's place and type and overlaps its days.
fn finds(alert: &Alert, event: &InjectedEvent) -> bool {
    alert.region == event.region
        && alert.pollution_type == event.primary_type
        && alert.first_day <= event.last_day
        && event.first_day <= alert.last_day
}

/// Precision (alerts that point at an event) and recall (events found by some alert).
fn score(alerts: &[Alert], events: &[InjectedEvent]) -> (f64, f64, usize) {
    let true_alerts = alerts
        .iter()
        .filter(|a| events.iter().any(|e| finds(a, e)))
        .count();
    let found = events
        .iter()
        .filter(|e| alerts.iter().any(|a| finds(a, e)))
        .count();
    let precision = if alerts.is_empty() {
        1.0
    } else {
        true_alerts as f64 / alerts.len() as f64
    };
    (
        precision,
        found as f64 / events.len() as f64,
        alerts.len() - true_alerts,
    )
}

fn event_cases(sample: &Sample, event_id: u32, first_id: i64, last_id: i64) -> Vec<i64> {
    sample
        .truth
        .iter()
        .zip(&sample.cases)
        .filter(|(t, c)| t.event_id == Some(event_id) && (first_id..=last_id).contains(&c.id))
        .map(|(_, c)| c.id)
        .collect()
}

#[test]
fn injected_events_are_found_with_few_false_alarms() {
    // Four provinces, large and small, one year each; two events in each.
    let provinces = ["440000", "510000", "620000", "640000"];
    let configs: Vec<_> = provinces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            config(
                100 + i as u64,
                (2025, 1, 1),
                365,
                Scale::Province(region(p)),
            )
        })
        .collect();
    let sample = simulate(&configs);
    let index = index_of(&sample);
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let until = from + Days::new(365);
    for e in &sample.events {
        println!(
            "event {} {} {} {}..{} {:.1} a day",
            e.id,
            e.region.full_name(),
            e.primary_type.zh(),
            e.first_day,
            e.last_day,
            e.cases_per_day
        );
    }
    let alerts = index
        .spikes(RegionCode::NATIONAL, from, until, &SpikeRule::default())
        .expect("alerts");
    let (precision, recall, false_alarms) = score(&alerts, &sample.events);
    println!(
        "spikes: {} cases, {} injected events, {} alerts, {false_alarms} false alarms, \
         precision {precision:.2}, recall {recall:.2}",
        sample.cases.len(),
        sample.events.len(),
        alerts.len()
    );
    for alert in &alerts {
        println!(
            "  {} {} {}..{} observed {} expected {:.2} score {:.1}",
            alert.region.full_name(),
            alert.pollution_type.zh(),
            alert.first_day,
            alert.last_day,
            alert.observed,
            alert.expected,
            alert.score
        );
    }
    assert_eq!(sample.events.len(), 8);
    assert!(
        recall >= 0.99,
        "every injected event is found (recall {recall})"
    );
    assert!(
        precision >= 0.8,
        "most alerts are real (precision {precision})"
    );

    // An alert carries the cases behind it, among them the event's own cases; a month-long
    // incident is one alert that lasts to its end, not pieces of it.
    for event in &sample.events {
        let alert = alerts.iter().find(|a| finds(a, event)).expect("found");
        assert_eq!(alerts.iter().filter(|a| finds(a, event)).count(), 1);
        assert!(
            alert.last_day >= event.last_day,
            "the alert on {} lasts to the event's end",
            event.region.full_name()
        );
        let first = alert.case_ids.first().copied().unwrap_or(0);
        let last = alert.case_ids.last().copied().unwrap_or(0);
        let own = event_cases(&sample, event.id, first, last);
        assert!(!own.is_empty());
        let carried = own.iter().filter(|id| alert.case_ids.contains(id)).count();
        assert!(
            carried * 10 >= own.len() * 9,
            "the alert carries the event's cases"
        );
        assert_eq!(alert.case_ids.len() as u64, alert.observed);
    }
}

#[test]
fn a_scope_sees_only_its_own_alerts() {
    let sample = simulate(&[config(
        7,
        (2025, 1, 1),
        365,
        Scale::Province(region("640000")),
    )]);
    let index = index_of(&sample);
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let until = from + Days::new(365);
    let elsewhere = index
        .spikes(region("440000"), from, until, &SpikeRule::default())
        .expect("alerts");
    assert!(elsewhere.is_empty());
}

#[test]
fn poisson_tails_match_the_textbook_values() {
    // P(X ≥ 1 | 1) = 1 − e^−1; P(X ≥ 3 | 0.5) = 1 − e^−0.5 (1 + 0.5 + 0.125).
    assert!((poisson_upper_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
    let expected = 1.0 - (-0.5f64).exp() * (1.0 + 0.5 + 0.125);
    assert!((poisson_upper_tail(3, 0.5) - expected).abs() < 1e-12);
    assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
    // Deep in the tail it is still accurate: P(X ≥ 20 | 0.3) ≈ 0.3^20 e^−0.3 / 20!.
    let deep = 0.3f64.powi(20) * (-0.3f64).exp() / 2.432_902_008_176_64e18;
    let got = poisson_upper_tail(20, 0.3);
    assert!((got / deep - 1.0).abs() < 0.02, "{got} vs {deep}");
}

#[test]
fn binomial_tails_match_the_textbook_values() {
    // Fair coin, 10 tosses: P(X ≥ 8) = (45 + 10 + 1) / 1024; P(X ≥ 3) = 1 − (1 + 10 + 45) / 1024.
    assert!((binomial_upper_tail(8, 10, 0.5) - 56.0 / 1024.0).abs() < 1e-12);
    assert!((binomial_upper_tail(3, 10, 0.5) - (1.0 - 56.0 / 1024.0)).abs() < 1e-12);
    assert_eq!(binomial_upper_tail(0, 5, 0.3), 1.0);
    assert_eq!(binomial_upper_tail(6, 5, 0.3), 0.0);
    // A window of 7 days against 28: 12 of 12 cases in the window, (1/5)^12.
    let all = binomial_upper_tail(12, 12, 0.2);
    assert!((all / 0.2f64.powi(12) - 1.0).abs() < 1e-9, "{all}");
    // P(X ≥ 10 | n = 12, p = 0.2) = C(12,10) .2^10 .8^2 + C(12,11) .2^11 .8 + .2^12.
    let expected = 66.0 * 0.2f64.powi(10) * 0.64 + 12.0 * 0.2f64.powi(11) * 0.8 + 0.2f64.powi(12);
    let got = binomial_upper_tail(10, 12, 0.2);
    assert!((got / expected - 1.0).abs() < 1e-9, "{got} vs {expected}");
}
