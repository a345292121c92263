//! A mixed load on a running node, over loopback: public intake, tracking of the cases it
//! created, staff queue reads, full-text search and statistics, on the demo's national data.
//! Throughput and latency percentiles per endpoint at a fixed concurrency; then an overload far
//! beyond what the node serves at once; then a check that no acknowledged case was lost,
//! changed or stored twice.
//!
//! `bench/load.sh` prepares the database, starts `greenline serve` on 127.0.0.1 and runs the
//! three phases in turn (`cargo bench -p greenline-web --bench load -- PHASE`):
//!
//! - `mix`: a warm-up and three measured rounds of the mix (30 % intake, 20 % tracking, 25 %
//!   queue reads, 15 % search, 10 % statistics), each bounded by `LOAD_REQUESTS` (default 10000)
//!   and `LOAD_SECONDS` (default 60), at `LOAD_CONCURRENCY` clients (default 32); every round
//!   and the medians per endpoint. Each citizen submits from an address of their own (the node
//!   trusts loopback as its proxy and reads `X-Forwarded-For`), so the public limit stays in
//!   force without throttling the mix.
//! - `overload`: the same mix from `LOAD_OVERLOAD_CONCURRENCY` clients (default 512), bounded by
//!   `LOAD_OVERLOAD_REQUESTS` (default 30000) and `LOAD_OVERLOAD_SECONDS` (default 15), against
//!   a node started with a low `max_requests_in_flight`; tracking comes from one client (the
//!   loopback address itself), which the public limit must stop. Shares of 503 and 429, whether
//!   each carries `Retry-After`, and how long after the burst the node answers normally again.
//! - `verify`: every intake acknowledged (201) in the earlier phases is read back as national
//!   staff, with the description it was sent with and under its id, none twice and none
//!   stored unacknowledged; every view holds every case.
//!
//! The phases share `LOAD_DIR`: the acknowledged intakes (`acknowledged.jsonl`) and the
//! figures before the load (`baseline.json`). `LOAD_URL` names the node and must be
//! `http://127.0.0.1:PORT`; without it the bench does nothing, so `cargo bench` and
//! `cargo test --all-targets` pass over it. Fixed seed: the same requests in the same order.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use greenline_domain::{RegionCode, RegionLevel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const SEED: u64 = 20_261_206;
const ROUNDS: usize = 3;
const PASSWORD: &str = "greenline-demo";
/// Every description the bench sends starts with this, so its cases can be told apart from
/// the demo's.
const MARK: &str = "〔负载测试";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Endpoint {
    Intake,
    Track,
    Queue,
    Search,
    Stats,
}

/// The mix: each endpoint's share of requests, in percent.
const MIX: [(Endpoint, u32); 5] = [
    (Endpoint::Intake, 30),
    (Endpoint::Track, 20),
    (Endpoint::Queue, 25),
    (Endpoint::Search, 15),
    (Endpoint::Stats, 10),
];

impl Endpoint {
    fn label(self) -> &'static str {
        match self {
            Endpoint::Intake => "POST /api/v1/cases (public)",
            Endpoint::Track => "GET /api/v1/track/{no}",
            Endpoint::Queue => "GET /api/v1/cases?stage=",
            Endpoint::Search => "GET /api/v1/search?q=",
            Endpoint::Stats => "GET /api/v1/stats",
        }
    }

    fn success(self) -> u16 {
        match self {
            Endpoint::Intake => 201,
            _ => 200,
        }
    }
}

