//! `spawn_app`: a server on port 0 over a fresh store, with seeded units and staff, a clock the
//! test can move, and typed request helpers.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use greenline_app::accounts::hash_password;
use greenline_app::{App, ManualClock, Settings};
use greenline_domain::{DeadlineTable, RegionCode, Role};
use greenline_store::{NewStaff, Store};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub store: Store,
    /// The server's application core, to await its views ([`TestApp::caught_up`]).
    pub core: App,
    /// The store's URL, for checks in plain SQL.
    pub database: String,
    /// Unit ids by short name: nation, guangdong, shenzhen, nanshan, futian.
    pub units: std::collections::HashMap<&'static str, i64>,
    _dir: Option<tempfile::TempDir>,
}

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

async fn fresh_store(backend: Backend) -> (Store, String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("greenline.db").display());
            (
                Store::open(&url).await.expect("open SQLite"),
                url,
                Some(dir),
            )
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let admin = std::env::var("GREENLINE_TEST_POSTGRES_URL").expect(
                "GREENLINE_TEST_POSTGRES_URL must name a PostgreSQL server (.ci/run starts one)",
            );
            sqlx::any::install_default_drivers();
            let name = format!(
                "greenline_api_{}_{}",
                std::process::id(),
                Utc::now().timestamp_nanos_opt().unwrap_or_default()
            );
            let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            conn.close().await.expect("close");
            let (base, _) = admin.rsplit_once('/').expect("URL with a database");
            let url = format!("{base}/{name}");
            let store = Store::open(&url).await.expect("open PostgreSQL");
            (store, url, None)
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed by `configure` (after the tests' own: a high public
/// limit).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_full(backend, configure, None, start_time()).await
}

/// The senders a [`spawn_app_noticed`] server's notices and codes go to.
pub struct Outbox {
    pub sms: Arc<greenline_app::notices::RecordingSms>,
    pub mail: Arc<greenline_app::notices::RecordingMailer>,
}

impl Outbox {
    /// The SMS sent so far, as (to, text).
    pub fn sms(&self) -> Vec<(String, String)> {
        self.sms
            .0
            .sent()
            .into_iter()
            .map(|s| (s.to, s.text))
            .collect()
    }
}

/// The portal address notices link to in tests.
pub const PORTAL: &str = "https://12369.example.gov.cn";

/// [`spawn_app`] whose notices and one-time codes go to recording senders (SMS and e-mail).
pub async fn spawn_app_noticed(backend: Backend) -> (TestApp, Outbox) {
    let outbox = Outbox {
        sms: Arc::default(),
        mail: Arc::default(),
    };
    let notices = greenline_app::notices::Notices {
        settings: greenline_app::notices::NoticeSettings {
            portal_url: format!("{PORTAL}/"),
            // The tests deliver when they choose to (TestApp::deliver_notices).
            poll_seconds: 3600,
            ..Default::default()
        },
        sms: Some(outbox.sms.clone()),
        mail: Some(outbox.mail.clone()),
    };
    (
        spawn_app_full(backend, |_| {}, Some(notices), start_time()).await,
        outbox,
    )
}

/// [`spawn_app`] whose notices and one-time codes go through `notices`.
// The browser suite's story uses it; the API suite does not.
#[allow(dead_code)]
pub async fn spawn_app_notifying(
    backend: Backend,
    notices: greenline_app::notices::Notices,
) -> TestApp {
    spawn_app_full(backend, |_| {}, Some(notices), start_time()).await
}

/// [`spawn_app`] whose clock starts at `start` instead of [`start_time`]: for limits counted
/// over a year's holiday arrangements.
// The API suite's disclosure story uses it; the browser suite does not.
#[allow(dead_code)]
pub async fn spawn_app_at(backend: Backend, start: DateTime<Utc>) -> TestApp {
    spawn_app_full(backend, |_| {}, None, start).await
}

