//! `/api/v1/dashboard` and `/console/dashboard`: every figure equals what a loop over the
//! stored cases finds with the domain's own rules, every figure's case list holds exactly the
//! cases it counts, and a region outside the caller's jurisdiction is refused, never answered.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use greenline_app::dashboard::{MIN_UNIT_CASES, funnel_steps};
use greenline_domain::deadline::{Deadline, DeadlineKind, local_date};
use greenline_domain::{Case, DeadlineTable, RegionCode, RegionLevel};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_store::{ImportItem, ImportMessage};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::pages::{browser, console_sign_in};

/// Simulated Guangdong cases over the two years before the tests' day (a sample of them), held by the unit of their
/// city where there is one (Shenzhen's, Nanshan's, Futian's) and by the province otherwise;
/// waits until the statistics count them all.
async fn with_guangdong(app: &TestApp, token: &str) -> Vec<Case> {
    let simulator = Simulator::new(SimConfig {
        seed: 4412,
        start: NaiveDate::from_ymd_opt(2025, 2, 1).expect("date"),
        days: 660,
        cases: None,
        scale: Scale::Province(RegionCode::parse("440000").expect("region")),
        inject_events: false,
    })
    .expect("simulator");
    // One case in forty keeps about two thousand, spread over the whole period.
    let items: Vec<ImportItem> = simulator
        .step_by(40)
        .map(|(record, _)| {
            let imported = record.to_imported().expect("valid simulated record");
            let region = imported.case.region.to_string();
            let unit = if region.starts_with("440305") {
                "nanshan"
            } else if region.starts_with("440304") {
                "futian"
            } else if region.starts_with("4403") {
                "shenzhen"
            } else {
                "guangdong"
            };
            ImportItem {
                imported,
                unit_id: app.units[unit],
                due_at: None,
            }
        })
        .collect();
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
    assert_eq!(reply.body["total"], total, "{}", reply.body);
    let mut cases = Vec::new();
    let mut after = 0;
    loop {
        let page = app
            .store
            .cases_without_text(after, 1_000)
            .await
            .expect("cases");
        let Some(last) = page.last() else { break };
        after = last.id;
        cases.extend(page);
    }
    cases
}

/// Every case of a case-list filter, paged through the API.
async fn listed(app: &TestApp, token: &str, filter: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let mut path = format!("/api/v1/cases?{filter}&limit=200");
        if let Some(b) = before {
            path.push_str(&format!("&before={b}"));
        }
        let reply = app.get(Some(token), &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        for item in reply.body["items"].as_array().expect("items") {
            ids.push(item["id"].as_i64().expect("id"));
        }
        match reply.body["next_before"].as_i64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    ids
}

fn city_of(region: RegionCode) -> Option<RegionCode> {
    region
        .ancestry()
        .find(|r| r.level() == RegionLevel::Prefecture)
}

fn rate(part: u64, whole: u64) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        serde_json::json!(part as f64 / whole as f64)
    }
}

