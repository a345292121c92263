//! The whole web application in process, over a scratch SQLite store: the national unit and one
//! in Shenzhen, one member of staff signed in, a few cases to act on. Requests go through the
//! router as a browser's would (with the CSRF cookie and field and the session cookie), so a
//! form post reaches the same extractors, domain checks, store and error pages as in production.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Utc};
use greenline_app::accounts::hash_password;
use greenline_app::cases::intake::Submitter;
use greenline_app::{App, ManualClock, Settings};
use greenline_domain::{DeadlineTable, IntakeForm, RegionCode, Role};
use greenline_store::{NewStaff, Store};
use tower::ServiceExt;

/// The CSRF token the harness's "browser" holds (64 hex digits, as the server makes them).
const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A running application and what a signed-in browser sends with every post.
#[derive(Debug)]
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    cookies: String,
    /// The cases registered at start, to act on.
    pub cases: Vec<i64>,
    _dir: std::path::PathBuf,
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

impl Harness {
    pub fn start() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        // Memory-backed where there is one: the store is written on most posts.
        let base = ["/dev/shm"]
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("greenline-fuzz-web-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let url = format!("sqlite://{}", dir.join("greenline.db").display());
        let (router, cookies, cases) = runtime.block_on(async {
            let store = Store::open(&url).await.expect("a scratch store");
            // A national office receives what no nearer one covers, as in a real deployment.
            store
                .create_unit("生态环境部", RegionCode::NATIONAL, now())
                .await
                .expect("the national unit");
            let region = RegionCode::parse("440300").expect("Shenzhen");
            let unit = store
                .create_unit("深圳市生态环境局", region, now())
                .await
                .expect("a unit")
                .id;
            let password = "Fuzzing-harness-9";
            store
                .create_staff(
                    &NewStaff {
                        username: "fuzz".into(),
                        display_name: "fuzz".into(),
                        password_hash: hash_password(password).expect("a hash"),
                        unit_id: unit,
                        roles: vec![Role::Operator, Role::Handler, Role::Supervisor],
                    },
                    now(),
                )
                .await
                .expect("a member of staff");
            let app = App::new(
                store,
                Arc::new(ManualClock::new(now())),
                DeadlineTable::statutory(),
                Settings {
                    public_requests_per_minute: 1_000_000,
                    sign_in_attempts_per_minute: 1_000_000,
                    ..Settings::default()
                },
            );
            let client = IpAddr::V4(Ipv4Addr::LOCALHOST);
            let mut cases = Vec::new();
            for (primary_type, description) in [
                ("noise", "夜间施工噪声扰民，凌晨两点仍在打桩"),
                ("air", "工厂烟囱冒黑烟，气味刺鼻"),
                ("water", "河道有企业偷排污水，水面发黑"),
            ] {
                let form = IntakeForm {
                    channel: "web".into(),
                    primary_type: primary_type.into(),
                    region: "440305".into(),
                    address: "科技园南区".into(),
                    description: description.into(),
                    reporter_name: Some("王先生".into()),
                    reporter_phone: Some("13900000000".into()),
                    ..IntakeForm::default()
                };
                let registered = app
                    .register(Submitter::Public(client), form, None)
                    .await
                    .expect("a case");
                cases.push(registered.receipt.id);
            }
            let session = app
                .sign_in(client, "fuzz", password.to_owned())
                .await
                .expect("signed in");
            let cookies = format!(
                "{}={CSRF}; {}={}",
                greenline_web::pages::csrf::CSRF_COOKIE,
                greenline_web::auth::SESSION_COOKIE,
                session.token
            );
            (greenline_web::app(app), cookies, cases)
        });
        Harness {
            runtime,
            router,
            cookies,
            cases,
            _dir: dir,
        }
    }

    /// Posts a form to `path` as the signed-in browser: the CSRF field first, then `fields`
    /// (URL-encoded, as a browser sends them, or whatever the fuzzer made of them).
    pub fn post_form(&self, path: &str, fields: &[u8]) -> StatusCode {
        let mut body = format!("csrf_token={CSRF}&").into_bytes();
        body.extend_from_slice(fields);
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &self.cookies)
            .body(Body::from(body))
            .expect("a request");
        self.runtime.block_on(async {
            self.router
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|never| match never {})
                .status()
        })
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}