/// A local SMTP sink: aiosmtpd run by the interpreter `GREENLINE_TEST_SMTP_SINK` names (`.ci/run`
/// installs one), keeping each message in a maildir. Stopped when dropped.
pub struct SmtpSink {
    child: std::process::Child,
    python: String,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let python = std::env::var("GREENLINE_TEST_SMTP_SINK").expect(
            "GREENLINE_TEST_SMTP_SINK must name a Python interpreter with aiosmtpd (.ci/run installs one)",
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("maildir");
        let child = std::process::Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .spawn()
            .expect("start aiosmtpd");
        let sink = SmtpSink {
            child,
            python,
            port,
            dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return sink;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the SMTP sink did not start on port {port}");
    }

    /// Every message received, as Python's e-mail parser reads it: `To`, the decoded subject
    /// and the decoded body, one after the other.
    pub fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        entries
            .map(|e| e.expect("entry").path())
            .map(|file| {
                let read = std::process::Command::new(&self.python)
                    .args([
                        "-c",
                        "import email, email.header, sys\n\
                         m = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
                         print(m['To'])\n\
                         print(str(email.header.make_header(email.header.decode_header(m['Subject']))))\n\
                         print(m.get_payload(decode=True).decode(m.get_content_charset()))",
                    ])
                    .arg(&file)
                    .output()
                    .expect("python");
                assert!(read.status.success(), "{read:?}");
                String::from_utf8(read.stdout).expect("utf-8")
            })
            .collect()
    }
}

async fn spawn_app_full(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
    notices: Option<greenline_app::notices::Notices>,
    now: DateTime<Utc>,
) -> TestApp {
    let (store, database, dir) = fresh_store(backend).await;
    let mut units = std::collections::HashMap::new();
    for (short, name, region) in [
        ("nation", "生态环境部信访办", "000000"),
        ("guangdong", "广东省生态环境厅", "440000"),
        ("shenzhen", "深圳市生态环境局", "440300"),
        ("nanshan", "深圳市生态环境局南山管理局", "440305"),
        ("futian", "深圳市生态环境局福田管理局", "440304"),
    ] {
        let region = RegionCode::parse(region).expect("region");
        units.insert(
            short,
            store.create_unit(name, region, now).await.expect("unit").id,
        );
    }
    let hash = hash_password(PASSWORD).expect("hash");
    for (username, unit, roles) in [
        (
            "nation",
            "nation",
            vec![Role::Operator, Role::Handler, Role::Supervisor],
        ),
        (
            "guangdong",
            "guangdong",
            vec![Role::Handler, Role::Supervisor],
        ),
        (
            "shenzhen",
            "shenzhen",
            vec![Role::Handler, Role::Supervisor],
        ),
        ("shenzhen-handler", "shenzhen", vec![Role::Handler]),
        ("shenzhen-analyst", "shenzhen", vec![Role::Analyst]),
        ("nanshan", "nanshan", vec![Role::Operator, Role::Handler]),
        ("futian", "futian", vec![Role::Handler, Role::Supervisor]),
        ("shenzhen-admin", "shenzhen", vec![Role::Admin]),
        ("guangdong-auditor", "guangdong", vec![Role::Auditor]),
    ] {
        store
            .create_staff(
                &NewStaff {
                    username: username.into(),
                    display_name: format!("{username}-staff-name"),
                    password_hash: hash.clone(),
                    unit_id: units[unit],
                    roles,
                },
                now,
            )
            .await
            .expect("staff");
    }
    let clock = Arc::new(ManualClock::new(now));
    let mut settings = Settings {
        public_requests_per_minute: 1_000,
        sign_in_attempts_per_minute: 1_000,
        ..Settings::default()
    };
    configure(&mut settings);
    let core = App::new(
        store.clone(),
        clock.clone(),
        DeadlineTable::statutory(),
        settings,
    )
    .with_files(greenline_app::Files::in_memory())
    .with_notices(notices.unwrap_or_default());
    core.start();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address: SocketAddr = listener.local_addr().expect("address");
    tokio::spawn(greenline_web::serve(
        listener,
        core.clone(),
        std::future::pending(),
    ));
    TestApp {
        base: format!("http://{address}"),
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        clock,
        store,
        core,
        database,
        units,
        _dir: dir,
    }
}

/// A response read as status and JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub async fn read(response: Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

