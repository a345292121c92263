//! `/api/v1/stats`: the analytics index answers exactly what plain SQL over the store answers,
//! within the caller's jurisdiction, and sees new cases at once.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use greenline_domain::RegionCode;
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_store::{ImportItem, ImportMessage};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;

use crate::helpers::{Backend, TestApp, spawn_app};

const CASES: u64 = 2_000;

/// Imports simulated Guangdong cases (placed with the national unit) and waits until the
/// statistics count them all.
async fn with_simulated_cases(app: &TestApp, token: &str) {
    let simulator = Simulator::new(SimConfig {
        seed: 4403,
        start: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        days: 700,
        cases: Some(CASES),
        scale: Scale::Province(RegionCode::parse("440000").expect("region")),
        inject_events: false,
    })
    .expect("simulator");
    let items: Vec<ImportItem> = simulator
        .map(|(record, _)| ImportItem {
            imported: record.to_imported().expect("valid simulated record"),
            unit_id: app.units["nation"],
            due_at: None,
        })
        .collect();
    assert_eq!(items.len() as u64, CASES);
    import_and_wait(app, token, items).await;
}

/// The simulator's cases of `config`, imported to `unit` in one transaction and counted; the
/// events it injected.
async fn import_simulated(
    app: &TestApp,
    token: &str,
    config: SimConfig,
    unit: &str,
) -> Vec<greenline_sim::InjectedEvent> {
    let simulator = Simulator::new(config).expect("simulator");
    let events = simulator.events().to_vec();
    let items: Vec<ImportItem> = simulator
        .map(|(record, _)| ImportItem {
            imported: record.to_imported().expect("valid simulated record"),
            unit_id: app.units[unit],
            due_at: None,
        })
        .collect();
    import_and_wait(app, token, items).await;
    events
}

/// Imports the cases in one transaction and waits until the statistics count them all.
async fn import_and_wait(app: &TestApp, token: &str, items: Vec<ImportItem>) {
    let total = items.len() as u64;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let feeder = tokio::spawn(async move {
        sender
            .send(ImportMessage::Cases(items))
            .await
            .expect("send");
        sender.send(ImportMessage::Commit).await.expect("commit");
    });
    app.store.import(receiver).await.expect("import");
    feeder.await.expect("feeder");
    app.caught_up().await;
    let reply = app.get(Some(token), "/api/v1/stats").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["total"], total,
        "the statistics count every imported case"
    );
}

/// The SQL expression of a grouping, with China time for months.
fn sql_of(dimension: &str, postgres: bool) -> &'static str {
    match (dimension, postgres) {
        ("kind", _) => "c.kind",
        ("channel", _) => "c.channel",
        ("stage", _) => "c.stage",
        ("primary_type", _) => "c.primary_type",
        ("type", _) => "t.type_code",
        ("province", false) => "substr(c.region_code, 1, 2) || '0000'",
        ("province", true) => "substring(c.region_code from 1 for 2) || '0000'",
        ("city", false) => "substr(c.region_code, 1, 4) || '00'",
        ("city", true) => "substring(c.region_code from 1 for 4) || '00'",
        ("month", false) => "strftime('%Y-%m', c.received_at / 1000 + 28800, 'unixepoch')",
        ("month", true) => {
            "to_char(to_timestamp(c.received_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM')"
        }
        ("day", false) => "strftime('%Y-%m-%d', c.received_at / 1000 + 28800, 'unixepoch')",
        ("day", true) => {
            "to_char(to_timestamp(c.received_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        }
        (other, _) => panic!("no SQL for {other}"),
    }
}

type Counts = BTreeMap<Vec<String>, u64>;

