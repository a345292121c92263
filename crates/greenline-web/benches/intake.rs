//! Intake over HTTP on loopback: sustained cases per second and latency percentiles, every case
//! durable before it is acknowledged (SQLite: WAL, synchronous=FULL), with every view of the
//! node running (statistics, same-source index, full-text search) and the type classifier on
//! each description. After each round it awaits the views holding every case, and reports how
//! long after the last acknowledgement that was.
//!
//! `cargo bench -p greenline-web --bench intake` — fixed seed; three measured rounds after a
//! warm-up; prints every round and the medians. Settings through the environment:
//! `INTAKE_CASES` (per round, default 20000), `INTAKE_CONCURRENCY` (default 64),
//! `INTAKE_POSTGRES` (a PostgreSQL server's URL: the bench then runs on a fresh database there
//! instead of SQLite).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use greenline_app::accounts::{new_token, token_hash};
use greenline_app::{App, Settings, SystemClock};
use greenline_domain::{DeadlineTable, RegionCode, Role};
use greenline_store::{NewStaff, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const SEED: u64 = 20_261_127;
const ROUNDS: usize = 3;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Request bodies drawn from a fixed seed: places, types and texts vary as real intake does.
fn bodies(count: usize, seed: u64) -> Vec<String> {
    let regions: Vec<String> = RegionCode::all()
        .filter(|r| r.code.level() != greenline_domain::RegionLevel::Province)
        .map(|r| r.code.to_string())
        .collect();
    let mut regions = regions;
    regions.sort();
    let types = ["air", "noise", "water", "solid_waste", "ecology"];
    let channels = ["phone", "letter", "visit", "12345", "wechat", "web"];
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let region = &regions[rng.random_range(0..regions.len())];
            json!({
                "channel": channels[rng.random_range(0..channels.len())],
                "primary_type": types[rng.random_range(0..types.len())],
                "region": region,
                "address": format!("某某路{}号", rng.random_range(1..2000)),
                "description": format!("第{i}件：附近工厂夜间排放刺鼻气味，持续约{}小时，影响居民休息。", rng.random_range(1..9)),
                "reporter_name": "测试",
                "reporter_phone": format!("139{:08}", rng.random_range(0..100_000_000u32)),
            })
            .to_string()
        })
        .collect()
}

struct Round {
    seconds: f64,
    latencies: Vec<Duration>,
}

async fn round(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    (tag, bodies): (&str, Vec<String>),
    concurrency: usize,
) -> Round {
    let bodies = Arc::new(bodies);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, token, tag) = (
            client.clone(),
            url.to_owned(),
            token.to_owned(),
            tag.to_owned(),
        );
        let (bodies, next) = (bodies.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .header("idempotency-key", format!("bench-{tag}-{i}"))
                    .body(body.clone())
                    .send()
                    .await
                    .expect("request");
                let status = response.status();
                response.bytes().await.expect("body");
                assert!(status.is_success(), "intake failed: {status}");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    Round {
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A new, empty database on the PostgreSQL server `server` names; its URL.
async fn fresh_postgres(server: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("greenline_bench_{}", std::process::id());
    let mut conn = sqlx::AnyConnection::connect(server).await.expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = server.rsplit_once('/').expect("URL with a database");
    format!("{base}/{name}")
}

fn main() {
    let cases = env_usize("INTAKE_CASES", 20_000);
    let concurrency = env_usize("INTAKE_CONCURRENCY", 64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, backend) = match std::env::var("INTAKE_POSTGRES") {
            Ok(server) => (fresh_postgres(&server).await, "PostgreSQL"),
            Err(_) => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                "SQLite WAL synchronous=FULL",
            ),
        };
        let store = Store::open(&url).await.expect("store");
        let now = Utc::now();
        let unit = store.create_unit("生态环境部信访办", RegionCode::NATIONAL, now).await.expect("unit");
        let staff = store
            .create_staff(
                &NewStaff {
                    username: "bench".into(),
                    display_name: "bench".into(),
                    password_hash: "$argon2id$unused".into(),
                    unit_id: unit.id,
                    roles: vec![Role::Operator],
                },
                now,
            )
            .await
            .expect("staff");
        let token = new_token();
        store
            .open_session(
                &token_hash(&token),
                staff.id,
                now,
                now + chrono::Duration::days(1),
                &greenline_store::AuditEntry {
                    at: now,
                    actor_id: Some(staff.id),
                    actor: "bench".into(),
                    region: staff.unit.region,
                    action: "sign_in".into(),
                    target: "bench".into(),
                    outcome: greenline_store::AuditOutcome::Ok,
                    client: "bench".into(),
                    detail: serde_json::json!({}),
                },
            )
            .await
            .expect("session");
        let app = App::new(store, Arc::new(SystemClock), DeadlineTable::statutory(), Settings::default());
        app.start();
        app.caught_up().await.expect("views built");
        let state = app.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(greenline_web::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("client");
        let endpoint = format!("http://{address}/api/v1/cases");

        println!("intake over HTTP, {backend}, every view on, {concurrency} concurrent clients, {cases} cases a round, seed {SEED}");
        round(&client, &endpoint, &token, ("warm-up", bodies(1_000, SEED ^ 1)), concurrency).await;
        let (mut rates, mut p50s, mut p99s, mut lags) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in 0..ROUNDS {
            let mut result = round(
                &client,
                &endpoint,
                &token,
                (&format!("round-{r}"), bodies(cases, SEED + r as u64)),
                concurrency,
            ).await;
            result.latencies.sort();
            let rate = cases as f64 / result.seconds;
            let p50 = percentile(&result.latencies, 50.0).as_secs_f64() * 1e3;
            let p99 = percentile(&result.latencies, 99.0).as_secs_f64() * 1e3;
            // How long after the last acknowledgement every view holds every case.
            let acknowledged = std::time::Instant::now();
            app.caught_up().await.expect("feed");
            let lag = acknowledged.elapsed().as_secs_f64() * 1e3;
            println!("round {}: {rate:>8.0} cases/s  p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  in every view {lag:>6.1} ms later", r + 1);
            lags.push(lag);
            rates.push(rate);
            p50s.push(p50);
            p99s.push(p99);
        }
        let (rate, p50, p99, lag) = (median(rates), median(p50s), median(p99s), median(lags));
        println!("median:  {rate:>8.0} cases/s  p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  in every view {lag:>6.1} ms later");
        println!("against the target (5,000 cases/s, p99 < 50 ms): {:.2}x the rate, p99 at {:.2} of the limit", rate / 5_000.0, p99 / 50.0);
        app.projections.stop().await;
    });
}
