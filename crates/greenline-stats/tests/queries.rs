//! The engine against a plain loop over the cases, written without the engine's dictionaries,
//! packed keys or columns: random groupings, filters, measures and scopes from fixed seeds must
//! give identical rows.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use greenline_domain::deadline::{Deadline, DeadlineKind, TimeLimits, local_date};
use greenline_domain::{
    Case, CaseKind, Channel, DeadlineTable, Industry, Outcome, PollutionType, RegionCode,
    RegionLevel, RejectionReason, Stage, SubType,
};
use greenline_stats::{
    AcceptanceStatus, CaseFacts, Dimension, Filter, Index, Measure, Query, QueryResult, TimeBucket,
    Upserted,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use common::{Sample, index_of, mixed_sample, region};

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 10, 4, 0, 0)
        .single()
        .expect("time")
}

// ---- the reference: one case at a time ----

fn status(case: &Case) -> &'static str {
    if case.accepted_at.is_some() {
        "accepted"
    } else if case.stage == Stage::Rejected {
        "rejected"
    } else {
        "pending"
    }
}

fn region_at(code: RegionCode, level: RegionLevel) -> String {
    let found = match level {
        RegionLevel::Province => code.ancestry().find(|c| c.level() == RegionLevel::Province),
        RegionLevel::Prefecture => match code.level() {
            RegionLevel::County => code
                .parent()
                .filter(|p| p.level() == RegionLevel::Prefecture)
                .or(Some(code)),
            _ => Some(code),
        },
        _ => Some(code),
    };
    found.unwrap_or(code).to_string()
}

fn bucket_code(bucket: TimeBucket, date: NaiveDate) -> String {
    match bucket {
        TimeBucket::Day => date.format("%Y-%m-%d").to_string(),
        TimeBucket::Week => date.format("%G-W%V").to_string(),
        TimeBucket::Month => date.format("%Y-%m").to_string(),
        TimeBucket::Quarter => format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1),
        TimeBucket::Year => date.year().to_string(),
    }
}

/// The value(s) of one dimension for a case: several for the multi-label type.
fn values(
    case: &Case,
    repeat: bool,
    dimension: Dimension,
    now: DateTime<Utc>,
    table: &DeadlineTable,
) -> Vec<String> {
    let limits = table.limits_for(case.kind, case.region);
    let one = |s: &str| vec![s.to_owned()];
    match dimension {
        Dimension::Kind => one(case.kind.code()),
        Dimension::Channel => one(case.channel.code()),
        Dimension::Type => {
            let mut all: Vec<String> = case.types.iter().map(|t| t.code().to_owned()).collect();
            if !all.contains(&case.primary_type.code().to_owned()) {
                all.push(case.primary_type.code().to_owned());
            }
            all.sort();
            all.dedup();
            all
        }
        Dimension::PrimaryType => one(case.primary_type.code()),
        Dimension::SubType => one(case.sub_type.map_or("", |s| s.code())),
        Dimension::Industry => one(case.industry.map_or("", |i| i.code())),
        Dimension::Region(level) => vec![region_at(case.region, level)],
        Dimension::Stage => one(case.stage.code()),
        Dimension::Outcome => one(case.outcome.map_or("", |o| o.code())),
        Dimension::Status => one(status(case)),
        Dimension::RejectionReason => one(case.rejection.map_or("", |r| r.code())),
        Dimension::Overdue => vec![case.is_overdue(&limits, now).to_string()],
        Dimension::RepeatSource => vec![repeat.to_string()],
        Dimension::Time(bucket) => vec![bucket_code(bucket, local_date(case.received_at))],
    }
}

fn passes(
    case: &Case,
    repeat: bool,
    filter: &Filter,
    now: DateTime<Utc>,
    table: &DeadlineTable,
) -> bool {
    let limits = table.limits_for(case.kind, case.region);
    match filter {
        Filter::Kind(v) => v.contains(&case.kind),
        Filter::Channel(v) => v.contains(&case.channel),
        Filter::Type(v) => v
            .iter()
            .any(|t| case.types.contains(t) || case.primary_type == *t),
        Filter::PrimaryType(v) => v.contains(&case.primary_type),
        Filter::SubType(v) => case.sub_type.is_some_and(|s| v.contains(&s)),
        Filter::Industry(v) => case.industry.is_some_and(|i| v.contains(&i)),
        Filter::Region(v) => v.iter().any(|area| case.region.is_within(*area)),
        Filter::Stage(v) => v.contains(&case.stage),
        Filter::Outcome(v) => case.outcome.is_some_and(|o| v.contains(&o)),
        Filter::Status(v) => v.iter().any(|s| s.code() == status(case)),
        Filter::RejectionReason(v) => case.rejection.is_some_and(|r| v.contains(&r)),
        Filter::Overdue(want) => case.is_overdue(&limits, now) == *want,
        Filter::RepeatSource(want) => repeat == *want,
        Filter::AcceptedLate(late) => case
            .accepted_at
            .is_some_and(|at| accepted_on_time(case, at, &limits) != *late),
        Filter::ConcludedLate(late) => match (case.accepted_at, case.concluded_at) {
            (Some(_), Some(done)) => {
                case.handling_deadline(&limits)
                    .is_some_and(|d| done < d.due_at)
                    != *late
            }
            _ => false,
        },
        Filter::Received { from, until } => {
            let day = local_date(case.received_at);
            *from <= day && day < *until
        }
        Filter::Not(inner) => !passes(case, repeat, inner, now, table),
    }
}