async fn sql_counts(
    app: &TestApp,
    group_by: &[&str],
    filters: &[(&str, String)],
    postgres: bool,
) -> Counts {
    let mut pool = sqlx::AnyConnection::connect_with_url(&app.database).await;
    let keys: Vec<String> = group_by
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} AS k{i}", sql_of(d, postgres)))
        .collect();
    let mut from = "FROM cases c".to_owned();
    if group_by.contains(&"type") {
        from.push_str(" JOIN case_types t ON t.case_id = c.id");
    }
    let mut conditions = vec!["1 = 1".to_owned()];
    for (key, value) in filters {
        conditions.push(match *key {
            "channel" => format!("c.channel = '{value}'"),
            "stage" => format!("c.stage = '{value}'"),
            "type" => format!(
                "EXISTS (SELECT 1 FROM case_types f WHERE f.case_id = c.id AND f.type_code = '{value}')"
            ),
            "region" => format!(
                "c.region_code LIKE '{}%'",
                value.trim_end_matches("00")
            ),
            "received_from" => format!("{} >= '{value}'", sql_of("day", postgres)),
            other => panic!("no SQL for filter {other}"),
        });
    }
    let count = if group_by.is_empty() {
        "count(*) AS n".to_owned()
    } else {
        format!("{}, count(*) AS n", keys.join(", "))
    };
    let group = if group_by.is_empty() {
        String::new()
    } else {
        let positions: Vec<String> = (1..=group_by.len()).map(|i| i.to_string()).collect();
        format!("GROUP BY {}", positions.join(", "))
    };
    let sql = format!(
        "SELECT {count} {from} WHERE {} {group}",
        conditions.join(" AND ")
    );
    let rows = sqlx::query(&sql)
        .fetch_all(&mut pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut counts = Counts::new();
    for row in rows {
        let key: Vec<String> = (0..group_by.len())
            .map(|i| row.try_get::<String, _>(i).expect("key"))
            .collect();
        let n: i64 = row.try_get("n").expect("count");
        if n > 0 {
            counts.insert(key, u64::try_from(n).expect("count"));
        }
    }
    counts
}

trait ConnectWithUrl {
    async fn connect_with_url(url: &str) -> sqlx::AnyConnection;
}

impl ConnectWithUrl for sqlx::AnyConnection {
    async fn connect_with_url(url: &str) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(url).await.expect("connect")
    }
}

fn api_counts(body: &Value, group_by: &[&str]) -> Counts {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let key = group_by
                .iter()
                .map(|d| row["key"][*d]["code"].as_str().expect("code").to_owned())
                .collect();
            (key, row["count"].as_u64().expect("count"))
        })
        .collect()
}