fn close(got: &Value, want: &Value, what: &str) {
    match (got.as_f64(), want.as_f64()) {
        (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{what}: {g} ≠ {w}"),
        _ => assert_eq!(got, want, "{what}"),
    }
}

#[backend_test]
pub async fn every_figure_is_what_the_stored_cases_hold_and_opens_its_cases(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("guangdong").await;
    let all = with_guangdong(&app, &token).await;
    let table = DeadlineTable::statutory();
    let today = local_date(crate::helpers::start_time());
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("date");

    let reply = app.get(Some(&token), "/api/v1/dashboard?period=2026").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let d = &reply.body;
    assert_eq!(d["region"], "440000");
    assert_eq!(d["from"], "2026-01-01");
    assert_eq!(d["to"], today.format("%Y-%m-%d").to_string());

    // The period's cases, found by a plain loop.
    let period: Vec<&Case> = all
        .iter()
        .filter(|c| {
            let day = local_date(c.received_at);
            day >= year_start && day <= today
        })
        .collect();
    let total = period.len() as u64;
    assert!(total > 500, "too few cases for the test: {total}");
    assert_eq!(d["total"], total);

    // Volume: 24 months ending with November 2026, from the first month with a case (February
    // 2025: the months before it are not zeros).
    let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
    for c in &all {
        let day = local_date(c.received_at);
        *by_month
            .entry(format!("{}-{:02}", day.year(), day.month()))
            .or_default() += 1;
    }
    let months = d["volume"]["months"].as_array().expect("months");
    assert_eq!(
        months[0]["month"], "2025-02",
        "no month before the first case"
    );
    assert_eq!(months.last().expect("a month")["month"], "2026-11");
    assert_eq!(months.len(), 22);
    for m in months {
        let code = m["month"].as_str().expect("month");
        assert_eq!(
            m["count"],
            by_month.get(code).copied().unwrap_or(0),
            "{code}"
        );
    }
    assert_eq!(d["volume"]["running_month"], "2026-11");

    // Types: multi-label, each over all cases.
    let mut types: HashMap<String, u64> = HashMap::new();
    for c in &period {
        let mut labels: Vec<&str> = c.types.iter().map(|t| t.code()).collect();
        labels.push(c.primary_type.code());
        labels.sort_unstable();
        labels.dedup();
        for t in labels {
            *types.entry(t.to_owned()).or_default() += 1;
        }
    }
    let shown = d["types"].as_array().expect("types");
    assert_eq!(shown.len(), types.len());
    let mut share_sum = 0.0;
    for s in shown {
        let code = s["code"].as_str().expect("code");
        assert_eq!(s["count"], types[code], "type {code}");
        close(&s["share"], &rate(types[code], total), code);
        share_sum += s["share"].as_f64().expect("share");
    }
    assert!(
        share_sum >= 1.0 - 1e-9,
        "type shares cover every case at least once"
    );

    // Regions: the cities of the province, most first.
    let mut cities: HashMap<String, u64> = HashMap::new();
    for c in &period {
        let city = city_of(c.region).expect("a city");
        *cities.entry(city.to_string()).or_default() += 1;
    }
    let regions = d["regions"].as_array().expect("regions");
    assert_eq!(regions.len(), cities.len());
    assert_eq!(d["regions_level"], "地市");
    let mut previous = u64::MAX;
    for r in regions {
        let count = r["count"].as_u64().expect("count");
        assert!(count <= previous, "ranked most first");
        previous = count;
        assert_eq!(count, cities[r["code"].as_str().expect("code")]);
    }

    // Channels add up to every case.
    let mut channels: HashMap<String, u64> = HashMap::new();
    for c in &period {
        *channels.entry(c.channel.code().to_owned()).or_default() += 1;
    }
    let shown = d["channels"].as_array().expect("channels");
    assert_eq!(
        shown
            .iter()
            .map(|s| s["count"].as_u64().expect("n"))
            .sum::<u64>(),
        total
    );
    for s in shown {
        assert_eq!(s["count"], channels[s["code"].as_str().expect("code")]);
    }

    // The funnel: by current stage, never widening.
    let funnel = d["funnel"].as_array().expect("funnel");
    let mut previous = u64::MAX;
    for (step, (code, _, stages)) in funnel.iter().zip(funnel_steps()) {
        let want = period
            .iter()
            .filter(|c| stages.as_ref().is_none_or(|s| s.contains(&c.stage)))
            .count() as u64;
        assert_eq!(step["code"], code);
        assert_eq!(step["count"], want, "funnel step {code}");
        assert!(want <= previous, "the funnel narrows");
        previous = want;
    }

    // Timeliness, from the deadlines of each case.
    let (mut accepted, mut accepted_on_time, mut concluded, mut concluded_on_time) = (0, 0, 0, 0);
    let mut units: BTreeMap<i64, [u64; 6]> = BTreeMap::new();
    for c in &period {
        let limits = table.limits_for(c.kind, c.region);
        let u = units.entry(c.unit_id).or_default();
        u[0] += 1;
        u[5] += u64::from(c.repeat_of.is_some());
        if let Some(at) = c.accepted_at {
            accepted += 1;
            u[1] += 1;
            let due = Deadline::starting(
                DeadlineKind::Acceptance,
                c.received_at,
                limits.acceptance_days,
            );
            if at < due.due_at {
                accepted_on_time += 1;
                u[2] += 1;
            }
            if let Some(done) = c.concluded_at {
                concluded += 1;
                u[3] += 1;
                if c.handling_deadline(&limits)
                    .is_some_and(|d| done < d.due_at)
                {
                    concluded_on_time += 1;
                    u[4] += 1;
                }
            }
        }
    }
    let t = &d["timeliness"];
    assert_eq!(t["on_time_acceptance"]["whole"], accepted);
    assert_eq!(t["on_time_acceptance"]["part"], accepted_on_time);
    close(
        &t["on_time_acceptance"]["rate"],
        &rate(accepted_on_time, accepted),
        "按时受理率",
    );
    assert_eq!(t["on_time_conclusion"]["whole"], concluded);
    assert_eq!(t["on_time_conclusion"]["part"], concluded_on_time);
    assert!(concluded > 0 && accepted > concluded);

    // Units: ranked when they hold enough cases, listed apart otherwise.
    let ranked = d["units"].as_array().expect("units");
    let small = d["small_units"].as_array().expect("small units");
    assert_eq!(ranked.len() + small.len(), units.len());
    assert_eq!(d["min_unit_cases"], MIN_UNIT_CASES);
    for (i, u) in ranked.iter().enumerate() {
        assert_eq!(u["rank"], i as u64 + 1);
        let f = units[&u["unit_id"].as_i64().expect("unit")];
        assert!(f[0] >= MIN_UNIT_CASES);
        assert_eq!(u["cases"], f[0]);
        close(
            &u["on_time_acceptance_rate"],
            &rate(f[2], f[1]),
            "unit 按时受理率",
        );
        close(&u["on_time_rate"], &rate(f[4], f[3]), "unit 按期办结率");
        close(&u["repeat_rate"], &rate(f[5], f[0]), "unit 重复举报率");
        if i > 0 {
            let (a, b) = (
                ranked[i - 1]["on_time_rate"].as_f64().unwrap_or(-1.0),
                u["on_time_rate"].as_f64().unwrap_or(-1.0),
            );
            assert!(a >= b, "ranked by 按期办结率");
        }
    }
    for u in small {
        assert!(u["rank"].is_null());
        assert!(u["cases"].as_u64().expect("cases") < MIN_UNIT_CASES);
    }
    assert!(!ranked.is_empty());
    let names: Vec<&str> = ranked
        .iter()
        .chain(small)
        .map(|u| u["name"].as_str().expect("name"))
        .collect();
    assert!(names.contains(&"广东省生态环境厅"), "{names:?}");

    // Every figure's case list holds exactly the cases it counts.
    let mut checks: Vec<(String, u64)> =
        vec![(d["cases"].as_str().expect("cases").to_owned(), total)];
    for key in ["types", "channels", "funnel"] {
        for s in d[key].as_array().expect("figure") {
            checks.push((
                s["cases"].as_str().expect("cases").to_owned(),
                s["count"].as_u64().expect("n"),
            ));
        }
    }
    for s in regions.iter().take(3) {
        checks.push((
            s["cases"].as_str().expect("cases").to_owned(),
            s["count"].as_u64().expect("n"),
        ));
    }
    for u in ranked.iter().chain(small) {
        checks.push((
            u["case_list"].as_str().expect("cases").to_owned(),
            u["cases"].as_u64().expect("n"),
        ));
    }
    checks.push((
        t["on_time_acceptance"]["missed_cases"]
            .as_str()
            .expect("missed")
            .to_owned(),
        accepted - accepted_on_time,
    ));
    checks.push((
        t["on_time_conclusion"]["missed_cases"]
            .as_str()
            .expect("missed")
            .to_owned(),
        concluded - concluded_on_time,
    ));
    let month = &months[months.len() - 3];
    let code = month["month"].as_str().expect("month");
    let first = NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d").expect("month");
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|m| m.pred_opt())
        .expect("month end");
    checks.push((
        format!("received_from={first}&received_to={last}"),
        month["count"].as_u64().expect("n"),
    ));
    for (filter, want) in checks {
        let ids = listed(&app, &token, &filter).await;
        assert_eq!(ids.len() as u64, want, "the cases behind {filter}");
        let mut sorted = ids.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(sorted, ids, "newest first, each once: {filter}");
    }
}