/// Accepted before the end of the acceptance limit counted from receipt.
fn accepted_on_time(case: &Case, accepted: DateTime<Utc>, limits: &TimeLimits) -> bool {
    let due = Deadline::starting(
        DeadlineKind::Acceptance,
        case.received_at,
        limits.acceptance_days,
    );
    accepted < due.due_at
}

#[derive(Debug, Default, Clone)]
struct Group {
    sources: std::collections::BTreeSet<i64>,
    accepted_on_time: u64,
    repeats: u64,
    count: u64,
    accepted: u64,
    rejected: u64,
    acceptance: Vec<i64>,
    handling: Vec<i64>,
    on_time: u64,
}

fn nearest_rank(values: &[i64], p: u8) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        return None;
    }
    let rank = ((f64::from(p) / 100.0 * v.len() as f64).ceil() as usize).max(1);
    Some(v[rank - 1] as f64 / 86_400.0)
}

fn mean(values: &[i64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<i64>() as f64 / values.len() as f64 / 86_400.0)
}

type Table = BTreeMap<Vec<String>, Group>;
/// Rows as (key codes, count, measures).
type Rows = Vec<(Vec<String>, u64, Vec<Option<f64>>)>;

fn reference_groups(
    sample: &Sample,
    query: &Query,
    group_by: &[Dimension],
    skip_received_from: bool,
) -> (Table, u64) {
    let limits = DeadlineTable::statutory();
    let mut table = Table::new();
    let mut total = 0;
    for (case, repeat) in sample.cases.iter().zip(&sample.repeat) {
        if !case.region.is_within(query.scope) {
            continue;
        }
        let selected = query.filters.iter().all(|f| match f {
            Filter::Received { until, .. } if skip_received_from => {
                local_date(case.received_at) < *until
            }
            f => passes(case, *repeat, f, query.as_of, &limits),
        });
        if !selected {
            continue;
        }
        total += 1;
        let mut keys: Vec<Vec<String>> = vec![Vec::new()];
        for d in group_by {
            let vs = values(case, *repeat, *d, query.as_of, &limits);
            keys = keys
                .into_iter()
                .flat_map(|k| {
                    vs.iter().map(move |v| {
                        let mut k = k.clone();
                        k.push(v.clone());
                        k
                    })
                })
                .collect();
        }
        for key in keys {
            let g = table.entry(key).or_default();
            g.count += 1;
            g.sources.insert(case.repeat_of.unwrap_or(case.id));
            if *repeat {
                g.repeats += 1;
            }
            if let Some(at) = case.accepted_at {
                g.accepted += 1;
                let lim = limits.limits_for(case.kind, case.region);
                if accepted_on_time(case, at, &lim) {
                    g.accepted_on_time += 1;
                }
                g.acceptance
                    .push((at - case.received_at).num_seconds().max(0));
            }
            if case.stage == Stage::Rejected {
                g.rejected += 1;
            }
            if let (Some(acc), Some(done)) = (case.accepted_at, case.concluded_at) {
                g.handling.push((done - acc).num_seconds().max(0));
                let lim = limits.limits_for(case.kind, case.region);
                if case
                    .handling_deadline(&lim)
                    .is_some_and(|d| done < d.due_at)
                {
                    g.on_time += 1;
                }
            }
        }
    }
    (table, total)
}

