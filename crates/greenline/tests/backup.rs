//! `greenline backup` while the server takes intake, and `greenline restore` of that copy:
//! every case acknowledged before the backup began is in the restored database, which passes
//! SQLite's integrity check, opens, serves, and holds a prefix of the live event log (a copy of
//! one moment, not pages of several); and restore refuses what it must.

use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, Row};

mod common;

use common::{PASSWORD, add_staff, greenline, start_server};

/// Simulated cases in the database before the server starts, so that the copy takes a while.
const PRELOADED: &str = "5000";

fn run(db: &str, args: &[&str]) -> Output {
    greenline(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run greenline")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn connect(file: &Path) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("connect")
}

async fn number(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get::<i64, _>(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_intake_restores_every_case_acknowledged_before_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let live = dir.path().join("live.db");
    let db = format!("sqlite://{}", live.display());
    add_staff(&db, "duty", "operator,handler,supervisor");
    let simulated = run(&db, &["simulate", "--cases", PRELOADED, "--to-database"]);
    assert!(simulated.status.success(), "{}", text(&simulated));

    let (mut server, base) = start_server(&db);
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "duty", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    let token = login["token"].as_str().expect("token").to_owned();

    // Intake from four clients until told to stop.
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client in 0..4 {
        let (http, base, token, acknowledged, stop) = (
            http.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let description = format!("备份期间第{client}路第{n}件：工地夜间施工噪声扰民");
                let reply = http
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "channel": "phone", "primary_type": "noise", "region": "320583",
                        "description": description, "anonymous": true
                    }))
                    .send()
                    .await
                    .expect("intake");
                assert_eq!(reply.status(), StatusCode::CREATED);
                let body: Value = reply.json().await.expect("intake body");
                let id = body["id"].as_i64().expect("id");
                acknowledged.lock().expect("lock").push((id, description));
                n += 1;
            }
        }));
    }
    while acknowledged.lock().expect("lock").len() < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The backup, intake going on all the while.
    let before = acknowledged.lock().expect("lock").clone();
    let copy = dir.path().join("copy.db");
    let started = Instant::now();
    let backup = {
        let (db, copy) = (db.clone(), copy.clone());
        tokio::task::spawn_blocking(move || {
            run(&db, &["backup", "--out", &copy.display().to_string()])
        })
        .await
        .expect("backup")
    };
    let took = started.elapsed();
    let during = acknowledged.lock().expect("lock").len() - before.len();
    assert!(backup.status.success(), "{}", text(&backup));
    // Some more intake after the copy, then the clients stop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client");
    }
    assert!(during > 0, "intake stood still during the backup");

    // The live database cannot be replaced while the server has it open, even with --force.
    let refused = run(
        &db,
        &["restore", "--force", "--from", &copy.display().to_string()],
    );
    assert!(!refused.status.success());
    assert!(text(&refused).contains("in use"), "{}", text(&refused));
    server.kill().expect("stop the server");
    server.wait().expect("reaped");

    // Restore into a new file.
    let restored = dir.path().join("restored.db");
    let restored_db = format!("sqlite://{}", restored.display());
    let restore = run(
        &restored_db,
        &["restore", "--from", &copy.display().to_string()],
    );
    assert!(restore.status.success(), "{}", text(&restore));

    let mut copy_conn = connect(&restored).await;
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut copy_conn)
        .await
        .expect("integrity check")
        .get(0);
    assert_eq!(integrity, "ok");
    let cases_copied = number(&mut copy_conn, "SELECT COUNT(*) FROM cases").await;
    // Every case acknowledged before the backup began, as acknowledged.
    for (id, description) in &before {
        let row = sqlx::query("SELECT description FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut copy_conn)
            .await
            .expect("read a case");
        let stored: Option<String> = row.map(|r| r.get(0));
        assert_eq!(stored.as_deref(), Some(description.as_str()), "case {id}");
    }
    // Every case's history is complete: one registration, first; no event without its case.
    let unregistered = number(
        &mut copy_conn,
        "SELECT COUNT(*) FROM cases c WHERE \
         (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'register') <> 1 \
         OR (SELECT e.action FROM case_events e WHERE e.case_id = c.id ORDER BY e.id LIMIT 1) <> 'register'",
    )
    .await;
    assert_eq!(unregistered, 0, "cases without their registration first");
    let orphans = number(
        &mut copy_conn,
        "SELECT COUNT(*) FROM case_events e WHERE NOT EXISTS \
         (SELECT 1 FROM cases c WHERE c.id = e.case_id)",
    )
    .await;
    assert_eq!(orphans, 0, "events of cases not in the copy");
    // One moment's copy: exactly the live log's events up to the copy's last one, and the
    // cases they belong to.
    let last_event = number(&mut copy_conn, "SELECT MAX(id) FROM case_events").await;
    let events_copied = number(&mut copy_conn, "SELECT COUNT(*) FROM case_events").await;
    copy_conn.close().await.expect("close");
    let mut live_conn = connect(&live).await;
    let live_events = number(
        &mut live_conn,
        &format!("SELECT COUNT(*) FROM case_events WHERE id <= {last_event}"),
    )
    .await;
    let live_cases = number(
        &mut live_conn,
        &format!(
            "SELECT COUNT(DISTINCT case_id) FROM case_events WHERE id <= {last_event} \
             AND action = 'register'"
        ),
    )
    .await;
    let live_total = number(&mut live_conn, "SELECT COUNT(*) FROM cases").await;
    live_conn.close().await.expect("close");
    assert_eq!(
        events_copied, live_events,
        "the copy is a prefix of the log"
    );
    assert_eq!(cases_copied, live_cases);

    // The restored database serves, its views agreeing with it.
    let (mut copy_server, copy_base) = start_server(&restored_db);
    let health: Value = http
        .get(format!("{copy_base}/api/v1/health?wait=true"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health body");
    for view in ["statistics", "search index"] {
        let held = health["views"]
            .as_array()
            .and_then(|views| views.iter().find(|v| v["name"] == view))
            .and_then(|v| v["cases"].as_i64());
        assert_eq!(held, Some(cases_copied), "{view}: {health}");
    }
    copy_server.kill().expect("stop");
    copy_server.wait().expect("reaped");

    println!(
        "backup under intake: {} cases acknowledged before it began ({} preloaded), {} during \
         its {:.2} s; the copy holds {cases_copied} cases and {events_copied} events, the live \
         database {live_total} cases at the end",
        before.len(),
        PRELOADED,
        during,
        took.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_a_file_that_is_not_a_greenline_database_and_keeps_the_replaced_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).display().to_string();
    let db = format!("sqlite://{}", path("live.db"));
    add_staff(&db, "duty", "operator");

    // Not a database, and a database of something else.
    std::fs::write(path("notes.txt"), "not a database").expect("write");
    let refused = run(&db, &["restore", "--force", "--from", &path("notes.txt")]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not a Greenline database"),
        "{}",
        text(&refused)
    );
    let other = format!("sqlite://{}?mode=rwc", path("other.db"));
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&other).await.expect("other");
    sqlx::query("CREATE TABLE cases (id INTEGER)")
        .execute(&mut conn)
        .await
        .expect("create");
    conn.close().await.expect("close");
    let refused = run(&db, &["restore", "--force", "--from", &path("other.db")]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not a Greenline database"),
        "{}",
        text(&refused)
    );

    // A good copy replaces an existing database only with --force, keeping it aside.
    let backup = run(&db, &["backup", "--out", &path("copy.db")]);
    assert!(backup.status.success(), "{}", text(&backup));
    let again = run(&db, &["backup", "--out", &path("copy.db")]);
    assert!(!again.status.success(), "a backup overwrote a file");
    let refused = run(&db, &["restore", "--from", &path("copy.db")]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force"), "{}", text(&refused));
    // The views' snapshots beside the replaced database describe its cases, not the copy's.
    for suffix in ["stats", "sources"] {
        std::fs::write(path(&format!("live.db.{suffix}")), "the old one's").expect("write");
    }
    let restored = run(&db, &["restore", "--force", "--from", &path("copy.db")]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(text(&restored).contains("kept as"), "{}", text(&restored));
    for suffix in ["stats", "sources"] {
        assert!(
            !dir.path().join(format!("live.db.{suffix}")).exists(),
            "the {suffix} snapshot was left beside the restored database"
        );
        let aside = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.contains("before-restore") && name.ends_with(&format!(".{suffix}"))
            })
            .count();
        assert_eq!(aside, 1, "the {suffix} snapshot was not kept aside");
    }
    let kept = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .count();
    assert!(kept >= 1, "the replaced database was not kept");

    // PostgreSQL is backed up with its own tools.
    let postgres = run(
        "postgres://someone:secret@127.0.0.1:1/greenline",
        &["backup", "--out", &path("pg.db")],
    );
    assert!(!postgres.status.success());
    let message = text(&postgres);
    assert!(
        message.contains("pg_dump") && message.contains("docs/operations.md"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
}
