//! What the tests of the `greenline` command share: running the binary on a database, adding a
//! staff member, and starting `greenline serve` on a free port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

/// The password of the staff members the tests add.
pub const PASSWORD: &str = "A long enough passw0rd";

/// The `greenline` binary on `db`, logging only warnings.
pub fn greenline(db: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_greenline"));
    command
        .args(["--database", db])
        .env_remove("GREENLINE_DATABASE")
        .env("GREENLINE_LOG", "warn");
    command
}

/// `greenline user add` of `username` at national level with `roles` (comma-separated) and
/// [`PASSWORD`].
pub fn add_staff(db: &str, username: &str, roles: &str) {
    let mut add = greenline(db)
        .args(["user", "add", "--username", username])
        .args(["--unit", "生态环境部", "--region", "000000"])
        .args(["--role", roles, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    assert!(add.wait().expect("user add ran").success());
}

/// `greenline serve` on a free port of loopback; the process and its base URL.
pub fn start_server(db: &str) -> (Child, String) {
    let mut child = greenline(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start greenline serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .expect("line");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{address}"))
}

/// A new, empty database on the PostgreSQL server `GREENLINE_TEST_POSTGRES_URL` names, called
/// `prefix` and a unique tail; its URL.
pub async fn fresh_postgres_database(prefix: &str) -> String {
    use sqlx::Connection;
    let server = std::env::var("GREENLINE_TEST_POSTGRES_URL")
        .expect("GREENLINE_TEST_POSTGRES_URL must name a PostgreSQL server (.ci/run starts one)");
    sqlx::any::install_default_drivers();
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let mut conn = sqlx::AnyConnection::connect(&server)
        .await
        .expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    conn.close().await.expect("close");
    let (base, _) = server.rsplit_once('/').expect("URL with a database");
    format!("{base}/{name}")
}