fn previous_code(bucket: TimeBucket, code: &str, year_on_year: bool) -> Option<String> {
    match bucket {
        TimeBucket::Month => {
            let d = NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d").ok()?;
            let back = if year_on_year { 12 } else { 1 };
            let d = d.checked_sub_months(chrono::Months::new(back))?;
            Some(d.format("%Y-%m").to_string())
        }
        TimeBucket::Year => {
            let y: i32 = code.parse().ok()?;
            Some((y - 1).to_string())
        }
        TimeBucket::Day => {
            let d = NaiveDate::parse_from_str(code, "%Y-%m-%d").ok()?;
            let d = if year_on_year {
                d.with_year(d.year() - 1)?
            } else {
                d.pred_opt()?
            };
            Some(d.format("%Y-%m-%d").to_string())
        }
        _ => None,
    }
}

/// The rows the engine should give, with every measure.
fn reference(sample: &Sample, query: &Query) -> (Rows, u64) {
    let (table, total) = reference_groups(sample, query, &query.group_by, false);
    let wants_change = query
        .measures
        .iter()
        .any(|m| matches!(m, Measure::PeriodOnPeriod | Measure::YearOnYear));
    let wider = if wants_change {
        reference_groups(sample, query, &query.group_by, true).0
    } else {
        Table::new()
    };
    let subs: Vec<Option<Table>> = query
        .measures
        .iter()
        .map(|m| match m {
            Measure::Share { within } if !within.is_empty() => {
                Some(reference_groups(sample, query, within, false).0)
            }
            _ => None,
        })
        .collect();
    let mut rows = Vec::new();
    for (key, g) in &table {
        let mut measures = Vec::new();
        for (mi, m) in query.measures.iter().enumerate() {
            measures.push(match m {
                Measure::Count => Some(g.count as f64),
                Measure::Share { within } => {
                    let positions: Vec<usize> = within
                        .iter()
                        .map(|w| query.group_by.iter().position(|d| d == w).expect("within"))
                        .collect();
                    let whole = if within.is_empty() {
                        total
                    } else {
                        let sub = subs[mi].as_ref().expect("sub-table");
                        let sub_key: Vec<String> =
                            positions.iter().map(|p| key[*p].clone()).collect();
                        sub.get(&sub_key).map_or(0, |g| g.count)
                    };
                    (whole > 0).then(|| g.count as f64 / whole as f64)
                }
                Measure::AcceptanceRate => {
                    let decided = g.accepted + g.rejected;
                    (decided > 0).then(|| g.accepted as f64 / decided as f64)
                }
                Measure::AcceptanceDaysMean => mean(&g.acceptance),
                Measure::AcceptanceDaysPercentile(p) => nearest_rank(&g.acceptance, *p),
                Measure::HandlingDaysMean => mean(&g.handling),
                Measure::HandlingDaysPercentile(p) => nearest_rank(&g.handling, *p),
                Measure::OnTimeRate => {
                    let n = g.handling.len() as u64;
                    (n > 0).then(|| g.on_time as f64 / n as f64)
                }
                Measure::OnTimeAcceptanceRate => {
                    (g.accepted > 0).then(|| g.accepted_on_time as f64 / g.accepted as f64)
                }
                Measure::RepeatRate => (g.count > 0).then(|| g.repeats as f64 / g.count as f64),
                Measure::DistinctSources => Some(g.sources.len() as f64),
                Measure::PeriodOnPeriod | Measure::YearOnYear => {
                    let t = query
                        .group_by
                        .iter()
                        .position(|d| matches!(d, Dimension::Time(_)))
                        .expect("time dimension");
                    let Dimension::Time(bucket) = query.group_by[t] else {
                        unreachable!()
                    };
                    previous_code(bucket, &key[t], *m == Measure::YearOnYear).and_then(|p| {
                        let mut k = key.clone();
                        k[t] = p;
                        wider.get(&k).map(|before| {
                            (g.count as f64 - before.count as f64) / before.count as f64
                        })
                    })
                }
            });
        }
        rows.push((key.clone(), g.count, measures));
    }
    (rows, total)
}