/// Staff who read their queue and search: one office at each level.
const READERS: [&str; 4] = ["national", "guangdong", "shenzhen", "nanshan"];
const ANALYST: &str = "analyst";
const STAGES: [&str; 3] = ["registered", "accepted", "handling"];
const WORDS: [&str; 10] = [
    "噪声", "异味", "污水", "粉尘", "油烟", "垃圾", "施工", "焚烧", "排放", "夜间",
];
const GROUPINGS: [&str; 5] = [
    "group_by=province",
    "group_by=primary_type,month",
    "group_by=channel&measure=count,share",
    "group_by=stage,kind",
    "group_by=type,quarter&region=440000",
];
const COMPLAINTS: [&str; 6] = [
    "附近工厂夜间排放刺鼻气味，持续约{h}小时，影响居民休息。",
    "工地夜间施工噪声很大，已持续{h}天，多次反映未改善。",
    "河道有污水直排，水面发黑发臭，约{h}处排口。",
    "餐馆油烟直排居民楼，每天约{h}小时。",
    "有人在空地焚烧垃圾，浓烟约{h}小时不散。",
    "搅拌站粉尘很大，车辆带泥上路，已有{h}周。",
];

/// One request of the plan, drawn from the seed before the round starts.
#[derive(Debug, Clone)]
enum Request {
    Intake {
        key: String,
        body: String,
        description: String,
        citizen: String,
    },
    /// Tracks the `pick`-th (modulo) case acknowledged so far.
    Track {
        pick: usize,
    },
    Queue {
        reader: usize,
        stage: &'static str,
    },
    Search {
        reader: usize,
        word: &'static str,
    },
    Stats {
        grouping: &'static str,
    },
}

impl Request {
    fn endpoint(&self) -> Endpoint {
        match self {
            Request::Intake { .. } => Endpoint::Intake,
            Request::Track { .. } => Endpoint::Track,
            Request::Queue { .. } => Endpoint::Queue,
            Request::Search { .. } => Endpoint::Search,
            Request::Stats { .. } => Endpoint::Stats,
        }
    }
}

/// An address of the private 10/8 network standing for citizen `n`: the node reads it from
/// `X-Forwarded-For`, nothing is ever sent to it.
fn citizen(n: u64) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// `count` requests of the mix, drawn from `seed`; `tag` keeps descriptions and
/// Idempotency-Keys unique across rounds and phases, `first_citizen` the citizens' addresses.
fn plan(count: usize, seed: u64, tag: &str, first_citizen: u64) -> Vec<Request> {
    let mut regions: Vec<String> = RegionCode::all()
        .filter(|r| r.code.level() != RegionLevel::Province)
        .map(|r| r.code.to_string())
        .collect();
    regions.sort();
    let types = ["air", "noise", "water", "solid_waste", "ecology"];
    let total: u32 = MIX.iter().map(|(_, share)| share).sum();
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let mut draw = rng.random_range(0..total);
            let endpoint = MIX
                .iter()
                .find(|(_, share)| {
                    let hit = draw < *share;
                    draw = draw.saturating_sub(*share);
                    hit
                })
                .map_or(Endpoint::Stats, |(endpoint, _)| *endpoint);
            match endpoint {
                Endpoint::Intake => {
                    let complaint = COMPLAINTS[rng.random_range(0..COMPLAINTS.len())]
                        .replace("{h}", &rng.random_range(1..9).to_string());
                    let description = format!("{MARK}{tag}-{i}〕{complaint}");
                    let body = json!({
                        "channel": if rng.random_bool(0.6) { "wechat" } else { "web" },
                        "primary_type": types[rng.random_range(0..types.len())],
                        "region": regions[rng.random_range(0..regions.len())],
                        "address": format!("某某路{}号", rng.random_range(1..2000)),
                        "description": description,
                        "reporter_name": "测试",
                        "reporter_phone": format!("139{:08}", rng.random_range(0..100_000_000u32)),
                    })
                    .to_string();
                    Request::Intake {
                        key: format!("load-{tag}-{i}"),
                        body,
                        description,
                        citizen: citizen(first_citizen + i as u64),
                    }
                }
                Endpoint::Track => Request::Track {
                    pick: rng.random_range(0..usize::MAX),
                },
                Endpoint::Queue => Request::Queue {
                    reader: rng.random_range(0..READERS.len()),
                    stage: STAGES[rng.random_range(0..STAGES.len())],
                },
                Endpoint::Search => Request::Search {
                    reader: rng.random_range(0..READERS.len() - 1),
                    word: WORDS[rng.random_range(0..WORDS.len())],
                },
                Endpoint::Stats => Request::Stats {
                    grouping: GROUPINGS[rng.random_range(0..GROUPINGS.len())],
                },
            }
        })
        .collect()
}