#[backend_test]
pub async fn grouped_counts_equal_plain_sql_for_random_queries(backend: Backend) {
    let app = spawn_app(backend).await;
    let postgres = matches!(backend, Backend::Postgres);
    let token = app.login("nation").await;
    with_simulated_cases(&app, &token).await;

    let dimensions = [
        "kind",
        "channel",
        "stage",
        "primary_type",
        "type",
        "province",
        "city",
        "month",
    ];
    let channels = ["phone", "web", "wechat", "letter", "visit"];
    let types = ["air", "water", "noise", "solid_waste", "soil"];
    let regions = ["440000", "440300", "440100", "441900", "440305"];
    let mut rng = StdRng::seed_from_u64(12369);
    for round in 0..24 {
        let n = rng.random_range(0..=3);
        let mut group_by: Vec<&str> = dimensions.choose_multiple(&mut rng, n).copied().collect();
        group_by.sort_unstable();
        let mut filters: Vec<(&str, String)> = Vec::new();
        if rng.random_bool(0.4) {
            filters.push((
                "channel",
                channels.choose(&mut rng).expect("channel").to_string(),
            ));
        }
        if rng.random_bool(0.4) {
            filters.push(("type", types.choose(&mut rng).expect("type").to_string()));
        }
        if rng.random_bool(0.4) {
            filters.push((
                "region",
                regions.choose(&mut rng).expect("region").to_string(),
            ));
        }
        if rng.random_bool(0.3) {
            let month = rng.random_range(1..=12);
            filters.push(("received_from", format!("2025-{month:02}-15")));
        }
        let mut path = format!("/api/v1/stats?group_by={}", group_by.join(","));
        for (key, value) in &filters {
            path.push_str(&format!("&{key}={value}"));
        }
        let reply = app.get(Some(&token), &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let expected = sql_counts(&app, &group_by, &filters, postgres).await;
        let got = if group_by.is_empty() {
            let total = reply.body["total"].as_u64().expect("total");
            [(Vec::new(), total)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect()
        } else {
            api_counts(&reply.body, &group_by)
        };
        assert_eq!(got, expected, "round {round}: {path}");
    }
}

#[backend_test]
pub async fn shares_scope_and_new_cases_behave_as_analysts_expect(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("nation").await;
    with_simulated_cases(&app, &token).await;

    // Channel shares add up to exactly one; type shares (multi-label) to more.
    let sum = |body: &Value| -> f64 {
        body["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["values"]["share"].as_f64().expect("share"))
            .sum()
    };
    let channels = app
        .get(
            Some(&token),
            "/api/v1/stats?group_by=channel&measure=count,share",
        )
        .await;
    assert!(
        (sum(&channels.body) - 1.0).abs() < 1e-9,
        "{}",
        channels.body
    );
    let types = app
        .get(
            Some(&token),
            "/api/v1/stats?group_by=type&measure=count,share",
        )
        .await;
    assert!(sum(&types.body) > 1.0, "{}", types.body);

    // A county sees its own cases only, and a filter cannot widen that.
    let nanshan = app.login("nanshan").await;
    let own = app.get(Some(&nanshan), "/api/v1/stats").await;
    let sql = sql_counts(
        &app,
        &[],
        &[("region", "440305".to_owned())],
        matches!(backend, Backend::Postgres),
    )
    .await;
    assert_eq!(
        own.body["total"].as_u64(),
        sql.values().next().copied().or(Some(0))
    );
    let elsewhere = app
        .get(Some(&nanshan), "/api/v1/stats?region=440304&group_by=city")
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    assert_eq!(elsewhere.body["total"], 0, "{}", elsewhere.body);
    let national = app
        .get(
            Some(&nanshan),
            "/api/v1/stats?region=440000&group_by=county",
        )
        .await;
    assert_eq!(national.body["total"], own.body["total"]);

    // Signed-out callers get nothing; bad parameters are named.
    assert_eq!(
        app.get(None, "/api/v1/stats").await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad = app.get(Some(&token), "/api/v1/stats?group_by=colour").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errors"][0]["field"], "group_by", "{}", bad.body);
    let bad = app.get(Some(&token), "/api/v1/stats?channel=pigeon").await;
    assert_eq!(bad.body["errors"][0]["field"], "channel", "{}", bad.body);

    // CSV: codes and labels, then the count.
    let csv = app
        .http
        .get(app.url("/api/v1/stats?group_by=channel&format=csv"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.expect("text");
    assert!(text.starts_with("channel,channel_name,count\n"), "{text}");

    // A case registered now is counted within a second.
    let before = own.body["total"].as_u64().expect("total");
    assert_eq!(app.public_report().await.status, StatusCode::CREATED);
    let waiting = Instant::now();
    app.core
        .statistics_caught_up()
        .await
        .expect("the feed could be read");
    // On PostgreSQL the feed reads below the snapshot's xmin, which is the whole cluster's:
    // the other tests' databases share this test server, and a transaction open in any of
    // them holds the feed back for as long as it runs. So the second is a claim about
    // SQLite here; on PostgreSQL the case must still be counted once caught up.
    if backend == Backend::Sqlite {
        assert!(
            waiting.elapsed() < Duration::from_secs(1),
            "a new case was not counted within a second: {:?}",
            waiting.elapsed()
        );
    }
    let now = app.get(Some(&nanshan), "/api/v1/stats").await;
    assert_eq!(now.body["total"].as_u64(), Some(before + 1), "{}", now.body);
}

/// Two years of simulated Shenzhen cases with their injected events; waits until counted.
async fn with_two_years_of_shenzhen(
    app: &TestApp,
    token: &str,
) -> Vec<greenline_sim::InjectedEvent> {
    let config = SimConfig {
        seed: 440300,
        start: NaiveDate::from_ymd_opt(2024, 11, 1).expect("date"),
        days: 750,
        cases: None,
        scale: Scale::City(RegionCode::parse("440300").expect("region")),
        inject_events: true,
    };
    import_simulated(app, token, config, "shenzhen").await
}

/// One year of simulated Shenzhen cases, November 2025 to October 2026.
async fn with_one_year_of_shenzhen(app: &TestApp, token: &str) {
    let config = SimConfig {
        seed: 440301,
        start: NaiveDate::from_ymd_opt(2025, 11, 1).expect("date"),
        days: 365,
        cases: None,
        scale: Scale::City(RegionCode::parse("440300").expect("region")),
        inject_events: false,
    };
    import_simulated(app, token, config, "shenzhen").await;
}

#[backend_test]
pub async fn months_before_the_data_are_left_out_of_a_trend_not_counted_as_zero(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("shenzhen").await;
    with_one_year_of_shenzhen(&app, &token).await;

    // The default window is 24 months; the store holds 12 of them.
    let trend = app.get(Some(&token), "/api/v1/trends").await;
    assert_eq!(trend.status, StatusCode::OK, "{}", trend.body);
    let months: Vec<&str> = trend.body["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|m| m["month"].as_str().expect("month"))
        .collect();
    assert_eq!(months.len(), 12, "{months:?}");
    assert_eq!(months.first(), Some(&"2025-11"));
    assert_eq!(months.last(), Some(&"2026-10"));
    assert_eq!(trend.body["months_left_out"], 12);
    let summary = trend.body["trend"]["summary"].as_str().expect("summary");
    assert!(summary.contains("不计为零"), "{summary}");

    // The bulletin of the last month tests the same months and finds the same.
    let report = app
        .get(Some(&token), "/api/v1/reports/2026-10?format=json")
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let total = &report.body["figures"]["trends"]["total"];
    assert_eq!(
        total["months"].as_array().map(Vec::len),
        Some(12),
        "{total}"
    );
    let (api_p, bulletin_p) = (
        trend.body["trend"]["p_value"].as_f64(),
        total["result"]["p_value"].as_f64(),
    );
    assert!(
        api_p.is_some() && bulletin_p.is_some(),
        "{} / {total}",
        trend.body
    );
    assert!(
        (api_p.unwrap_or(-1.0) - bulletin_p.unwrap_or(-2.0)).abs() < 1e-12,
        "the API says p={api_p:?}, the bulletin p={bulletin_p:?}"
    );
    assert_eq!(
        trend.body["trend"]["direction"],
        total["result"]["direction"]
    );
}

/// Mann–Kendall S worked out directly: the sum of the signs of every later-minus-earlier pair.
fn kendall_s(values: &[u64]) -> i64 {
    let mut s = 0;
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            s += (values[j] as i64 - values[i] as i64).signum();
        }
    }
    s
}

#[backend_test]
pub async fn trends_alerts_and_reports_rest_on_the_same_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("shenzhen").await;
    let events = with_two_years_of_shenzhen(&app, &token).await;

    // The monthly series is the stats' monthly counts, zero-filled, and S is its Kendall sum.
    let trend = app.get(Some(&token), "/api/v1/trends?months=24").await;
    assert_eq!(trend.status, StatusCode::OK, "{}", trend.body);
    let series = trend.body["series"].as_array().expect("series");
    assert_eq!(series.len(), 24);
    assert_eq!(series[0]["month"], "2024-11");
    assert_eq!(series[23]["month"], "2026-10");
    let monthly = app
        .get(
            Some(&token),
            "/api/v1/stats?group_by=month&received_from=2024-11-01&received_to=2026-10-31",
        )
        .await;
    let by_month: BTreeMap<String, u64> = monthly.body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"]["month"]["code"]
                    .as_str()
                    .expect("month")
                    .to_owned(),
                r["count"].as_u64().expect("count"),
            )
        })
        .collect();
    let counts: Vec<u64> = series
        .iter()
        .map(|m| m["count"].as_u64().expect("count"))
        .collect();
    for (m, count) in series.iter().zip(&counts) {
        let month = m["month"].as_str().expect("month");
        assert_eq!(by_month.get(month).copied().unwrap_or(0), *count, "{month}");
    }
    assert_eq!(trend.body["trend"]["s"].as_i64(), Some(kendall_s(&counts)));
    let p = trend.body["trend"]["p_value"].as_f64().expect("tested");
    assert!((0.0..=1.0).contains(&p));
    let few = app.get(Some(&token), "/api/v1/trends?months=6").await;
    assert_eq!(few.body["trend"]["direction"], "not_tested", "{}", few.body);

    // Each injected event raises an alert of its region and type over its days.
    for event in &events {
        let path = format!(
            "/api/v1/alerts?from={}&to={}",
            event.first_day,
            event.last_day + chrono::Days::new(7)
        );
        let alerts = app.get(Some(&token), &path).await;
        assert_eq!(alerts.status, StatusCode::OK, "{}", alerts.body);
        let found = alerts.body["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .any(|a| {
                RegionCode::parse(a["region"].as_str().expect("region"))
                    .is_ok_and(|r| event.region.is_within(r))
                    && a["type"] == event.primary_type.code()
            });
        assert!(
            found,
            "event {} ({}) not found: {}",
            event.id, event.kind, alerts.body
        );
    }

    // The bulletin's total is the stats' count of its month; it stays in the jurisdiction.
    let figures = app
        .get(Some(&token), "/api/v1/reports/2026-10?format=json")
        .await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let text = figures.body.to_string();
    assert!(text.contains(&format!("{}", by_month["2026-10"])), "{text}");
    let markdown = app
        .http
        .get(app.url("/api/v1/reports/2026-10?format=md"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("report");
    assert_eq!(markdown.status(), StatusCode::OK);
    let markdown = markdown.text().await.expect("text");
    assert!(markdown.contains("2026年10月广东省深圳市"), "{markdown}");
    assert!(
        markdown.contains(&format!("{}件", by_month["2026-10"])),
        "{markdown}"
    );
    let outside = app
        .get(Some(&token), "/api/v1/reports/2026-10?region=440100")
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    let bad = app.get(Some(&token), "/api/v1/reports/2026-13").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[backend_test]
pub async fn two_periods_compared_count_what_the_statistics_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("nation").await;
    with_simulated_cases(&app, &token).await;
    // The simulated cases fall in their first weeks: compare the first fortnight with the next.
    let days = app.get(Some(&token), "/api/v1/stats?group_by=day").await;
    let first = days.body["rows"][0]["key"]["day"]["code"]
        .as_str()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .expect("a first day");
    let (b0, b1) = (first, first + chrono::Duration::days(13));
    let (a0, a1) = (
        b1 + chrono::Duration::days(1),
        b1 + chrono::Duration::days(14),
    );
    let path = format!(
        "/api/v1/stats/compare?group_by=city&before_from={b0}&before_to={b1}&after_from={a0}&after_to={a1}&limit=500"
    );
    let compared = app.get(Some(&token), &path).await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.body);
    for (from, to, field, total) in [
        (b0, b1, "before", "before_total"),
        (a0, a1, "after", "after_total"),
    ] {
        let stats = app
            .get(
                Some(&token),
                &format!("/api/v1/stats?group_by=city&received_from={from}&received_to={to}"),
            )
            .await;
        assert_eq!(
            stats.body["total"], compared.body[total],
            "{}",
            compared.body
        );
        for row in stats.body["rows"].as_array().expect("rows") {
            let code = &row["key"]["city"]["code"];
            let found = compared.body["moves"]
                .as_array()
                .expect("moves")
                .iter()
                .find(|m| m["key"]["city"]["code"] == *code)
                .unwrap_or_else(|| panic!("{code} in {}", compared.body));
            assert_eq!(found[field], row["count"], "{code} {field}");
            let verdict = found["verdict"].as_str().expect("verdict");
            assert!(["显著上升", "显著下降", "变化在正常波动范围内"].contains(&verdict));
        }
    }
    // A period left out, or a date filter of its own, is named.
    let bad = app
        .get(Some(&token), "/api/v1/stats/compare?before_from=2025-01-01")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errors"][0]["field"], "before_to", "{}", bad.body);
    let dated = format!("{path}&received_from={b0}");
    let bad = app.get(Some(&token), &dated).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}

#[backend_test]
pub async fn the_statistics_resume_from_their_snapshot_after_a_restart(backend: Backend) {
    use greenline_app::projections::Projection;
    use greenline_app::{App, Settings};
    let app = spawn_app(backend).await;
    let token = app.login("nation").await;
    let register = |text: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            let mut report = crate::helpers::phone_report();
            report["description"] = serde_json::json!(text);
            let reply = app.post(Some(token), "/api/v1/cases", &report).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
    };
    register("工地夜里打桩，吵得睡不着。").await;
    register("搅拌站半夜还在运转。").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("stats");
    let node = || {
        App::new(
            app.store.clone(),
            app.clock.clone(),
            greenline_domain::DeadlineTable::statutory(),
            Settings {
                stats_snapshot: Some(snapshot.clone()),
                ..Settings::default()
            },
        )
    };
    let first = node();
    first.start();
    first.caught_up().await.expect("caught up");
    assert_eq!(first.projections.analytics.len(), 2);
    assert_eq!(
        first.projections.analytics.loaded(),
        2,
        "built from the store"
    );
    assert!(snapshot.exists(), "the snapshot is written once built");
    first.projections.stop().await;
    drop(first);

    // A case arrives while the node is down; the next start reads the snapshot's two cases
    // and only the events since.
    register("夜里渣土车进出，噪音很大。").await;
    let second = node();
    second.start();
    second.caught_up().await.expect("caught up");
    assert_eq!(second.projections.analytics.len(), 3);
    assert_eq!(
        second.projections.analytics.loaded(),
        2,
        "resumed from the snapshot, not rebuilt"
    );
    second.projections.stop().await;
    drop(second);

    // A snapshot cut short is left aside: the node builds from the store.
    let bytes = std::fs::read(&snapshot).expect("snapshot");
    std::fs::write(&snapshot, &bytes[..bytes.len() - 5]).expect("cut");
    let third = node();
    third.start();
    third.caught_up().await.expect("caught up");
    assert_eq!(third.projections.analytics.len(), 3);
    assert_eq!(third.projections.analytics.loaded(), 3, "built again");
}