fn engine_rows(result: &QueryResult) -> Rows {
    let mut rows: Vec<_> = result
        .rows()
        .map(|r| {
            (
                r.keys().map(|k| k.code.clone()).collect::<Vec<_>>(),
                r.count(),
                r.values().to_vec(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

fn assert_same(sample: &Sample, index: &Index, query: &Query) -> usize {
    let result = index.query(query).expect("query");
    let (expected, total) = reference(sample, query);
    let got = engine_rows(&result);
    assert_eq!(result.total, total, "total for {query:?}");
    assert_eq!(got.len(), expected.len(), "row count for {query:?}");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.0, e.0, "keys for {query:?}");
        assert_eq!(g.1, e.1, "count of {:?} for {query:?}", g.0);
        for (i, (a, b)) in g.2.iter().zip(&e.2).enumerate() {
            assert!(
                close(*a, *b),
                "{} of {:?}: engine {a:?}, reference {b:?}, query {query:?}",
                query.measures[i].code(),
                g.0
            );
        }
    }
    got.len()
}

// ---- random queries ----

const DIMENSIONS: [Dimension; 20] = [
    Dimension::Kind,
    Dimension::Channel,
    Dimension::Type,
    Dimension::PrimaryType,
    Dimension::SubType,
    Dimension::Industry,
    Dimension::Region(RegionLevel::Province),
    Dimension::Region(RegionLevel::Prefecture),
    Dimension::Region(RegionLevel::County),
    Dimension::Stage,
    Dimension::Outcome,
    Dimension::Status,
    Dimension::RejectionReason,
    Dimension::Overdue,
    Dimension::RepeatSource,
    Dimension::Time(TimeBucket::Day),
    Dimension::Time(TimeBucket::Week),
    Dimension::Time(TimeBucket::Month),
    Dimension::Time(TimeBucket::Quarter),
    Dimension::Time(TimeBucket::Year),
];

fn some<T: Copy>(rng: &mut StdRng, all: &[T]) -> Vec<T> {
    let n = rng.random_range(1..=3.min(all.len()));
    all.choose_multiple(rng, n).copied().collect()
}

/// A random filter, a quarter of the list and yes/no ones turned into their NOT.
fn random_filter(rng: &mut StdRng, sample: &Sample) -> Filter {
    let filter = random_plain_filter(rng, sample);
    if !matches!(filter, Filter::Received { .. }) && rng.random_bool(0.25) {
        Filter::Not(Box::new(filter))
    } else {
        filter
    }
}

fn random_plain_filter(rng: &mut StdRng, sample: &Sample) -> Filter {
    let case = &sample.cases[rng.random_range(0..sample.cases.len())];
    let types: Vec<PollutionType> = PollutionType::all().collect();
    let subs: Vec<SubType> = types.iter().flat_map(|t| t.sub_types()).collect();
    let industries: Vec<Industry> = Industry::all().collect();
    match rng.random_range(0..16) {
        0 => Filter::Kind(some(rng, &CaseKind::ALL)),
        1 => Filter::Channel(some(rng, &Channel::ALL)),
        2 => Filter::Type(some(rng, &types)),
        3 => Filter::PrimaryType(some(rng, &types)),
        4 => Filter::SubType(some(rng, &subs)),
        5 => Filter::Industry(some(rng, &industries)),
        6 => {
            // A region of a random case, at a random level above it.
            let chain: Vec<RegionCode> = case
                .region
                .ancestry()
                .filter(|c| *c != RegionCode::NATIONAL)
                .collect();
            Filter::Region(vec![*chain.choose(rng).expect("region")])
        }
        7 => Filter::Stage(some(rng, &Stage::ALL)),
        8 => Filter::Outcome(some(
            rng,
            &[
                Outcome::Substantiated,
                Outcome::Unsubstantiated,
                Outcome::Explained,
                Outcome::Upheld,
            ],
        )),
        9 => Filter::Status(some(rng, &AcceptanceStatus::ALL)),
        10 => Filter::RejectionReason(some(
            rng,
            &[
                RejectionReason::OutsideRemit,
                RejectionReason::InsufficientDetail,
                RejectionReason::AlreadyAccepted,
            ],
        )),
        11 => Filter::Overdue(rng.random_bool(0.5)),
        12 => Filter::RepeatSource(rng.random_bool(0.5)),
        13 => Filter::AcceptedLate(rng.random_bool(0.5)),
        14 => Filter::ConcludedLate(rng.random_bool(0.5)),
        _ => {
            let day = local_date(case.received_at);
            let from = day - Duration::days(rng.random_range(0..200));
            let until = day + Duration::days(rng.random_range(1..200));
            Filter::Received { from, until }
        }
    }
}

fn random_scope(rng: &mut StdRng, sample: &Sample) -> RegionCode {
    let case = &sample.cases[rng.random_range(0..sample.cases.len())];
    let chain: Vec<RegionCode> = case.region.ancestry().collect();
    *chain.choose(rng).expect("scope")
}

const MEASURES: [Measure; 12] = [
    Measure::DistinctSources,
    Measure::OnTimeAcceptanceRate,
    Measure::RepeatRate,
    Measure::AcceptanceRate,
    Measure::AcceptanceDaysMean,
    Measure::AcceptanceDaysPercentile(50),
    Measure::AcceptanceDaysPercentile(90),
    Measure::HandlingDaysMean,
    Measure::HandlingDaysPercentile(50),
    Measure::HandlingDaysPercentile(90),
    Measure::OnTimeRate,
    Measure::Count,
];

#[test]
fn random_queries_give_exactly_what_counting_case_by_case_gives() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let mut rng = StdRng::seed_from_u64(20_260_301);
    let mut answered = 0;
    for _ in 0..160 {
        let mut group_by: Vec<Dimension> = Vec::new();
        for _ in 0..rng.random_range(0..=3) {
            let d = *DIMENSIONS.choose(&mut rng).expect("dimension");
            if !group_by.contains(&d) {
                group_by.push(d);
            }
        }
        let mut query = Query::new(random_scope(&mut rng, sample), as_of());
        query.group_by = group_by.clone();
        for _ in 0..rng.random_range(0..=3) {
            query.filters.push(random_filter(&mut rng, sample));
        }
        query.measures = vec![Measure::Count, Measure::Share { within: Vec::new() }];
        if let Some(first) = group_by.first() {
            query.measures.push(Measure::Share {
                within: vec![*first],
            });
        }
        for m in MEASURES.choose_multiple(&mut rng, 3) {
            if !query.measures.contains(m) {
                query.measures.push(m.clone());
            }
        }
        if assert_same(sample, &index, &query) > 1 {
            answered += 1;
        }
    }
    assert!(
        answered >= 50,
        "only {answered} queries had more than one row"
    );
}

#[test]
fn month_on_month_and_year_on_year_match_the_reference_even_with_a_date_filter() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let ningxia = region("640000");
    for (bucket, filters) in [
        (TimeBucket::Month, vec![]),
        (
            TimeBucket::Month,
            vec![Filter::Received {
                from: NaiveDate::from_ymd_opt(2024, 3, 15).expect("date"),
                until: NaiveDate::from_ymd_opt(2025, 2, 1).expect("date"),
            }],
        ),
        (TimeBucket::Year, vec![]),
        (
            TimeBucket::Day,
            vec![Filter::Received {
                from: NaiveDate::from_ymd_opt(2024, 6, 1).expect("date"),
                until: NaiveDate::from_ymd_opt(2024, 6, 20).expect("date"),
            }],
        ),
    ] {
        for extra in [None, Some(Dimension::PrimaryType), Some(Dimension::Type)] {
            let mut query = Query::new(ningxia, as_of())
                .group_by(Dimension::Time(bucket))
                .measure(Measure::PeriodOnPeriod)
                .measure(Measure::YearOnYear);
            if let Some(d) = extra {
                query = query.group_by(d);
            }
            query.filters = filters.clone();
            assert_same(sample, &index, &query);
        }
    }
}

#[test]
fn type_shares_may_pass_100_percent_and_channel_shares_make_exactly_100() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let month = Filter::Received {
        from: NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"),
        until: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    };
    let share = Measure::Share { within: Vec::new() };
    let types = index
        .query(
            &Query::new(RegionCode::NATIONAL, as_of())
                .filter(month.clone())
                .group_by(Dimension::Type)
                .measure(share.clone()),
        )
        .expect("types");
    let sum: f64 = types.rows().filter_map(|r| r.value(&share)).sum();
    let counted: u64 = types.rows().map(|r| r.count()).sum();
    assert!(counted > types.total, "some cases carry two types");
    assert!(sum > 1.0, "type shares add up to more than 100%: {sum}");

    let channels = index
        .query(
            &Query::new(RegionCode::NATIONAL, as_of())
                .filter(month)
                .group_by(Dimension::Channel)
                .measure(share.clone()),
        )
        .expect("channels");
    let counted: u64 = channels.rows().map(|r| r.count()).sum();
    assert_eq!(
        counted, channels.total,
        "channel counts add up to the total"
    );
    let sum: f64 = channels.rows().filter_map(|r| r.value(&share)).sum();
    assert!(
        (sum - 1.0).abs() < 1e-12,
        "channel shares add up to 100%: {sum}"
    );
}

