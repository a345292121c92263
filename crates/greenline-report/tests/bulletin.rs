//! A bulletin built from simulated cases: every figure against a fresh engine query written
//! here, every number in the text against the figures, the wording of changes, the guard, and
//! a province's own report.

mod common;

use std::collections::BTreeSet;

use chrono::{Datelike, Months, NaiveDate};
use greenline_domain::{RegionCode, RegionLevel};
use greenline_report::{
    Bulletin, Figures, Item, Period, TrendResult, one_decimal, p_value, percent,
};
use greenline_stats::spikes::SpikeRule;
use greenline_stats::trend::{TrendFinding, TrendGuard, assess};
use greenline_stats::{
    AcceptanceStatus, Dimension, Filter, Index, Measure, Query, QueryResult, TimeBucket,
};
use regex::Regex;

use common::{as_of, day, index, index_where, region, sample};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn october() -> Period {
    Period::parse("2026-10").expect("period")
}

fn national() -> &'static Bulletin {
    static B: std::sync::OnceLock<Bulletin> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        Bulletin::build(index(), october(), RegionCode::NATIONAL, as_of()).expect("bulletin")
    })
}

fn gansu() -> &'static Bulletin {
    static B: std::sync::OnceLock<Bulletin> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        Bulletin::build(index(), october(), region("620000"), as_of()).expect("bulletin")
    })
}

/// Cases received in `[from, until)` within `scope`, grouped and filtered as asked.
fn ask(
    index: &Index,
    scope: RegionCode,
    from: NaiveDate,
    until: NaiveDate,
    group_by: &[Dimension],
    filters: &[Filter],
    measures: &[Measure],
) -> QueryResult {
    let mut q = Query::new(scope, as_of()).filter(Filter::Received { from, until });
    for d in group_by {
        q = q.group_by(*d);
    }
    for f in filters {
        q = q.filter(f.clone());
    }
    for m in measures {
        q = q.measure(m.clone());
    }
    index.query(&q).expect("query")
}