/// 问题源数 recomputed in plain SQL: after staff merge repeats into earlier reports (some into
/// a report of another city), each city's distinct sources are its cases' distinct
/// `coalesce(repeat_of, id)`, and the repeat rate its cases with a `repeat_of` over all.
#[backend_test]
pub async fn distinct_sources_and_the_repeat_rate_equal_plain_sql_after_merges(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("nation").await;
    with_simulated_cases(&app, &token).await;
    let ids: Vec<i64> = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 5_000,
            ..Default::default()
        })
        .await
        .expect("cases")
        .iter()
        .map(|c| c.id)
        .collect();
    let mut rng = StdRng::seed_from_u64(3096);
    let mut leads = std::collections::HashSet::new();
    let mut merged = std::collections::HashSet::new();
    let mut merges = 0;
    while merges < 150 {
        let (a, b) = (
            *ids.choose(&mut rng).expect("id"),
            *ids.choose(&mut rng).expect("id"),
        );
        // A repeat joins an earlier report that repeats nothing itself; it leads nothing.
        let (lead, repeat) = (a.min(b), a.max(b));
        if lead == repeat
            || merged.contains(&lead)
            || leads.contains(&repeat)
            || merged.contains(&repeat)
        {
            continue;
        }
        let reply = app
            .post(
                Some(&token),
                &format!("/api/v1/cases/{repeat}/merge"),
                &serde_json::json!({"into": lead}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        leads.insert(lead);
        merged.insert(repeat);
        merges += 1;
    }
    app.caught_up().await;

    let postgres = matches!(backend, Backend::Postgres);
    let city = sql_of("city", postgres);
    let sql = format!(
        "SELECT {city} AS k, count(*) AS n, count(DISTINCT coalesce(c.repeat_of, c.id)) AS sources, \
         count(c.repeat_of) AS repeats FROM cases c GROUP BY 1"
    );
    let mut conn = sqlx::AnyConnection::connect_with_url(&app.database).await;
    let expected: BTreeMap<String, (i64, i64, i64)> = sqlx::query(&sql)
        .fetch_all(&mut conn)
        .await
        .expect("sql")
        .iter()
        .map(|row| {
            (
                row.try_get::<String, _>("k").expect("city"),
                (
                    row.try_get("n").expect("n"),
                    row.try_get("sources").expect("sources"),
                    row.try_get("repeats").expect("repeats"),
                ),
            )
        })
        .collect();
    let reply = app
        .get(
            Some(&token),
            "/api/v1/stats?group_by=city&measure=count,distinct_sources,repeat_rate",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), expected.len());
    let mut fewer = 0;
    for row in rows {
        let code = row["key"]["city"]["code"].as_str().expect("city");
        let (n, sources, repeats) = expected[code];
        assert_eq!(row["count"], n, "{code}");
        assert_eq!(row["values"]["distinct_sources"], sources as f64, "{code}");
        let rate = row["values"]["repeat_rate"].as_f64().expect("rate");
        assert!(
            (rate - repeats as f64 / n as f64).abs() < 1e-12,
            "{code}: {rate}"
        );
        if sources < n {
            fewer += 1;
        }
    }
    assert!(fewer > 5, "the merges reached only {fewer} cities");
}