#[test]
fn a_filter_cannot_widen_the_callers_jurisdiction() {
    let sample = mixed_sample();
    let index = index_of(sample);
    // A county in Ningxia asks about Guangdong: nothing, not Guangdong's figures.
    let county = sample
        .cases
        .iter()
        .map(|c| c.region)
        .find(|r| r.level() == RegionLevel::County && r.is_within(region("640000")))
        .expect("a Ningxia county");
    let query = Query::new(county, as_of())
        .filter(Filter::Region(vec![region("440000")]))
        .group_by(Dimension::Region(RegionLevel::Province));
    let result = index.query(&query).expect("query");
    assert!(result.is_empty());
    assert_eq!(result.total, 0);
    // Grouping by province from a county scope shows only the county's own province.
    let own = index
        .query(&Query::new(county, as_of()).group_by(Dimension::Region(RegionLevel::Province)))
        .expect("query");
    assert_eq!(own.len(), 1);
    assert_eq!(own.row(0).key(0).code, "640000");
    let in_county = sample.cases.iter().filter(|c| c.region == county).count() as u64;
    assert_eq!(own.row(0).count(), in_county);
}

#[test]
fn a_city_level_case_counts_at_city_and_appears_under_the_city_at_county_level() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let city_case = sample
        .cases
        .iter()
        .find(|c| c.region.level() == RegionLevel::Prefecture)
        .expect("a case filed at city level");
    let city = city_case.region;
    let counties = index
        .query(&Query::new(city, as_of()).group_by(Dimension::Region(RegionLevel::County)))
        .expect("query");
    let own_row = counties
        .rows()
        .find(|r| r.key(0).code == city.to_string())
        .expect("a row for the city itself");
    assert!(own_row.key(0).label.ends_with("（未细分到区县）"));
    let sum: u64 = counties.rows().map(|r| r.count()).sum();
    assert_eq!(
        sum, counties.total,
        "county rows add up to the city's total"
    );
}

