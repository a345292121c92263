//! Several `greenline serve` processes on one PostgreSQL, as in production behind a reverse
//! proxy: a case written through one node reaches the others' statistics, search and
//! same-source candidates; sessions and retry keys work from any node; a node started late
//! catches up; killing a node loses nothing it acknowledged; and an import written in one long
//! transaction while intake goes on reaches every view of every node.
//!
//! Nodes are awaited through `GET /api/v1/health?wait=true` (the views' `caught_up`), never by
//! sleeping. The tests need PostgreSQL (`GREENLINE_TEST_POSTGRES_URL`; `.ci/run` starts one).

use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use greenline_store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod common;

use common::{PASSWORD, add_staff, fresh_postgres_database, greenline, start_server};

/// The tests run one at a time: a node's views are caught up once the oldest transaction
/// running on the server has ended, and one test's long import would hold back the other's.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A node: `greenline serve` on a free port; killed when dropped.
struct Node {
    child: Child,
    base: String,
}

impl Node {
    fn start(db: &str) -> Node {
        let (child, base) = start_server(db);
        Node { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits until the node's views hold every change committed before the call; its health.
    /// One `wait=true` waits at most 30 s; a debug build on a busy machine may need more to
    /// index a 20,000-case import, so it asks again, for at most four minutes in all.
    async fn caught_up(&self, http: &reqwest::Client) -> Value {
        let mut health = Value::Null;
        for _ in 0..8 {
            let reply = http
                .get(self.url("/api/v1/health?wait=true"))
                .send()
                .await
                .expect("health");
            let status = reply.status();
            health = reply.json().await.expect("health body");
            if health["caught_up"] == true {
                assert_eq!(status, StatusCode::OK, "{health}");
                let views = health["views"].as_array().expect("views");
                assert!(views.iter().all(|view| view["lag_events"] == 0), "{health}");
                return health;
            }
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
        }
        panic!("the views did not catch up: {health}");
    }

    /// Cases the node's view `name` holds.
    async fn held(&self, http: &reqwest::Client, name: &str) -> u64 {
        let health = self.caught_up(http).await;
        health["views"]
            .as_array()
            .expect("views")
            .iter()
            .find(|v| v["name"] == name)
            .and_then(|v| v["cases"].as_u64())
            .unwrap_or_else(|| panic!("no view {name}: {health}"))
    }

    async fn get(&self, http: &reqwest::Client, token: &str, path: &str) -> Value {
        let reply = http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = reply.status();
        let body: Value = reply.json().await.expect("JSON");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn register(
        &self,
        http: &reqwest::Client,
        token: &str,
        description: &str,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = http
            .post(self.url("/api/v1/cases"))
            .bearer_auth(token)
            .json(&json!({
                "channel": "phone", "primary_type": "air", "region": "440305",
                "description": description, "anonymous": true
            }));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let reply = request.send().await.expect("intake");
        let status = reply.status();
        (status, reply.json().await.expect("intake body"))
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn sign_in(http: &reqwest::Client, node: &Node) -> String {
    let login: Value = http
        .post(node.url("/api/v1/auth/login"))
        .json(&json!({"username": "duty", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    login["token"].as_str().expect("token").to_owned()
}

async fn cases_stored(db: &str) -> u64 {
    let store = Store::open(db).await.expect("store");
    let count = store
        .count_cases(&greenline_store::CaseFilter::default())
        .await
        .expect("count");
    store.close().await;
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/run with GREENLINE_TEST_POSTGRES_URL"]
async fn two_nodes_on_one_postgresql_share_every_case_and_lose_nothing() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let db = fresh_postgres_database("greenline_nodes").await;
    add_staff(&db, "duty", "operator,handler,supervisor");
    let (a, b) = (Node::start(&db), Node::start(&db));
    let http = client();
    a.caught_up(&http).await;
    b.caught_up(&http).await;

    // A session opened on one node works on the other.
    let token = sign_in(&http, &a).await;
    let me = b.get(&http, &token, "/api/v1/me").await;
    assert_eq!(me["username"], "duty", "{me}");

    // A case written through A is in B's statistics, search and same-source index within a
    // second.
    let (status, first) = a
        .register(
            &http,
            &token,
            "南山区科技园南路鑫达化工有限公司每天晚上排放刺鼻气味",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let written = Instant::now();
    b.caught_up(&http).await;
    let took = written.elapsed();
    println!(
        "node B caught up {:.0} ms after A acknowledged",
        took.as_secs_f64() * 1e3
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
    let stats = b.get(&http, &token, "/api/v1/stats").await;
    assert_eq!(stats["total"], 1, "{stats}");
    let found = b.get(&http, &token, "/api/v1/search?q=鑫达").await;
    assert_eq!(found["total"], 1, "{found}");
    let (status, again) = b
        .register(
            &http,
            &token,
            "鑫达化工晚上又在偷排废气，味道很冲，就在科技园南路那边",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let candidates = b
        .get(
            &http,
            &token,
            &format!("/api/v1/cases/{}/same-source", again["id"]),
        )
        .await;
    assert_eq!(
        candidates["candidates"][0]["case_id"], first["id"],
        "{candidates}"
    );

    // A retry of one submission through the other node creates nothing new.
    let body = "一个重试的举报：河道有黑臭污水";
    let (status, sent) = a.register(&http, &token, body, Some("retry-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, retried) = b.register(&http, &token, body, Some("retry-1")).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["id"], sent["id"]);

    // A node started late builds its views from the store.
    let c = Node::start(&db);
    assert_eq!(c.held(&http, "statistics").await, 3);
    assert_eq!(c.held(&http, "search index").await, 3);

    // Kill A without warning while cases arrive through it: every case it acknowledged is
    // stored and counted by the other nodes.
    let acknowledged: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut a = a;
    let mut clients = Vec::new();
    for client in 0..4 {
        let (http, url, token, acknowledged) = (
            http.clone(),
            a.url("/api/v1/cases"),
            token.clone(),
            acknowledged.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let sent = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({
                        "channel": "phone", "primary_type": "water", "region": "320583",
                        "description": format!("客户{client}第{n}件：河道有黑臭污水排放"),
                        "anonymous": true
                    }))
                    .send()
                    .await;
                let Ok(reply) = sent else { break };
                if reply.status() != StatusCode::CREATED {
                    break;
                }
                let Ok(body) = reply.json::<Value>().await else {
                    break;
                };
                acknowledged
                    .lock()
                    .expect("lock")
                    .push(body["id"].as_i64().expect("id"));
            }
        }));
    }
    while acknowledged.lock().expect("lock").len() < 50 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.child.kill().expect("SIGKILL");
    a.child.wait().expect("reaped");
    for client in clients {
        client.await.expect("client");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let store = Store::open(&db).await.expect("store");
    for id in &acknowledged {
        store
            .case(*id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged case {id} lost: {e}"));
    }
    store.close().await;
    let stored = cases_stored(&db).await;
    assert!(stored >= 3 + acknowledged.len() as u64);
    for node in [&b, &c] {
        assert_eq!(node.held(&http, "statistics").await, stored);
        assert_eq!(node.held(&http, "search index").await, stored);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/run with GREENLINE_TEST_POSTGRES_URL"]
async fn an_import_in_one_transaction_during_live_intake_reaches_every_view_of_every_node() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let db = fresh_postgres_database("greenline_nodes").await;
    add_staff(&db, "duty", "operator,handler,supervisor");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cases.jsonl");
    let simulated = greenline(&db)
        .args(["simulate", "--cases", "20000", "--seed", "12", "--out"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("simulate");
    assert!(simulated.success());

    let (a, b) = (Node::start(&db), Node::start(&db));
    let http = client();
    let token = sign_in(&http, &a).await;
    b.caught_up(&http).await;

    // Live intake through A, all the while the import runs as one transaction.
    let importing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let live = {
        let (http, url, token, importing) = (
            http.clone(),
            a.url("/api/v1/cases"),
            token.clone(),
            importing.clone(),
        );
        tokio::spawn(async move {
            let mut acknowledged = 0u64;
            while importing.load(std::sync::atomic::Ordering::Relaxed) || acknowledged < 150 {
                let reply = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({
                        "channel": "phone", "primary_type": "noise", "region": "440305",
                        "description": format!("第{acknowledged}件：工地夜间施工噪声扰民"),
                        "anonymous": true
                    }))
                    .send()
                    .await
                    .expect("intake");
                assert_eq!(reply.status(), StatusCode::CREATED);
                acknowledged += 1;
            }
            acknowledged
        })
    };
    let import = greenline(&db)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("import");
    importing.store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(import.success(), "the import failed");
    let acknowledged = live.await.expect("live intake");
    assert!(acknowledged >= 150);

    let stored = cases_stored(&db).await;
    assert_eq!(stored, 20_000 + acknowledged);
    for node in [&a, &b] {
        assert_eq!(node.held(&http, "statistics").await, stored);
        assert_eq!(node.held(&http, "search index").await, stored);
        let stats = node.get(&http, &token, "/api/v1/stats").await;
        assert_eq!(stats["total"], stored, "{stats}");
    }
}
