//! The running binary as an operator sees it: its JSON log lines, and a graceful stop on
//! SIGTERM that lets requests in flight finish, within a bounded wait.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

use common::{add_staff, greenline};

/// Lines a child process wrote, collected as they come.
type Lines = Arc<Mutex<Vec<String>>>;

fn collect(stream: impl Read + Send + 'static) -> Lines {
    let lines: Lines = Arc::default();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            sink.lock().expect("lock").push(line);
        }
    });
    lines
}

/// `greenline serve` with `env` on a free port; the process, its address, its standard output
/// and its standard error.
fn serve(db: &str, args: &[&str], env: &[(&str, &str)]) -> (Child, String, Lines, Lines) {
    let mut command = greenline(db);
    command
        .args(args)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("start greenline serve");
    let stdout = collect(child.stdout.take().expect("stdout"));
    let stderr = collect(child.stderr.take().expect("stderr"));
    let started = Instant::now();
    let address = loop {
        let found = stdout.lock().expect("lock").iter().find_map(|line| {
            line.split("serving on http://")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_owned)
        });
        if let Some(address) = found {
            break address;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server printed no address: {:?}",
            stderr.lock().expect("lock")
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    (child, address, stdout, stderr)
}

/// Waits until a line satisfying `found` has been written, or `within` has passed.
fn wait_for_line(lines: &Lines, within: Duration, found: impl Fn(&str) -> bool) -> Option<String> {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Some(line) = lines.lock().expect("lock").iter().find(|l| found(l)) {
            return Some(line.clone());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn sigterm(child: &Child) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

/// Writes a request's head to `address`, and the first `sent` bytes of `body`.
fn start_request(address: &str, path: &str, body: &[u8], sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(&body[..sent]).expect("first part");
    stream.flush().expect("flush");
    stream
}

fn report() -> Vec<u8> {
    json!({
        "channel": "web", "primary_type": "noise", "region": "440305",
        "address": "科技园南区高新南七道工地",
        "description": "停机前提交：工地每天夜里十一点后还在打桩，严重影响休息。",
        "reporter_name": "陈小姐", "reporter_phone": "13812345678"
    })
    .to_string()
    .into_bytes()
}

#[test]
fn json_logs_carry_the_request_id_and_route_but_never_the_query() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("logs.db").display());
    let (mut server, address, _, stderr) = serve(
        &db,
        &["--log-format", "json"],
        &[("GREENLINE_LOG", "info,sqlx=warn")],
    );
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET /api/v1/track/GL20261127-0000001?phone=13800000000 HTTP/1.1\r\nHost: {address}\r\n\
         X-Request-Id: probe-4711\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-request-id: probe-4711"),
        "{answer}"
    );

    let line = wait_for_line(&stderr, Duration::from_secs(10), |l| {
        l.contains("probe-4711")
    })
    .unwrap_or_else(|| panic!("no log line of the request: {:?}", stderr.lock()));
    sigterm(&server);
    server.wait().expect("stopped");

    let event: Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(event["span"]["request_id"], "probe-4711", "{line}");
    assert_eq!(event["span"]["method"], "GET", "{line}");
    assert_eq!(
        event["span"]["route"], "/api/v1/track/{tracking_no}",
        "{line}"
    );
    assert!(event["status"].as_u64().is_some(), "{line}");
    assert!(event["latency_ms"].as_f64().is_some(), "{line}");
    let logged = stderr.lock().expect("lock").join("\n");
    for line in logged.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    assert!(!logged.contains("13800000000"), "{logged}");
    assert!(!logged.contains("phone="), "{logged}");
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_and_stops_within_the_grace_period() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("stop.db").display());
    // An office to receive the report (a national one, with its first account).
    add_staff(&db, "op", "operator");
    let (mut server, address, stdout, _) =
        serve(&db, &[], &[("GREENLINE_WEB__SHUTDOWN_GRACE_SECONDS", "3")]);
    let body = report();
    // One client is halfway through its report; another stalls and never finishes.
    let mut finishing = start_request(&address, "/api/v1/cases", &body, body.len() / 2);
    let _stalled = start_request(&address, "/api/v1/cases", &body, 10);
    std::thread::sleep(Duration::from_millis(300));

    sigterm(&server);
    let stopping = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(&address).is_err(),
        "new connections are refused once stopping"
    );

    finishing
        .write_all(&body[body.len() / 2..])
        .expect("rest of the body");
    let mut answer = String::new();
    finishing.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let json_start = answer.find("\r\n\r\n").expect("head end") + 4;
    let created: Value = serde_json::from_str(&answer[json_start..]).expect("receipt");
    let id = created["id"].as_i64().expect("id");

    let status = loop {
        if let Some(status) = server.try_wait().expect("status") {
            break status;
        }
        if stopping.elapsed() > Duration::from_secs(15) {
            let _ = server.kill();
            panic!("the server did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = stopping.elapsed();
    assert!(status.success(), "{status}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(15),
        "waited {took:?} for the stalled request, at most the grace period and the shutdown"
    );
    assert!(
        wait_for_line(&stdout, Duration::from_secs(2), |l| l
            .contains("Greenline stopped"))
        .is_some()
    );

    // The acknowledged case is in the database.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = greenline_store::Store::open(&db).await.expect("reopen");
        let case = store.case(id).await.expect("the case was committed");
        assert!(case.description.starts_with("停机前提交"));
        store.close().await;
    });
}