#[test]
fn upserts_overwrite_changed_cases_and_the_answers_follow() {
    let mut sample = mixed_sample().clone();
    let limits = DeadlineTable::statutory();
    // Build from the first half, then add the rest out of order and change some cases.
    let half = sample.cases.len() / 2;
    let mut index = Index::new();
    for (case, repeat) in sample.cases[..half].iter().zip(&sample.repeat) {
        let facts = CaseFacts::from_case(case, *repeat, &limits).expect("facts");
        assert_eq!(index.upsert(case.id, &facts), Upserted::Inserted);
    }
    let mut rest: Vec<usize> = (half..sample.cases.len()).collect();
    rest.reverse();
    for i in rest {
        let facts =
            CaseFacts::from_case(&sample.cases[i], sample.repeat[i], &limits).expect("facts");
        assert_eq!(index.upsert(sample.cases[i].id, &facts), Upserted::Inserted);
    }
    let mut rng = StdRng::seed_from_u64(99);
    for _ in 0..500 {
        let i = rng.random_range(0..sample.cases.len());
        let case = &mut sample.cases[i];
        case.stage = *Stage::ALL.choose(&mut rng).expect("stage");
        case.channel = *Channel::ALL.choose(&mut rng).expect("channel");
        sample.repeat[i] = !sample.repeat[i];
        let facts = CaseFacts::from_case(case, sample.repeat[i], &limits).expect("facts");
        assert_eq!(index.upsert(case.id, &facts), Upserted::Updated);
    }
    assert_eq!(index.len(), sample.cases.len());
    for group_by in [
        vec![Dimension::Stage],
        vec![Dimension::Channel, Dimension::RepeatSource],
        vec![Dimension::Time(TimeBucket::Month), Dimension::Status],
    ] {
        let mut query = Query::new(RegionCode::NATIONAL, as_of());
        query.group_by = group_by;
        assert_same(&sample, &index, &query);
    }
}

#[test]
fn results_come_in_a_fixed_order_with_chinese_labels() {
    let sample = mixed_sample();
    let index = index_of(sample);
    let query = Query::new(RegionCode::NATIONAL, as_of())
        .group_by(Dimension::Time(TimeBucket::Quarter))
        .group_by(Dimension::Channel);
    let a = index.query(&query).expect("query");
    let b = index.query(&query).expect("query");
    assert_eq!(a, b);
    let first = a.row(0);
    assert_eq!(first.key(0).code, "2023-Q1");
    assert_eq!(first.key(0).label, "2023年第1季度");
    assert_eq!(first.key(1).code, "phone");
    assert_eq!(first.key(1).label, "电话");
    let keys: Vec<(String, String)> = a
        .rows()
        .map(|r| (r.key(0).code.clone(), r.key(1).code.clone()))
        .collect();
    let channel_rank = |c: &str| Channel::ALL.iter().position(|x| x.code() == c);
    let mut sorted = keys.clone();
    sorted.sort_by_key(|(q, c)| (q.clone(), channel_rank(c)));
    assert_eq!(keys, sorted);
}