impl TestApp {
    /// Waits until the server's views (statistics, same-source, search) hold every change
    /// committed so far.
    pub async fn caught_up(&self) {
        tokio::time::timeout(std::time::Duration::from_secs(30), self.core.caught_up())
            .await
            .expect("the views caught up within 30 s")
            .expect("the feed could be read");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self, username: &str) -> String {
        let reply = read(
            self.http
                .post(self.url("/api/v1/auth/login"))
                .json(&json!({ "username": username, "password": PASSWORD }))
                .send()
                .await
                .expect("login request"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Reply {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> Reply {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.expect("request")).await
    }

    /// A citizen's web submission about a place in Nanshan.
    pub async fn public_report(&self) -> Reply {
        self.post(None, "/api/v1/cases", &web_report()).await
    }

    pub async fn act(&self, token: &str, case_id: i64, command: Value) -> Reply {
        self.post(
            Some(token),
            &format!("/api/v1/cases/{case_id}/transitions"),
            &command,
        )
        .await
    }

    pub async fn case_count(&self) -> usize {
        self.store
            .search(&greenline_store::CaseFilter {
                limit: 500,
                ..Default::default()
            })
            .await
            .expect("search")
            .len()
    }

    /// Sends the notices due now (as a node's sender does every few seconds); how many went.
    pub async fn deliver_notices(&self) -> usize {
        self.core.deliver_notices(100).await.expect("deliver")
    }

    pub fn advance(&self, days: i64) {
        self.clock.advance(Duration::days(days));
    }
}

pub fn web_report() -> Value {
    json!({
        "channel": "web",
        "primary_type": "noise",
        "other_types": ["air"],
        "sub_type": "construction",
        "region": "440305",
        "address": "科技园南区高新南七道工地",
        "description": "工地每天夜里十一点后还在打桩，粉尘也很大，严重影响休息。",
        "reporter_name": "陈小姐",
        "reporter_phone": "13812345678"
    })
}

pub fn phone_report() -> Value {
    let mut report = web_report();
    report["channel"] = json!("phone");
    report
}

/// The Beijing PM2.5 series shipped in `crates/greenline/data/air/` (2010–2014), as station
/// `beijing-us-embassy` of 北京市 (110100).
pub async fn load_beijing(store: &Store) {
    use greenline_store::{AirMessage, AirRow, NewAirStation};
    const SERIES: &[u8] =
        include_bytes!("../../../greenline/data/air/beijing_pm25_hourly_2010_2014.csv");
    let hours = greenline_aqi::beijing::read(SERIES).expect("series");
    let rows: Vec<AirRow> = hours
        .iter()
        .map(|h| AirRow {
            station: 0,
            hour_ms: h.hour * 3_600_000,
            values: h.values,
        })
        .collect();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let import = store.import_air(
        vec![NewAirStation {
            code: "beijing-us-embassy".into(),
            name: "北京美国大使馆".into(),
            region_code: "110100".into(),
        }],
        vec!["beijing-us-embassy".into()],
        rx,
    );
    let send = async move {
        // A failed import drops its receiver; its error is reported below.
        for chunk in rows.chunks(5000) {
            let _ = tx.send(AirMessage::Rows(chunk.to_vec())).await;
        }
        let _ = tx.send(AirMessage::Commit).await;
    };
    let (summary, ()) = tokio::join!(import, send);
    assert_eq!(summary.expect("import").inserted, 43_824);
}

/// A photo of `width`×`height` in a soft gradient of `tint`, as a JPEG with an EXIF segment
/// naming a phone (`SecretPhone X`) and holding a GPS IFD, inserted after SOI: what a phone
/// writes into a picture and must not reach the public.
pub fn jpeg_with_exif(width: u32, height: u32, tint: [u8; 3]) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let shade = |c: u8, t: u32| {
            u8::try_from((u32::from(c) * (width + height - t)) / (width + height)).unwrap_or(0)
        };
        image::Rgb([shade(tint[0], x), shade(tint[1], y), shade(tint[2], x / 2)])
    });
    let mut plain = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Jpeg,
        )
        .expect("jpeg");
    // TIFF, little-endian: IFD0 with the Model and the GPS IFD pointer; the GPS IFD with
    // LatitudeRef 'N'.
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let model = b"SecretPhone X\0";
    let model_at: u32 = 8 + 2 + 2 * 12 + 4;
    let gps_at = model_at + model.len() as u32;
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        [
            tag.to_le_bytes().to_vec(),
            kind.to_le_bytes().to_vec(),
            count.to_le_bytes().to_vec(),
            value.to_le_bytes().to_vec(),
        ]
        .concat()
    };
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0110, 2, model.len() as u32, model_at));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(model);
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(0u32.to_le_bytes());
    let mut exif = vec![0xFF, 0xE1];
    exif.extend(u16::try_from(8 + tiff.len()).expect("small").to_be_bytes());
    exif.extend(b"Exif\0\0");
    exif.extend(tiff);
    [&plain[..2], &exif, &plain[2..]].concat()
}
