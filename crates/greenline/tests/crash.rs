//! An acknowledged case survives the server being killed: the real `greenline` binary takes
//! intake under load, is killed with SIGKILL mid-stream, and every case it acknowledged is in the
//! database afterwards, exactly as acknowledged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use greenline_store::Store;
use serde_json::{Value, json};

mod common;

use common::{PASSWORD, add_staff, start_server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_case_survives_a_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());

    add_staff(&db, "op", "operator");

    let (mut server, base) = start_server(&db);
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "op", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    let token = login["token"].as_str().expect("token").to_owned();

    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let mut clients = Vec::new();
    for client in 0..8 {
        let (http, base, token, acknowledged) = (
            http.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let description = format!("客户{client}第{n}件：河道有黑臭污水排放");
                let sent = http
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "channel": "phone", "primary_type": "water", "region": "320583",
                        "description": description, "anonymous": true
                    }))
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                if response.status() != reqwest::StatusCode::CREATED {
                    break;
                }
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                let id = body["id"].as_i64().expect("id");
                acknowledged.lock().expect("lock").push((id, description));
            }
        }));
    }
    // Let intake run, then kill the server without warning while requests are in flight.
    while acknowledged.lock().expect("lock").len() < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    for client in clients {
        client.await.expect("client task");
    }

    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 200);
    let store = Store::open(&db).await.expect("reopen after the crash");
    for (id, description) in &acknowledged {
        let case = store
            .case(*id)
            .await
            .unwrap_or_else(|e| panic!("case {id} lost: {e}"));
        assert_eq!(&case.description, description);
        let events = store.events(*id).await.expect("events");
        assert_eq!(events.len(), 1, "case {id} has its registration event");
    }
    store.close().await;
}