#[test]
fn not_filters_leave_out_exactly_what_the_filter_keeps() {
    let sample = mixed_sample();
    let index = &index_of(sample);
    let now = as_of();
    for (key, value) in [
        ("type", "noise,air"),
        ("region", "620100"),
        ("channel", "web"),
        ("sub_type", "construction"),
        ("overdue", "true"),
        ("accepted_late", "true"),
    ] {
        let count = |params: Vec<(&str, &str)>| {
            let query = Query::from_params(RegionCode::NATIONAL, now, params).expect("query");
            index
                .query(&query)
                .expect("answer")
                .rows()
                .map(|r| r.count())
                .sum::<u64>()
        };
        let not_key = format!("not_{key}");
        let kept = count(vec![("group_by", "kind"), (key, value)]);
        let left = count(vec![("group_by", "kind"), (not_key.as_str(), value)]);
        let all = count(vec![("group_by", "kind")]);
        assert_eq!(kept + left, all, "{key}={value}");
        let query = Query::from_params(
            RegionCode::NATIONAL,
            now,
            vec![("group_by", "province"), (not_key.as_str(), value)],
        )
        .expect("query");
        assert_same(sample, index, &query);
    }
    let bad = Query::from_params(
        RegionCode::NATIONAL,
        now,
        vec![("not_received_from", "2026-01-01")],
    );
    assert!(bad.is_err());
}

#[test]
fn unknown_codes_and_impossible_queries_are_errors_not_panics() {
    assert!(Dimension::parse("galaxy").is_err());
    assert!(Measure::parse("handling_days_p0").is_err());
    assert!(Measure::parse("share(month,nope)").is_err());
    assert!(Filter::parse("type", "air,plasma").is_err());
    assert!(Filter::parse("received_from", "2025-13-01").is_err());
    assert_eq!(
        Filter::parse("channel", "phone,wechat").expect("filter"),
        Filter::Channel(vec![Channel::Phone, Channel::Wechat])
    );
    assert_eq!(
        Measure::parse("share(month)").expect("measure"),
        Measure::Share {
            within: vec![Dimension::Time(TimeBucket::Month)]
        }
    );
    let index = Index::new();
    let no_time = Query::new(RegionCode::NATIONAL, as_of()).measure(Measure::PeriodOnPeriod);
    assert!(index.query(&no_time).is_err());
    let bad_share = Query::new(RegionCode::NATIONAL, as_of()).measure(Measure::Share {
        within: vec![Dimension::Channel],
    });
    assert!(index.query(&bad_share).is_err());
    let empty = index
        .query(&Query::new(RegionCode::NATIONAL, as_of()).group_by(Dimension::Channel))
        .expect("an empty index answers");
    assert!(empty.is_empty());
}

#[test]
fn the_sample_taken_many_times_gives_as_many_times_the_counts() {
    // 600,000 rows or more: the scan splits them among threads and adds up what each found,
    // and the dense sinks with several counters a cell come into play.
    let sample = mixed_sample();
    let once = index_of(sample);
    let limits = DeadlineTable::statutory();
    let copies = 600_000 / sample.cases.len() as u64 + 1;
    let mut facts = Vec::new();
    for copy in 0..copies {
        for (case, repeat) in sample.cases.iter().zip(&sample.repeat) {
            let f = CaseFacts::from_case(case, *repeat, &limits).expect("facts");
            assert_eq!(CaseFacts::from_bytes(&f.to_bytes()), Some(f));
            facts.push((case.id + copy as i64 * 10_000_000, f));
        }
    }
    let many = Index::build(facts);
    assert!(many.len() >= 600_000);

    let month = Filter::Received {
        from: NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"),
        until: NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"),
    };
    let national = Query::new(RegionCode::NATIONAL, as_of());
    let mut queries = vec![
        national
            .clone()
            .group_by(Dimension::Type)
            .group_by(Dimension::Region(RegionLevel::Province))
            .group_by(Dimension::Time(TimeBucket::Month)),
        national
            .clone()
            .group_by(Dimension::Region(RegionLevel::Prefecture))
            .group_by(Dimension::Type)
            .group_by(Dimension::Channel)
            .group_by(Dimension::Time(TimeBucket::Month)),
        national
            .clone()
            .filter(month.clone())
            .group_by(Dimension::Type)
            .measure(Measure::Share { within: Vec::new() }),
        national
            .clone()
            .group_by(Dimension::Time(TimeBucket::Month))
            .measure(Measure::PeriodOnPeriod)
            .measure(Measure::YearOnYear),
        national
            .clone()
            .filter(month.clone())
            .group_by(Dimension::Status),
        national
            .clone()
            .group_by(Dimension::Region(RegionLevel::County))
            .group_by(Dimension::Time(TimeBucket::Day))
            .group_by(Dimension::Type),
        national
            .clone()
            .group_by(Dimension::Time(TimeBucket::Quarter))
            .group_by(Dimension::Channel)
            .measure(Measure::AcceptanceRate)
            .measure(Measure::HandlingDaysMean)
            .measure(Measure::HandlingDaysPercentile(90))
            .measure(Measure::OnTimeRate),
    ];
    let mut rng = StdRng::seed_from_u64(20_260_302);
    for _ in 0..30 {
        let mut query = Query::new(random_scope(&mut rng, sample), as_of());
        for _ in 0..rng.random_range(1..=3) {
            let d = *DIMENSIONS.choose(&mut rng).expect("dimension");
            if !query.group_by.contains(&d) {
                query.group_by.push(d);
            }
        }
        for _ in 0..rng.random_range(0..=2) {
            query.filters.push(random_filter(&mut rng, sample));
        }
        // Distinct sources are no ratio: copies of a source's cases are new sources.
        for m in MEASURES
            .choose_multiple(&mut rng, 3)
            .filter(|m| **m != Measure::DistinctSources)
        {
            if !query.measures.contains(m) {
                query.measures.push(m.clone());
            }
        }
        queries.push(query);
    }
    for query in &queries {
        let a = once.query(query).expect("query");
        let b = many.query(query).expect("query");
        assert_eq!(b.total, a.total * copies, "{query:?}");
        assert_eq!(b.len(), a.len(), "{query:?}");
        for (x, y) in a.rows().zip(b.rows()) {
            assert!(x.keys().eq(y.keys()), "{query:?}");
            assert_eq!(y.count(), x.count() * copies, "{query:?}");
            // Ratios of counts and sums taken `copies` times over are the same numbers.
            assert_eq!(x.values()[1..], y.values()[1..], "{query:?}");
        }
    }
}