#[backend_test]
pub async fn a_region_outside_the_jurisdiction_is_refused_and_filters_narrow(backend: Backend) {
    let app = spawn_app(backend).await;
    let guangdong = app.login("guangdong").await;
    let all = with_guangdong(&app, &guangdong).await;
    let futian = app.login("futian").await;
    let shenzhen = app.login("shenzhen-analyst").await;

    // Another county, a city outside, the nation: refused, whatever else is asked.
    for (token, region) in [
        (&futian, "440305"),
        (&futian, "440300"),
        (&shenzhen, "440100"),
        (&shenzhen, "000000"),
    ] {
        let reply = app
            .get(
                Some(token),
                &format!("/api/v1/dashboard?period=2026&region={region}"),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{region}: {}",
            reply.body
        );
        assert!(reply.body.get("total").is_none());
    }

    // Bad input names its field.
    for (query, field) in [
        ("period=2026-13", "period"),
        ("period=2099", "period"),
        ("type=smell", "type"),
        ("region=99", "region"),
    ] {
        let reply = app
            .get(Some(&shenzhen), &format!("/api/v1/dashboard?{query}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert!(
            reply.body.to_string().contains(field),
            "{query}: {}",
            reply.body
        );
    }

    // A county of the city, and a type: exactly those cases; a county has no child regions.
    let reply = app
        .get(
            Some(&shenzhen),
            "/api/v1/dashboard?period=2026-Q3&region=440305&type=noise",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let want = all
        .iter()
        .filter(|c| {
            let day = local_date(c.received_at);
            c.region.to_string().starts_with("440305")
                && (c.primary_type.code() == "noise" || c.types.iter().any(|t| t.code() == "noise"))
                && day >= NaiveDate::from_ymd_opt(2026, 7, 1).expect("date")
                && day <= NaiveDate::from_ymd_opt(2026, 9, 30).expect("date")
        })
        .count() as u64;
    assert_eq!(reply.body["total"], want);
    assert!(
        reply.body["regions"]
            .as_array()
            .expect("regions")
            .is_empty()
    );
    assert!(reply.body["regions_level"].is_null());
    assert_eq!(reply.body["type"], "noise");
    let types = reply.body["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["code"] == "noise"));

    // Hot topics are worked out in the background: absent at first, then the topics' own.
    let first = app
        .get(Some(&shenzhen), "/api/v1/dashboard?period=2026-10")
        .await;
    assert_eq!(first.body["topics_period"], "2026-10");
    let mut ready = first.body.clone();
    for _ in 0..100 {
        if ready["topics_ready"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        ready = app
            .get(Some(&shenzhen), "/api/v1/dashboard?period=2026-10")
            .await
            .body;
    }
    assert_eq!(ready["topics_ready"], true, "the topics arrive");
    let topics = app
        .get(Some(&shenzhen), "/api/v1/topics?period=2026-10&limit=15")
        .await;
    assert_eq!(ready["topics_texts"], topics.body["texts"]);
    let terms = |list: &Value| -> Vec<Value> {
        list.as_array()
            .expect("topics")
            .iter()
            .map(|t| t["term"].clone())
            .collect()
    };
    assert_eq!(terms(&ready["topics"]), terms(&topics.body["topics"]));

    // The statistics' filters of the case list stay inside the jurisdiction too.
    let listed_outside = app
        .get(Some(&futian), "/api/v1/cases?region=440305&status=accepted")
        .await;
    assert_eq!(listed_outside.status, StatusCode::OK);
    assert!(
        listed_outside.body["items"]
            .as_array()
            .expect("items")
            .is_empty(),
        "a county sees none of its neighbour's cases"
    );
    let bad = app
        .get(Some(&futian), "/api/v1/cases?accepted_late=maybe")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);

    // The page: a neighbouring county by address is a 403 page, with no figures in it.
    let client = browser();
    console_sign_in(&client, &app, "futian").await;
    let page = client
        .get(app.url("/console/dashboard?region=440305"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.expect("html");
    assert!(!html.contains("dashboard-data"), "no figures on a refusal");
    let own = client
        .get(app.url("/console/dashboard?period=2026"))
        .send()
        .await
        .expect("page");
    assert_eq!(own.status(), StatusCode::OK);
    let html = own.text().await.expect("html");
    assert!(
        html.contains("dashboard-data") && html.contains("福田区"),
        "own dashboard"
    );

    // The bulletin downloads in both formats.
    for (format, media) in [
        ("html", "text/html"),
        ("docx", "application/vnd.openxmlformats"),
    ] {
        let reply = client
            .get(app.url(&format!(
                "/console/dashboard/bulletin?period=2026-10&format={format}"
            )))
            .send()
            .await
            .expect("bulletin");
        assert_eq!(reply.status(), StatusCode::OK, "{format}");
        let kind = reply.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_owned();
        assert!(kind.starts_with(media), "{kind}");
        assert!(
            reply.headers()["content-disposition"]
                .to_str()
                .expect("disposition")
                .contains("attachment")
        );
    }
    let outside = client
        .get(app.url("/console/dashboard/bulletin?period=2026-10&region=440305"))
        .send()
        .await
        .expect("bulletin");
    assert_eq!(outside.status(), StatusCode::FORBIDDEN);
}

#[backend_test]
pub async fn echarts_is_served_from_here_cached_for_a_year(backend: Backend) {
    let app = spawn_app(backend).await;
    let plain = app
        .http
        .get(app.url("/static/echarts-6.1.0.min.js"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .expect("script");
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(
        plain.headers()["cache-control"]
            .to_str()
            .expect("cache")
            .contains("max-age=31536000")
    );
    let body = plain.bytes().await.expect("body");
    assert!(body.len() > 500_000);
    let zipped = app
        .http
        .get(app.url("/static/echarts-6.1.0.min.js"))
        .header("accept-encoding", "gzip, deflate")
        .send()
        .await
        .expect("script");
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let packed = zipped.bytes().await.expect("body");
    assert!(
        packed.len() < body.len() / 2,
        "{} of {}",
        packed.len(),
        body.len()
    );
}