/// An intake the node acknowledged with 201: what was sent and what came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Acknowledged {
    id: i64,
    tracking_no: String,
    secret: String,
    citizen: String,
    description: String,
}

/// What the phases share: the node, the staff's tokens, the acknowledged intakes.
struct Node {
    client: reqwest::Client,
    base: String,
    readers: Vec<String>,
    analyst: String,
    acknowledged: Mutex<Vec<Acknowledged>>,
    /// Tracking requests carry this client's address (None: the TCP peer itself, loopback).
    tracker_from_citizen: bool,
}

/// One answer: which endpoint, its status (0: no answer), whether it said when to retry,
/// and how long it took.
struct Sample {
    endpoint: Endpoint,
    status: u16,
    retry_after: bool,
    latency: Duration,
}

impl Node {
    async fn send(&self, request: &Request) -> (u16, bool) {
        let builder = match request {
            Request::Intake {
                key, body, citizen, ..
            } => self
                .client
                .post(format!("{}/api/v1/cases", self.base))
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .header("x-forwarded-for", citizen)
                .body(body.clone()),
            Request::Track { pick } => {
                let case = {
                    let acknowledged = self.acknowledged.lock().expect("ledger");
                    if acknowledged.is_empty() {
                        return (0, false);
                    }
                    acknowledged[pick % acknowledged.len()].clone()
                };
                let builder = self
                    .client
                    .get(format!("{}/api/v1/track/{}", self.base, case.tracking_no))
                    .header("x-tracking-secret", &case.secret);
                if self.tracker_from_citizen {
                    builder.header("x-forwarded-for", &case.citizen)
                } else {
                    builder
                }
            }
            Request::Queue { reader, stage } => self
                .client
                .get(format!("{}/api/v1/cases?stage={stage}&limit=50", self.base))
                .bearer_auth(&self.readers[*reader]),
            Request::Search { reader, word } => self
                .client
                .get(format!("{}/api/v1/search", self.base))
                .query(&[("q", word)])
                .bearer_auth(&self.readers[*reader]),
            Request::Stats { grouping } => self
                .client
                .get(format!("{}/api/v1/stats?{grouping}", self.base))
                .bearer_auth(&self.analyst),
        };
        let Ok(response) = builder.send().await else {
            return (0, false);
        };
        let status = response.status().as_u16();
        let retry_after = response.headers().contains_key("retry-after");
        let Ok(body) = response.bytes().await else {
            return (0, retry_after);
        };
        if let Request::Intake {
            description,
            citizen,
            ..
        } = request
            && status == 201
        {
            let receipt: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if let (Some(id), Some(tracking_no), Some(secret)) = (
                receipt["id"].as_i64(),
                receipt["tracking_no"].as_str(),
                receipt["secret"].as_str(),
            ) {
                self.acknowledged
                    .lock()
                    .expect("ledger")
                    .push(Acknowledged {
                        id,
                        tracking_no: tracking_no.to_owned(),
                        secret: secret.to_owned(),
                        citizen: citizen.clone(),
                        description: description.clone(),
                    });
            } else {
                // Acknowledged without a usable receipt: count it as an error.
                return (599, retry_after);
            }
        }
        (status, retry_after)
    }
}