#[test]
fn unit_figures_and_case_ids_are_what_a_loop_over_the_cases_finds() {
    // The simulated cases are held by a handful of units; spread them over more.
    let mut spread = Sample {
        cases: mixed_sample().cases.clone(),
        repeat: mixed_sample().repeat.clone(),
        truth: Vec::new(),
        events: Vec::new(),
    };
    for case in &mut spread.cases {
        case.unit_id = 1 + (case.id * 7) % 9;
    }
    let sample = &spread;
    let index = index_of(sample);
    let limits = DeadlineTable::statutory();
    let mut rng = StdRng::seed_from_u64(20_261_206);
    let (mut units_seen, mut most) = (0, 0);
    for _ in 0..40 {
        let mut query = Query::new(random_scope(&mut rng, sample), as_of());
        for _ in 0..rng.random_range(0..=2) {
            query.filters.push(random_filter(&mut rng, sample));
        }
        let mut expected: BTreeMap<u32, greenline_stats::UnitFigures> = BTreeMap::new();
        let mut ids = Vec::new();
        for (case, repeat) in sample.cases.iter().zip(&sample.repeat) {
            if !case.region.is_within(query.scope)
                || !query
                    .filters
                    .iter()
                    .all(|f| passes(case, *repeat, f, query.as_of, &limits))
            {
                continue;
            }
            ids.push(case.id);
            let unit = u32::try_from(case.unit_id).expect("unit id");
            let f = expected.entry(unit).or_default();
            f.unit = unit;
            f.cases += 1;
            f.repeats += u64::from(*repeat);
            let lim = limits.limits_for(case.kind, case.region);
            if let Some(at) = case.accepted_at {
                f.accepted += 1;
                f.accepted_on_time += u64::from(accepted_on_time(case, at, &lim));
                if let Some(done) = case.concluded_at {
                    f.concluded += 1;
                    f.concluded_on_time += u64::from(
                        case.handling_deadline(&lim)
                            .is_some_and(|d| done < d.due_at),
                    );
                }
            }
        }
        let found = index.by_unit(&query).expect("by unit");
        assert_eq!(
            found,
            expected.into_values().collect::<Vec<_>>(),
            "{query:?}"
        );
        units_seen += found.len();
        most = most.max(found.len());
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let before = ids.get(3).copied();
        assert_eq!(
            index.case_ids(&query, None, 10).expect("ids"),
            ids.iter().copied().take(10).collect::<Vec<_>>()
        );
        if let Some(before) = before {
            assert_eq!(
                index.case_ids(&query, Some(before), 2).expect("ids"),
                ids.iter().copied().skip(4).take(2).collect::<Vec<_>>()
            );
        }
    }
    assert!(
        units_seen >= 20 && most > 1,
        "the queries found too few units: {units_seen}, at most {most} at once"
    );
}