fn count_in(
    index: &Index,
    scope: RegionCode,
    from: NaiveDate,
    until: NaiveDate,
    filters: &[Filter],
) -> u64 {
    ask(index, scope, from, until, &[], filters, &[]).total
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {a} != {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

/// `(code, count)` of a one-dimension answer.
fn counts(result: &QueryResult) -> Vec<(String, u64)> {
    result
        .rows()
        .map(|r| (r.key(0).code.clone(), r.count()))
        .collect()
}

fn count_of(result: &QueryResult, code: &str) -> u64 {
    counts(result)
        .into_iter()
        .find(|(c, _)| c == code)
        .map_or(0, |(_, n)| n)
}

/// Checks a list of items against a one-dimension answer: counts, and shares over `whole`.
fn check_items(items: &[Item], result: &QueryResult, whole: u64, what: &str) {
    for item in items {
        let n = count_of(result, &item.code);
        assert_eq!(item.count, n, "{what} {}", item.code);
        close(
            item.share,
            Some(n as f64 / whole as f64),
            &format!("{what} share {}", item.code),
        );
    }
}

/// The top `k` codes of an answer, most first, ties by code.
fn top(result: &QueryResult, k: usize, keep: impl Fn(&str) -> bool) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = counts(result)
        .into_iter()
        .filter(|(c, _)| keep(c))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

fn check_figures(b: &Bulletin, scope: RegionCode) {
    let index = index();
    let f = &b.figures;
    let (from, until) = (date(2026, 10, 1), date(2026, 11, 1));

    // Totals, 环比 and 同比: counts of three periods asked separately; the changes computed
    // here from them and also asked of the engine.
    let received = count_in(index, scope, from, until, &[]);
    let previous = count_in(index, scope, date(2026, 9, 1), from, &[]);
    let year_earlier = count_in(index, scope, date(2025, 10, 1), date(2025, 11, 1), &[]);
    assert!(received > 0 && previous > 0 && year_earlier > 0);
    assert_eq!(f.totals.received, received);
    assert_eq!(f.totals.previous, previous);
    assert_eq!(f.totals.year_earlier, year_earlier);
    close(
        f.totals.period_on_period,
        Some(received as f64 / previous as f64 - 1.0),
        "环比",
    );
    close(
        f.totals.year_on_year,
        Some(received as f64 / year_earlier as f64 - 1.0),
        "同比",
    );
    let monthly = ask(
        index,
        scope,
        from,
        until,
        &[Dimension::Time(TimeBucket::Month)],
        &[],
        &[Measure::PeriodOnPeriod, Measure::YearOnYear],
    );
    let row = monthly.row(0);
    close(
        f.totals.period_on_period,
        row.value(&Measure::PeriodOnPeriod),
        "engine 环比",
    );
    close(
        f.totals.year_on_year,
        row.value(&Measure::YearOnYear),
        "engine 同比",
    );

    // Acceptance: each status as its own filter.
    for (item, status) in [
        (&f.acceptance.accepted, AcceptanceStatus::Accepted),
        (&f.acceptance.rejected, AcceptanceStatus::Rejected),
        (&f.acceptance.pending, AcceptanceStatus::Pending),
    ] {
        let n = count_in(index, scope, from, until, &[Filter::Status(vec![status])]);
        assert_eq!(item.count, n, "{status:?}");
        close(item.share, Some(n as f64 / received as f64), "status share");
    }
    let rejected = f.acceptance.rejected.count;
    let reasons = ask(
        index,
        scope,
        from,
        until,
        &[Dimension::RejectionReason],
        &[Filter::Status(vec![AcceptanceStatus::Rejected])],
        &[],
    );
    check_items(&f.acceptance.reasons, &reasons, rejected, "reason");
    assert_eq!(
        f.acceptance.reasons.iter().map(|r| r.count).sum::<u64>(),
        rejected
    );

    // Channels: all of them, adding up to the total and to 100%.
    let channels = ask(index, scope, from, until, &[Dimension::Channel], &[], &[]);
    assert_eq!(f.channels.len(), channels.len());
    check_items(&f.channels, &channels, received, "channel");
    assert_eq!(f.channels.iter().map(|c| c.count).sum::<u64>(), received);
    let shares: f64 = f.channels.iter().filter_map(|c| c.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);

    // Types: multi-label, shares over cases; each type asked as a filter.
    assert!(!f.types.is_empty());
    for t in &f.types {
        let ty = greenline_domain::PollutionType::parse(&t.code).expect("type");
        let n = count_in(index, scope, from, until, &[Filter::Type(vec![ty])]);
        assert_eq!(t.count, n, "type {}", t.code);
        close(t.share, Some(n as f64 / received as f64), "type share");
    }
    assert!(f.types.iter().map(|t| t.count).sum::<u64>() >= received);

    // Leading sub-types of the leading types: sub-types of cases carrying the type.
    assert_eq!(
        f.sub_types
            .iter()
            .map(|s| s.pollution_type.code.as_str())
            .collect::<Vec<_>>(),
        f.types
            .iter()
            .take(3)
            .map(|t| t.code.as_str())
            .collect::<Vec<_>>()
    );
    for group in &f.sub_types {
        let ty = greenline_domain::PollutionType::parse(&group.pollution_type.code).expect("type");
        let subs = ask(
            index,
            scope,
            from,
            until,
            &[Dimension::SubType],
            &[Filter::Type(vec![ty])],
            &[],
        );
        let own: BTreeSet<&str> = ty.sub_types().map(|s| s.code()).collect();
        let expected = top(&subs, 3, |c| own.contains(c));
        let got: Vec<(String, u64)> = group
            .sub_types
            .iter()
            .map(|s| (s.code.clone(), s.count))
            .collect();
        assert_eq!(got, expected, "sub-types of {}", ty.code());
        check_items(
            &group.sub_types,
            &subs,
            group.pollution_type.count,
            "sub-type",
        );
    }

    // Industries: the five leading ones, cases without an industry left out.
    let industries = ask(index, scope, from, until, &[Dimension::Industry], &[], &[]);
    let expected = top(&industries, 5, |c| !c.is_empty());
    let got: Vec<(String, u64)> = f
        .industries
        .iter()
        .map(|i| (i.code.clone(), i.count))
        .collect();
    assert_eq!(got, expected);
    check_items(&f.industries, &industries, received, "industry");
    assert_eq!(f.industry_cases, received - count_of(&industries, ""));

    // Regions one level down, each with its leading type asked of its own cases.
    let level = match scope.level() {
        RegionLevel::National => RegionLevel::Province,
        _ => RegionLevel::Prefecture,
    };
    let regions = ask(
        index,
        scope,
        from,
        until,
        &[Dimension::Region(level)],
        &[],
        &[],
    );
    let r = f.regions.as_ref().expect("regions");
    let proper = |c: &str| RegionCode::parse(c).is_ok_and(|c| c.level() == level);
    assert_eq!(
        r.with_cases,
        counts(&regions).iter().filter(|(c, _)| proper(c)).count()
    );
    let expected = top(&regions, 5, proper);
    let got: Vec<(String, u64)> = r
        .top
        .iter()
        .map(|ri| (ri.region.code.clone(), ri.region.count))
        .collect();
    assert_eq!(got, expected);
    check_items(
        &r.top.iter().map(|ri| ri.region.clone()).collect::<Vec<_>>(),
        &regions,
        received,
        "region",
    );
    close(
        r.top_share,
        Some(expected.iter().map(|(_, n)| *n).sum::<u64>() as f64 / received as f64),
        "top share",
    );
    for ri in &r.top {
        let code = RegionCode::parse(&ri.region.code).expect("code");
        assert_eq!(ri.region.label, code.name());
        let own = ask(index, code, from, until, &[Dimension::Type], &[], &[]);
        let leading = top(&own, 1, |_| true);
        let t = ri.leading_type.as_ref().expect("leading type");
        assert_eq!((t.code.clone(), t.count), leading[0].clone());
        close(
            t.share,
            Some(t.count as f64 / ri.region.count as f64),
            "leading share",
        );
    }

    // Timeliness.
    let t = ask(
        index,
        scope,
        from,
        until,
        &[],
        &[],
        &[
            Measure::OnTimeRate,
            Measure::HandlingDaysMean,
            Measure::HandlingDaysPercentile(50),
            Measure::AcceptanceDaysMean,
        ],
    );
    let row = t.row(0);
    close(
        f.timeliness.on_time_rate,
        row.value(&Measure::OnTimeRate),
        "on time",
    );
    close(
        f.timeliness.handling_days_mean,
        row.value(&Measure::HandlingDaysMean),
        "handling",
    );
    close(
        f.timeliness.handling_days_median,
        row.value(&Measure::HandlingDaysPercentile(50)),
        "median",
    );
    close(
        f.timeliness.acceptance_days_mean,
        row.value(&Measure::AcceptanceDaysMean),
        "acceptance",
    );
    assert!(f.timeliness.on_time_rate.is_some());
    assert_eq!(
        f.timeliness.overdue,
        count_in(index, scope, from, until, &[Filter::Overdue(true)])
    );

    // Repeat sources.
    let repeats = count_in(index, scope, from, until, &[Filter::RepeatSource(true)]);
    assert!(repeats > 0);
    assert_eq!(f.repeat_sources.count, repeats);
    close(
        f.repeat_sources.share,
        Some(repeats as f64 / received as f64),
        "repeat share",
    );

    // Trend: 24 months, each asked on its own, through the guard.
    assert_eq!(f.trends.total.months.len(), 24);
    let mut series = Vec::new();
    let mut month = date(2024, 11, 1);
    for m in &f.trends.total.months {
        let next = month.checked_add_months(Months::new(1)).expect("month");
        assert_eq!(m.month, format!("{}-{:02}", month.year(), month.month()));
        let n = count_in(index, scope, month, next, &[]);
        assert_eq!(m.count, n, "{}", m.month);
        series.push(n as f64);
        month = next;
    }
    match (
        assess(&series, &TrendGuard::default()).expect("trend"),
        &f.trends.total.result,
    ) {
        (
            TrendFinding::Tested { test, .. },
            TrendResult::Tested {
                p_value,
                slope_per_month,
                ..
            },
        ) => {
            close(Some(test.p_value), Some(*p_value), "p");
            close(Some(test.slope), Some(*slope_per_month), "slope");
        }
        other => panic!("unexpected {other:?}"),
    }
    for tr in &f.trends.by_type {
        let ty = greenline_domain::PollutionType::parse(tr.code.as_deref().expect("code"))
            .expect("type");
        for m in &tr.months {
            let (y, mo) = m.month.split_once('-').expect("month");
            let first = date(y.parse().expect("y"), mo.parse().expect("m"), 1);
            let next = first.checked_add_months(Months::new(1)).expect("next");
            assert_eq!(
                m.count,
                count_in(index, scope, first, next, &[Filter::Type(vec![ty])])
            );
        }
    }

    // Alerts: the engine's spikes over the month.
    let alerts = index
        .spikes(scope, from, until, &SpikeRule::default())
        .expect("spikes");
    assert_eq!(f.alerts.len(), alerts.len());
    let mut want: Vec<(String, u64)> = alerts
        .iter()
        .map(|a| (a.region.to_string(), a.observed))
        .collect();
    let mut got: Vec<(String, u64)> = f
        .alerts
        .iter()
        .map(|a| (a.region_code.clone(), a.observed))
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn every_figure_of_the_national_bulletin_equals_a_fresh_engine_query() {
    let b = national();
    assert_eq!(b.title, "2026年10月全国生态环境信访举报情况");
    check_figures(b, RegionCode::NATIONAL);
}

#[test]
fn a_province_report_names_the_province_and_ranks_its_cities() {
    let b = gansu();
    assert_eq!(b.title, "2026年10月甘肃省生态环境信访举报情况");
    check_figures(b, region("620000"));
    let r = b.figures.regions.as_ref().expect("regions");
    assert_eq!(r.level_zh, "地市");
    assert_eq!(r.top.len(), 5);
    for ri in &r.top {
        assert!(ri.region.code.starts_with("62"), "{}", ri.region.code);
    }
    let text = b
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .cloned()
        .collect::<String>();
    assert!(text.contains("甘肃省共接到"), "{text}");
    assert!(text.contains("举报量居前五位的地市依次是"), "{text}");
    assert!(text.contains(&r.top[0].region.label));
    assert!(
        !text.contains("宁夏"),
        "a province's report stays in the province"
    );
}

/// Every number a figure may print as, plus the numbers in labels (`12345转办`).
fn printable(f: &Figures) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let item = |i: &Item, out: &mut BTreeSet<String>| {
        out.insert(i.count.to_string());
        if let Some(s) = i.share {
            out.insert(percent(s));
        }
        for n in Regex::new(r"\d+").expect("re").find_iter(&i.label) {
            out.insert(n.as_str().to_owned());
        }
    };
    let t = &f.totals;
    for n in [t.received, t.previous, t.year_earlier] {
        out.insert(n.to_string());
    }
    for c in [t.period_on_period, t.year_on_year].into_iter().flatten() {
        out.insert(percent(c.abs()));
    }
    let a = &f.acceptance;
    for i in [&a.accepted, &a.rejected, &a.pending]
        .into_iter()
        .chain(&a.reasons)
    {
        item(i, &mut out);
    }
    for i in f.channels.iter().chain(&f.types).chain(&f.industries) {
        item(i, &mut out);
    }
    out.insert(f.industry_cases.to_string());
    for g in &f.sub_types {
        item(&g.pollution_type, &mut out);
        for i in &g.sub_types {
            item(i, &mut out);
        }
    }
    if let Some(r) = &f.regions {
        out.insert(r.with_cases.to_string());
        if let Some(s) = r.top_share {
            out.insert(percent(s));
        }
        for ri in &r.top {
            item(&ri.region, &mut out);
            if let Some(t) = &ri.leading_type {
                item(t, &mut out);
            }
        }
    }
    let tl = &f.timeliness;
    if let Some(r) = tl.on_time_rate {
        out.insert(percent(r));
    }
    for d in [
        tl.handling_days_mean,
        tl.handling_days_median,
        tl.acceptance_days_mean,
    ]
    .into_iter()
    .flatten()
    {
        out.insert(one_decimal(d));
    }
    out.insert(tl.overdue.to_string());
    item(&f.repeat_sources, &mut out);
    out.insert(f.trends.alpha.to_string());
    for tr in std::iter::once(&f.trends.total).chain(&f.trends.by_type) {
        out.insert(tr.months.len().to_string());
        match &tr.result {
            TrendResult::TooFewPoints { points, needed } => {
                out.insert(points.to_string());
                out.insert(needed.to_string());
            }
            TrendResult::TooFewCases { cases, needed } => {
                out.insert(cases.to_string());
                out.insert(needed.to_string());
            }
            TrendResult::Tested {
                p_value: p,
                slope_per_month,
                ..
            } => {
                out.insert(
                    p_value(*p)
                        .trim_start_matches("p=")
                        .trim_start_matches("p<")
                        .to_owned(),
                );
                out.insert(one_decimal(slope_per_month.abs()));
            }
        }
    }
    out.insert(f.alerts.len().to_string());
    for al in &f.alerts {
        out.insert(al.observed.to_string());
        out.insert(one_decimal(al.expected));
    }
    out
}

/// The numbers in the sentences, dates left out.
fn numbers_in(text: &str) -> Vec<String> {
    let dates = Regex::new(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?|\d{1,2}月\d{1,2}日").expect("re");
    let number = Regex::new(r"\d+(\.\d+)?").expect("re");
    let without = dates.replace_all(text, "");
    number
        .find_iter(&without)
        .map(|m| m.as_str().to_owned())
        .collect()
}

fn check_numbers(b: &Bulletin) {
    let allowed = printable(&b.figures);
    let mut seen = 0;
    for s in &b.sections {
        for p in &s.paragraphs {
            for n in numbers_in(p) {
                assert!(allowed.contains(&n), "{n} in {p:?} is no figure");
                seen += 1;
            }
        }
    }
    assert!(seen > 50, "only {seen} numbers");
}

#[test]
fn the_numbers_in_the_sentences_are_the_figures() {
    check_numbers(national());
    check_numbers(gansu());
    let b = national();
    let first = &b.sections[0].paragraphs[0];
    let t = &b.figures.totals;
    assert!(
        first.starts_with(&format!(
            "2026年10月，全国共接到生态环境信访举报{}件，环比",
            t.received
        )),
        "{first}"
    );
    assert!(
        first.contains(&format!("（上月{}件）", t.previous)),
        "{first}"
    );
    assert!(
        first.contains(&format!("（上年同期{}件）", t.year_earlier)),
        "{first}"
    );
    let text: String = b
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .cloned()
        .collect();
    assert!(
        text.contains("可能同时涉及多种污染类型"),
        "multi-label said"
    );
    assert!(text.contains("举报量居前两位的省份依次是甘肃省"), "{text}");
}

/// An index of the sample's cases keeping `n` cases of each of the given months.
fn months_index(wanted: &[((i32, u32), usize)]) -> Index {
    let s = sample();
    let mut left: Vec<((i32, u32), usize)> = wanted.to_vec();
    let mut keep = BTreeSet::new();
    for case in &s.cases {
        let d = day(case);
        if let Some((_, n)) = left
            .iter_mut()
            .find(|(m, n)| *m == (d.year(), d.month()) && *n > 0)
        {
            *n -= 1;
            keep.insert(case.id);
        }
    }
    index_where(s, |c| keep.contains(&c.id))
}

fn overview(index: &Index) -> String {
    let b = Bulletin::build(index, october(), RegionCode::NATIONAL, as_of()).expect("bulletin");
    b.sections[0].paragraphs[0].clone()
}

#[test]
fn changes_read_as_rise_fall_flat_or_no_base() {
    let rise_and_fall = months_index(&[((2026, 9), 40), ((2026, 10), 50), ((2025, 10), 100)]);
    assert_eq!(
        overview(&rise_and_fall),
        "2026年10月，全国共接到生态环境信访举报50件，环比上升25.0%（上月40件），同比下降50.0%（上年同期100件）。"
    );
    let flat = months_index(&[((2026, 9), 60), ((2026, 10), 60), ((2025, 10), 60)]);
    assert_eq!(
        overview(&flat),
        "2026年10月，全国共接到生态环境信访举报60件，环比持平（上月60件），同比持平（上年同期60件）。"
    );
    let no_base = months_index(&[((2026, 10), 1)]);
    assert_eq!(
        overview(&no_base),
        "2026年10月，全国共接到生态环境信访举报1件，上月无举报，不计算环比，上年同期无举报，不计算同比。"
    );
    let none = months_index(&[((2026, 9), 5)]);
    assert_eq!(
        overview(&none),
        "2026年10月，全国未接到生态环境信访举报，环比下降100.0%（上月5件），上年同期无举报，不计算同比。"
    );
}

#[test]
fn the_guard_suppresses_rankings_from_tiny_samples() {
    let tiny = months_index(&[((2026, 10), 12), ((2026, 9), 10)]);
    let b = Bulletin::build(&tiny, october(), RegionCode::NATIONAL, as_of()).expect("bulletin");
    let f = &b.figures;
    assert_eq!(f.totals.received, 12);
    let r = f.regions.as_ref().expect("regions");
    assert!(!r.ranked && r.top.is_empty());
    assert!(!f.industries_ranked && f.industries.is_empty());
    assert!(f.sub_types.is_empty());
    assert!(matches!(
        f.trends.total.result,
        TrendResult::TooFewPoints { .. }
    ));
    let text: String = b
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .cloned()
        .collect();
    for ranking in [
        "居前",
        "依次是",
        "主要是",
        "显著上升",
        "显著下降",
        "无显著",
        "检验",
    ] {
        assert!(!text.contains(ranking), "{ranking} in {text}");
    }
    assert!(text.contains("举报量较少（12件），不作地区排名"), "{text}");
    assert!(text.contains("不作趋势判断"), "{text}");
    check_numbers_loosely(&b);
}

/// Like `check_numbers`, without the count floor (a tiny bulletin says little).
fn check_numbers_loosely(b: &Bulletin) {
    let allowed = printable(&b.figures);
    for s in &b.sections {
        for p in &s.paragraphs {
            for n in numbers_in(p) {
                assert!(allowed.contains(&n), "{n} in {p:?} is no figure");
            }
        }
    }
}

#[test]
fn quarterly_and_annual_bulletins_compare_with_the_right_periods() {
    let q = Bulletin::build(
        index(),
        Period::parse("2026-Q3").expect("q"),
        RegionCode::NATIONAL,
        as_of(),
    )
    .expect("q3");
    assert_eq!(q.title, "2026年第三季度全国生态环境信访举报情况");
    let scope = RegionCode::NATIONAL;
    assert_eq!(
        q.figures.totals.received,
        count_in(index(), scope, date(2026, 7, 1), date(2026, 10, 1), &[])
    );
    assert_eq!(
        q.figures.totals.previous,
        count_in(index(), scope, date(2026, 4, 1), date(2026, 7, 1), &[])
    );
    assert_eq!(
        q.figures.totals.year_earlier,
        count_in(index(), scope, date(2025, 7, 1), date(2025, 10, 1), &[])
    );
    assert!(q.sections[0].paragraphs[0].contains("（上季度"));
    check_numbers(&q);

    let y =
        Bulletin::build(index(), Period::parse("2025").expect("y"), scope, as_of()).expect("2025");
    assert_eq!(
        y.figures.totals.received,
        count_in(index(), scope, date(2025, 1, 1), date(2026, 1, 1), &[])
    );
    assert_eq!(
        y.figures.totals.year_earlier,
        count_in(index(), scope, date(2024, 1, 1), date(2025, 1, 1), &[])
    );
    let first = &y.sections[0].paragraphs[0];
    assert!(
        first.contains("比上年上升") && first.contains("（上年"),
        "{first}"
    );
    assert!(!first.contains("环比"), "{first}");
    check_numbers_loosely(&y);
}

#[test]
fn the_bulletin_serialises_with_its_figures() {
    let json = serde_json::to_value(national()).expect("json");
    assert_eq!(json["period"], "2026-10");
    assert_eq!(json["scope"], "000000");
    assert_eq!(
        json["figures"]["totals"]["received"],
        national().figures.totals.received
    );
    let names: Vec<&str> =
        greenline_report::bulletin_queries(october(), RegionCode::NATIONAL, as_of())
            .iter()
            .map(|q| q.name)
            .collect();
    assert!(names.contains(&"channels") && names.contains(&"regions"));
}

/// The text of the section whose title starts with `title`.
fn section_text(b: &Bulletin, title: &str) -> String {
    b.sections
        .iter()
        .find(|s| s.heading.starts_with(title))
        .map(|s| s.paragraphs.join("\n"))
        .unwrap_or_else(|| panic!("no section {title}"))
}

#[test]
fn repeats_are_named_and_counted_the_same_in_every_section() {
    // No report merged into an earlier one, but some turned down as already accepted: the
    // repeat section may not say there were none.
    let sample = sample();
    let limits = greenline_domain::DeadlineTable::statutory();
    let index = Index::build(sample.cases.iter().map(|case| {
        (
            case.id,
            greenline_stats::CaseFacts::from_case(case, false, &limits).expect("facts"),
        )
    }));
    let b = Bulletin::build(&index, october(), RegionCode::NATIONAL, as_of()).expect("bulletin");
    let f = &b.figures;
    assert_eq!(f.repeat_sources.count, 0);
    let already = f
        .acceptance
        .reasons
        .iter()
        .find(|r| r.code == "already_accepted")
        .expect("reports turned down as already accepted");
    assert!(already.count > 0);
    let acceptance = section_text(&b, "一");
    let repeats = section_text(&b, "七");
    assert!(
        !repeats.contains("未发现") && !repeats.contains("没有"),
        "{repeats}\nwhile section 一 says:\n{acceptance}"
    );
    let phrase = format!("因{}不予受理的{}件", already.label, already.count);
    assert!(repeats.contains(&phrase), "{repeats}");
    if acceptance.contains(&already.label) {
        assert!(
            acceptance.contains(&format!("{}{}件", already.label, already.count)),
            "{acceptance}"
        );
    }

    // With merged reports too, both figures stand side by side.
    let repeats = section_text(national(), "七");
    let merged = national().figures.repeat_sources.count;
    assert!(merged > 0);
    assert!(
        repeats.contains(&format!("已归并处理的{merged}件")),
        "{repeats}"
    );
}

#[test]
fn hot_topics_close_the_bulletin_with_their_labels_and_counts() {
    let topics = [
        greenline_report::HotTopic {
            label: "农药味、化工园区".to_owned(),
            count: 16,
            share: 0.012,
            emerging: true,
        },
        greenline_report::HotTopic {
            label: "焚烧秸秆、秋收".to_owned(),
            count: 9,
            share: 0.007,
            emerging: false,
        },
    ];
    let b = national().clone().with_hot_topics(&topics, 12);
    let text = section_text(&b, "十、热点问题");
    assert!(
        text.contains("与此前12个月相比，本月举报内容中明显增多的问题有"),
        "{text}"
    );
    assert!(
        text.contains("“农药味、化工园区”（16件，占1.2%，新出现）"),
        "{text}"
    );
    assert!(text.contains("“焚烧秸秆、秋收”（9件，占0.7%）"), "{text}");
    let table = &b.sections.last().expect("section").tables[0];
    assert_eq!(table.rows.len(), 2);
    let none = national().clone().with_hot_topics(&[], 12);
    assert!(section_text(&none, "十").contains("没有明显增多的问题"));
}