/// Runs `plan` from `concurrency` clients until it is done or `limit` has passed.
async fn round(
    node: &Arc<Node>,
    plan: Vec<Request>,
    concurrency: usize,
    limit: Duration,
) -> (Vec<Sample>, f64) {
    let plan = Arc::new(plan);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (node, plan, next) = (node.clone(), plan.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while started.elapsed() < limit {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = plan.get(i) else { break };
                let sent = Instant::now();
                let (status, retry_after) = node.send(request).await;
                samples.push(Sample {
                    endpoint: request.endpoint(),
                    status,
                    retry_after,
                    latency: sent.elapsed(),
                });
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for worker in workers {
        samples.extend(worker.await.expect("worker"));
    }
    (samples, started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// One endpoint's figures in one round.
#[derive(Debug, Default, Clone)]
struct Figures {
    requests: usize,
    ok: usize,
    /// Every other answer by status; 0 for no answer at all.
    errors: BTreeMap<u16, usize>,
    rate: f64,
    p50: f64,
    p99: f64,
}

fn figures(samples: &[Sample], seconds: f64) -> BTreeMap<Endpoint, Figures> {
    let mut out = BTreeMap::new();
    for (endpoint, _) in MIX {
        let mine: Vec<&Sample> = samples.iter().filter(|s| s.endpoint == endpoint).collect();
        let mut ok: Vec<Duration> = mine
            .iter()
            .filter(|s| s.status == endpoint.success())
            .map(|s| s.latency)
            .collect();
        ok.sort();
        let mut errors = BTreeMap::new();
        for s in mine.iter().filter(|s| s.status != endpoint.success()) {
            *errors.entry(s.status).or_insert(0) += 1;
        }
        out.insert(
            endpoint,
            Figures {
                requests: mine.len(),
                ok: ok.len(),
                errors,
                rate: ok.len() as f64 / seconds,
                p50: percentile(&ok, 50.0),
                p99: percentile(&ok, 99.0),
            },
        );
    }
    out
}

fn print_figures(figures: &BTreeMap<Endpoint, Figures>) {
    println!(
        "  {:<29} {:>8} {:>8} {:>9} {:>9} {:>9}  errors by status",
        "endpoint", "requests", "ok", "ok/s", "p50 ms", "p99 ms"
    );
    for (endpoint, f) in figures {
        let errors = if f.errors.is_empty() {
            "none".to_owned()
        } else {
            f.errors
                .iter()
                .map(|(status, n)| format!("{status}×{n}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!(
            "  {:<29} {:>8} {:>8} {:>9.1} {:>9.2} {:>9.2}  {errors}",
            endpoint.label(),
            f.requests,
            f.ok,
            f.rate,
            f.p50,
            f.p99
        );
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The node's URL, refused unless it is on 127.0.0.1: this bench never leaves the machine.
fn loopback_url() -> Option<String> {
    let url = std::env::var("LOAD_URL").ok().filter(|u| !u.is_empty())?;
    let rest = url.strip_prefix("http://127.0.0.1:").unwrap_or_else(|| {
        panic!("LOAD_URL must be http://127.0.0.1:PORT, got {url}");
    });
    assert!(
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()),
        "LOAD_URL must be http://127.0.0.1:PORT, got {url}"
    );
    Some(url)
}

async fn sign_in(client: &reqwest::Client, base: &str, username: &str, office: usize) -> String {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        // Each account signs in from its office's address, so the sign-in limit counts each
        // office apart.
        .header("x-forwarded-for", format!("172.16.0.{}", office + 1))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("sign in");
    let status = response.status();
    let body: Value = response.json().await.expect("sign-in answer");
    assert_eq!(status.as_u16(), 200, "sign in as {username}: {body}");
    body["token"].as_str().expect("token").to_owned()
}

/// The views' status: name → (ready, cases, lag in events), after they hold every commit.
async fn views(client: &reqwest::Client, base: &str) -> BTreeMap<String, (bool, u64, i64)> {
    let health: Value = client
        .get(format!("{base}/api/v1/health?wait=true"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health answer");
    health["views"]
        .as_array()
        .expect("views")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or("?").to_owned(),
                (
                    v["ready"].as_bool().unwrap_or(false),
                    v["cases"].as_u64().unwrap_or(0),
                    v["lag_events"].as_i64().unwrap_or(-1),
                ),
            )
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Baseline {
    /// The China-time date the load began: every case of the bench is received on or after it.
    date: String,
    /// Cases each view held before the load.
    views: BTreeMap<String, u64>,
}

struct Dir(PathBuf);

impl Dir {
    fn acknowledged(&self) -> Vec<Acknowledged> {
        let Ok(text) = std::fs::read_to_string(self.0.join("acknowledged.jsonl")) else {
            return Vec::new();
        };
        text.lines()
            .map(|line| serde_json::from_str(line).expect("acknowledged.jsonl"))
            .collect()
    }

    fn append(&self, acknowledged: &[Acknowledged]) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.0.join("acknowledged.jsonl"))
            .expect("acknowledged.jsonl");
        for a in acknowledged {
            writeln!(file, "{}", serde_json::to_string(a).expect("json")).expect("write");
        }
        file.sync_all().expect("sync");
    }
}

async fn node(base: &str, concurrency: usize, tracker_from_citizen: bool) -> Arc<Node> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut readers = Vec::new();
    for (office, username) in READERS.iter().enumerate() {
        readers.push(sign_in(&client, base, username, office).await);
    }
    let analyst = sign_in(&client, base, ANALYST, READERS.len()).await;
    Arc::new(Node {
        client,
        base: base.to_owned(),
        readers,
        analyst,
        acknowledged: Mutex::new(Vec::new()),
        tracker_from_citizen,
    })
}

async fn mix(base: &str, dir: &Dir) {
    let requests = env_usize("LOAD_REQUESTS", 10_000);
    let seconds = env_usize("LOAD_SECONDS", 60);
    let concurrency = env_usize("LOAD_CONCURRENCY", 32);
    let limit = Duration::from_secs(seconds as u64);
    let node = node(base, concurrency, true).await;
    let before = views(&node.client, base).await;
    let date = Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .format("%Y-%m-%d")
        .to_string();
    let baseline = Baseline {
        date,
        views: before
            .iter()
            .map(|(name, (_, cases, _))| (name.clone(), *cases))
            .collect(),
    };
    std::fs::write(
        dir.0.join("baseline.json"),
        serde_json::to_string_pretty(&baseline).expect("json"),
    )
    .expect("baseline.json");
    let mix: Vec<String> = MIX
        .iter()
        .map(|(e, share)| format!("{share}% {}", e.label()))
        .collect();
    println!(
        "mix: {}; {concurrency} concurrent clients; each round at most {requests} requests and {seconds} s; seed {SEED}",
        mix.join(", ")
    );
    println!("views before: {:?}", baseline.views);
    let (samples, elapsed) = round(
        &node,
        plan(requests / 10, SEED ^ 1, "w", 0),
        concurrency,
        limit,
    )
    .await;
    println!("warm-up: {} requests in {elapsed:.1} s", samples.len());
    let mut rounds = Vec::new();
    for r in 0..ROUNDS {
        let plan = plan(
            requests,
            SEED + r as u64,
            &format!("m{r}"),
            1_000_000 * (r as u64 + 1),
        );
        let (samples, elapsed) = round(&node, plan, concurrency, limit).await;
        let f = figures(&samples, elapsed);
        println!(
            "round {}: {} requests in {elapsed:.1} s, {:.0} answered/s",
            r + 1,
            samples.len(),
            samples.len() as f64 / elapsed
        );
        print_figures(&f);
        rounds.push((f, samples.len() as f64 / elapsed));
    }
    let mut medians = BTreeMap::new();
    for (endpoint, _) in MIX {
        let pick = |get: fn(&Figures) -> f64| {
            median(rounds.iter().map(|(f, _)| get(&f[&endpoint])).collect())
        };
        let mut errors = BTreeMap::new();
        let (mut requests, mut ok) = (0, 0);
        for (f, _) in &rounds {
            let f = &f[&endpoint];
            requests += f.requests;
            ok += f.ok;
            for (status, n) in &f.errors {
                *errors.entry(*status).or_insert(0) += n;
            }
        }
        medians.insert(
            endpoint,
            Figures {
                requests,
                ok,
                errors,
                rate: pick(|f| f.rate),
                p50: pick(|f| f.p50),
                p99: pick(|f| f.p99),
            },
        );
    }
    let total = median(rounds.iter().map(|(_, rate)| *rate).collect());
    println!(
        "median of {ROUNDS} rounds ({total:.0} requests/s in all; requests, ok and errors summed over the rounds):"
    );
    print_figures(&medians);
    dir.append(&node.acknowledged.lock().expect("ledger"));
}

async fn overload(base: &str, dir: &Dir) {
    let requests = env_usize("LOAD_OVERLOAD_REQUESTS", 30_000);
    let seconds = env_usize("LOAD_OVERLOAD_SECONDS", 15);
    let concurrency = env_usize("LOAD_OVERLOAD_CONCURRENCY", 512);
    // Tracking from the loopback address itself: one client, far over the public limit.
    let node = node(base, concurrency, false).await;
    node.acknowledged
        .lock()
        .expect("ledger")
        .extend(dir.acknowledged());
    let earlier = node.acknowledged.lock().expect("ledger").len();
    println!(
        "overload: the mix from {concurrency} concurrent clients, at most {requests} requests and {seconds} s; \
         intake from a new address each, tracking all from one client"
    );
    let plan = plan(requests, SEED ^ 0x0f, "o", 8_000_000);
    let (samples, elapsed) = round(
        &node,
        plan,
        concurrency,
        Duration::from_secs(seconds as u64),
    )
    .await;
    let burst_end = Instant::now();
    let f = figures(&samples, elapsed);
    println!("{} requests in {elapsed:.1} s", samples.len());
    print_figures(&f);
    let count = |pred: &dyn Fn(&Sample) -> bool| samples.iter().filter(|s| pred(s)).count();
    let shed = count(&|s| s.status == 503);
    let limited = count(&|s| s.status == 429);
    let ok = count(&|s| s.status == s.endpoint.success());
    let unanswered = count(&|s| s.status == 0);
    let other = samples.len() - shed - limited - ok - unanswered;
    let without_retry_after = count(&|s| (s.status == 503 || s.status == 429) && !s.retry_after);
    let share = |n: usize| 100.0 * n as f64 / samples.len().max(1) as f64;
    let mut shed_latency: Vec<Duration> = samples
        .iter()
        .filter(|s| s.status == 503)
        .map(|s| s.latency)
        .collect();
    shed_latency.sort();
    println!(
        "answers: {ok} ok ({:.1} %), {shed} × 503 ({:.1} %), {limited} × 429 ({:.1} %), {other} other, {unanswered} unanswered",
        share(ok),
        share(shed),
        share(limited)
    );
    println!(
        "503 answered in p50 {:.2} ms, p99 {:.2} ms; 503/429 without Retry-After: {without_retry_after}",
        percentile(&shed_latency, 50.0),
        percentile(&shed_latency, 99.0)
    );
    // Recovery: a staff queue read and a new citizen's intake both answer normally.
    let probe = plan_probe();
    let mut attempts = 0;
    let recovered = loop {
        attempts += 1;
        let (read, _) = node
            .send(&Request::Queue {
                reader: 0,
                stage: "registered",
            })
            .await;
        let (intake, _) = node.send(&probe[attempts - 1]).await;
        if read == 200 && intake == 201 {
            break Some(burst_end.elapsed());
        }
        if burst_end.elapsed() > Duration::from_secs(30) || attempts == probe.len() {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    match recovered {
        Some(after) => println!(
            "recovered: a queue read and a new intake answered normally {:.0} ms after the burst ({attempts} probe(s))",
            after.as_secs_f64() * 1e3
        ),
        None => println!("NOT recovered 30 s after the burst"),
    }
    let acknowledged = node.acknowledged.lock().expect("ledger");
    println!(
        "acknowledged intakes in this phase: {}",
        acknowledged.len() - earlier
    );
    dir.append(&acknowledged[earlier..]);
    let failed = without_retry_after > 0 || recovered.is_none() || other > 0 || unanswered > 0;
    assert!(!failed, "overload: see above");
}

/// Intakes that probe recovery, from citizens of their own.
fn plan_probe() -> Vec<Request> {
    plan(2_000, SEED ^ 0xff, "p", 9_000_000)
        .into_iter()
        .filter(|r| matches!(r, Request::Intake { .. }))
        .collect()
}

async fn verify(base: &str, dir: &Dir) -> bool {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let token = sign_in(&client, base, "national", 0).await;
    let baseline: Baseline = serde_json::from_str(
        &std::fs::read_to_string(dir.0.join("baseline.json")).expect("baseline.json"),
    )
    .expect("baseline.json");
    let acknowledged = dir.acknowledged();
    // Every case received since the load began, read back page by page as national staff.
    let mut stored: Vec<(i64, String, String)> = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let mut url = format!(
            "{base}/api/v1/cases?received_from={}&limit=500",
            baseline.date
        );
        if let Some(id) = before {
            url.push_str(&format!("&before={id}"));
        }
        let page: Value = client
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("read back")
            .json()
            .await
            .expect("page");
        for case in page["items"].as_array().expect("items") {
            let description = case["description"].as_str().unwrap_or_default();
            if description.starts_with(MARK) {
                stored.push((
                    case["id"].as_i64().expect("id"),
                    case["tracking_no"].as_str().unwrap_or_default().to_owned(),
                    description.to_owned(),
                ));
            }
        }
        match page["next_before"].as_i64() {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    let by_id: HashMap<i64, &(i64, String, String)> = stored.iter().map(|c| (c.0, c)).collect();
    let mut descriptions: HashMap<&str, usize> = HashMap::new();
    for (_, _, description) in &stored {
        *descriptions.entry(description.as_str()).or_insert(0) += 1;
    }
    let duplicated = descriptions.values().filter(|n| **n > 1).count();
    let (mut missing, mut changed) = (0, 0);
    for a in &acknowledged {
        match by_id.get(&a.id) {
            None => missing += 1,
            Some((_, tracking_no, description)) => {
                if *tracking_no != a.tracking_no || *description != a.description {
                    changed += 1;
                }
            }
        }
    }
    let acknowledged_ids: std::collections::HashSet<i64> =
        acknowledged.iter().map(|a| a.id).collect();
    let unacknowledged = stored
        .iter()
        .filter(|c| !acknowledged_ids.contains(&c.0))
        .count();
    println!(
        "integrity: {} acknowledged intakes; {} of the bench's cases stored; missing {missing}, changed {changed}, \
         stored twice {duplicated}, stored without acknowledgement {unacknowledged}",
        acknowledged.len(),
        stored.len()
    );
    let now = views(&client, base).await;
    let mut views_ok = true;
    for (name, (ready, cases, lag)) in &now {
        let was = baseline.views.get(name).copied().unwrap_or(0);
        let expected = was + stored.len() as u64;
        // The same-source index holds only the cases of its window.
        let holds_all = *cases == expected || name == "same-source index";
        println!(
            "  view {name}: ready {ready}, lag {lag} events, {cases} cases ({was} before + {} new)",
            cases.saturating_sub(was)
        );
        views_ok &= *ready && *lag == 0 && holds_all;
    }
    let ok = missing == 0 && changed == 0 && duplicated == 0 && unacknowledged == 0 && views_ok;
    println!("integrity {}", if ok { "holds" } else { "BROKEN" });
    ok
}

fn main() {
    let Some(base) = loopback_url() else {
        println!("load: needs a running node (LOAD_URL); run bench/load.sh");
        return;
    };
    let phase = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_default();
    let dir = Dir(PathBuf::from(
        std::env::var("LOAD_DIR").expect("LOAD_DIR: where the phases keep their ledger"),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match phase.as_str() {
            "mix" => mix(&base, &dir).await,
            "overload" => overload(&base, &dir).await,
            "verify" => {
                if !verify(&base, &dir).await {
                    std::process::exit(1);
                }
            }
            other => panic!("phase: mix, overload or verify, got {other:?}"),
        }
    });
}
