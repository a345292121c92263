//! The pages in a real headless Chromium, driven over WebDriver (fantoccini + chromedriver, both
//! from Debian's `chromium` and `chromium-driver` packages).
//!
//! Ignored by default, so `cargo test --workspace` needs no browser; `.ci/run` installs one and
//! runs them with `-- --ignored`. The browser is found through `GREENLINE_TEST_CHROMIUM` (its
//! path) or `chromium` on the `PATH`, the driver through `GREENLINE_TEST_CHROMEDRIVER` or
//! `chromedriver` on the `PATH`. Asked to run without them, the tests fail; they never skip.
//! With `GREENLINE_TEST_SCREENSHOTS` naming a folder, each test saves what the phone showed.

// The API suite's `spawn_app` starts the server here too; this binary uses part of it.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use helpers::{Backend, PASSWORD, TestApp, spawn_app};

/// One browser at a time: the machine has two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const WAIT: Duration = Duration::from_secs(10);

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn find(variable: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{variable}={} is not a file",
            path.display()
        );
        return path;
    }
    names
        .iter()
        .find_map(|name| on_path(name))
        .unwrap_or_else(|| {
            panic!(
                "the browser tests need {} but found none: set {variable} or install Debian's \
             `chromium` and `chromium-driver` (apt-get install -y chromium chromium-driver)",
                names.join(" or ")
            )
        })
}

/// A chromedriver process, ended when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session in a phone-sized window, with the server it talks to.
struct Browser {
    client: Client,
    app: TestApp,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The screen a session emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    /// 375 px wide, touch.
    Phone,
    /// A 1280 × 900 window.
    Desktop,
}

async fn connect(chromium: &Path, port: u16, screen: Screen) -> Client {
    let mut capabilities = serde_json::Map::new();
    let mut options = json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-extensions", "--proxy-server=direct://",
                 "--window-size=1280,900"],
    });
    if screen == Screen::Phone {
        // A 375 px wide phone screen.
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": 375, "height": 740, "pixelRatio": 2.0, "touch": true }
        });
    }
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..100 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver on port {port} did not start a browser: {last_error}");
}

impl Browser {
    async fn start() -> Browser {
        Browser::start_on(Screen::Phone).await
    }

    async fn start_on(screen: Screen) -> Browser {
        let turn = ONE_BROWSER.lock().await;
        let chromium = find("GREENLINE_TEST_CHROMIUM", &["chromium", "chromium-browser"]);
        let chromedriver = find("GREENLINE_TEST_CHROMEDRIVER", &["chromedriver"]);
        let port = free_port();
        let driver = Driver(
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display())),
        );
        let app = spawn_app(Backend::Sqlite).await;
        let client = connect(&chromium, port, screen).await;
        Browser {
            client,
            app,
            _driver: driver,
            _turn: turn,
        }
    }

    async fn open(&self, path: &str) {
        self.client
            .goto(&self.app.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect(css);
    }

    async fn choose(&self, css: &str, value: &str) {
        // The option may arrive a moment later, loaded by the page's script.
        let option = format!("{css} option[value=\"{value}\"]");
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&option))
            .await
            .unwrap_or_else(|e| panic!("no option {option}: {e}"));
        let select = self.client.find(Locator::Css(css)).await.expect(css);
        select.select_by_value(value).await.expect(css);
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .click()
            .await
            .expect(css);
    }

    async fn text_of(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect(css)
            .trim()
            .to_owned()
    }

    async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// The page is as wide as the screen: nothing to scroll sideways.
    async fn assert_fits_the_screen(&self) {
        let sizes = self
            .client
            .execute(
                "return [window.innerWidth, document.documentElement.scrollWidth];",
                vec![],
            )
            .await
            .expect("sizes");
        let (viewport, content) = (sizes[0].as_i64(), sizes[1].as_i64());
        assert_eq!(viewport, Some(375), "the phone screen is 375 px wide");
        assert!(
            content <= viewport,
            "the page scrolls sideways: {content:?} px of content in {viewport:?} px"
        );
    }

    /// Saves the screen as `{name}.png` when `GREENLINE_TEST_SCREENSHOTS` names a folder.
    async fn snapshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("GREENLINE_TEST_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).expect("save");
        }
    }

    async fn finish(self) {
        self.client.close().await.expect("close the browser");
    }
}

/// Fills in and sends the report form the way a person would, on the phone.
async fn file_a_report(browser: &Browser) -> (String, String) {
    browser.open("/report").await;
    browser.assert_fits_the_screen().await;
    browser.choose("#primary_type", "noise").await;
    browser.choose("#province", "440000").await;
    browser.choose("#city", "440300").await;
    browser.choose("#county", "440305").await;
    browser
        .type_into("#address", "科技园南区高新南七道工地")
        .await;
    browser
        .type_into(
            "#description",
            "工地每天夜里十一点后还在打桩，严重影响休息。",
        )
        .await;
    browser.type_into("#reporter_name", "陈小姐").await;
    browser.type_into("#reporter_phone", "13812345678").await;
    browser.snapshot("report-filled").await;
    browser.click("#report-form button[type=submit]").await;
    let tracking_no = browser.text_of("#tracking-no").await;
    browser.snapshot("report-receipt").await;
    let secret = browser.text_of("#secret").await;
    browser.assert_fits_the_screen().await;
    (tracking_no, secret)
}

async fn track(browser: &Browser, tracking_no: &str, secret: &str) -> String {
    browser.open("/track").await;
    browser.type_into("#tracking_no", tracking_no).await;
    browser.type_into("#secret", secret).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("#status").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_citizen_reports_from_a_phone_and_finds_the_case_on_the_tracking_page() {
    let browser = Browser::start().await;
    let (tracking_no, secret) = file_a_report(&browser).await;
    assert!(tracking_no.starts_with("GL"), "{tracking_no}");
    assert_eq!(browser.app.case_count().await, 1);
    let status = track(&browser, &tracking_no, &secret).await;
    assert_eq!(status, "未受理");
    browser.snapshot("track-result").await;
    browser.assert_fits_the_screen().await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_bad_form_shows_the_fields_error_and_creates_nothing() {
    let browser = Browser::start().await;
    browser.open("/report").await;
    browser.choose("#province", "440000").await;
    browser.type_into("#reporter_phone", "13812345678").await;
    browser.click("#report-form button[type=submit]").await;
    assert_eq!(
        browser.text_of("#primary_type-error").await,
        "请选择问题类型"
    );
    assert_eq!(
        browser.text_of("#description-error").await,
        "请描述您要举报的问题"
    );
    let invalid = browser
        .client
        .find(Locator::Css("#description"))
        .await
        .expect("description")
        .attr("aria-invalid")
        .await
        .expect("attribute");
    assert_eq!(invalid.as_deref(), Some("true"));
    // What was typed is still there.
    let phone = browser
        .client
        .find(Locator::Css("#reporter_phone"))
        .await
        .expect("phone")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(phone.as_deref(), Some("13812345678"));
    browser.snapshot("report-errors").await;
    browser.assert_fits_the_screen().await;
    assert_eq!(browser.app.case_count().await, 0);
    browser.finish().await;
}

/// A public web report about a place in `region`, filed through the API; its id, number and
/// secret.
async fn report_about(app: &TestApp, region: &str) -> (i64, String, String) {
    let mut body = helpers::web_report();
    body["region"] = json!(region);
    let reply = app.post(None, "/api/v1/cases", &body).await;
    assert_eq!(reply.status, reqwest::StatusCode::CREATED, "{}", reply.body);
    let field = |name: &str| reply.body[name].clone();
    (
        field("id").as_i64().expect("id"),
        field("tracking_no").as_str().expect("no").to_owned(),
        field("secret").as_str().expect("secret").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_county_handler_sees_only_their_countys_cases_and_accepts_one() {
    let browser = Browser::start().await;
    let app = &browser.app;
    let (nanshan_case, nanshan_no, _) = report_about(app, "440305").await;
    let (_, futian_no, _) = report_about(app, "440304").await;
    // The national office routes the Nanshan case down to the Nanshan bureau.
    let nation = app.login("nation").await;
    let routed = app
        .act(
            &nation,
            nanshan_case,
            json!({"action": "assign", "unit_id": app.units["nanshan"]}),
        )
        .await;
    assert_eq!(routed.status, reqwest::StatusCode::OK, "{}", routed.body);

    browser.open("/console").await;
    browser.text_of("#username").await;
    browser.type_into("#username", "nanshan").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("ul.cases").await;
    let list = browser.source().await;
    assert!(list.contains(&nanshan_no), "the Nanshan case is listed");
    assert!(!list.contains(&futian_no), "a Futian case is not");
    browser.snapshot("console-list").await;
    browser.assert_fits_the_screen().await;

    browser
        .click(&format!("a[href=\"/console/cases/{nanshan_case}\"]"))
        .await;
    assert_eq!(browser.text_of("#stage").await, "已登记");
    browser.snapshot("console-case").await;
    browser.assert_fits_the_screen().await;
    browser.click("button[data-action=accept]").await;
    browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//strong[@id='stage' and text()='已受理']"))
        .await
        .expect("the case shows as accepted");
    assert_eq!(
        app.store
            .case(nanshan_case)
            .await
            .expect("case")
            .stage
            .code(),
        "accepted"
    );
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn public_pages_show_no_reporter_name_or_phone() {
    let browser = Browser::start().await;
    let app = &browser.app;
    let (id, tracking_no, secret) = report_about(app, "440305").await;
    let nation = app.login("nation").await;
    let accepted = app
        .act(
            &nation,
            id,
            json!({"action": "accept", "note": "内部备注：先电话联系举报人"}),
        )
        .await;
    assert_eq!(accepted.status, reqwest::StatusCode::OK);
    assert_eq!(track(&browser, &tracking_no, &secret).await, "受理中");
    let mut pages = vec![browser.source().await];
    for path in ["/", "/report", "/track"] {
        browser.open(path).await;
        pages.push(browser.source().await);
    }
    for page in &pages {
        for private in [
            "陈小姐",
            "13812345678",
            "138-1234",
            "staff-name",
            "内部备注",
            &secret,
        ] {
            assert!(!page.contains(private), "a public page shows {private}");
        }
    }
    let _: Value = browser
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .map(|lang| {
            assert_eq!(lang, json!("zh-CN"));
            lang
        })
        .expect("lang");
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_air_page_shows_the_level_and_the_chart_on_a_phone() {
    let browser = Browser::start().await;
    helpers::load_beijing(&browser.app.store).await;
    browser.open("/air/110000").await;
    let level = browser.text_of("#aqi-level").await;
    let today = browser
        .app
        .get(None, "/api/v1/air/cities/110000/today")
        .await;
    let category = today.body["day"]["category"].as_str().expect("category");
    assert!(level.contains(category), "{level}");
    assert!(level.contains(today.body["day"]["level_name"].as_str().expect("level")));
    let sentence = browser.text_of("#aqi-sentence").await;
    assert_eq!(sentence, today.body["sentence"].as_str().expect("sentence"));
    // The chart is drawn, has its bars and is no wider than the screen.
    let sizes = browser
        .client
        .execute(
            "const c = document.getElementById('aqi-chart'); const r = c.getBoundingClientRect(); \
             return [r.width, r.height, c.querySelectorAll('rect.bar').length];",
            vec![],
        )
        .await
        .expect("chart");
    let (width, height, bars) = (
        sizes[0].as_f64().expect("width"),
        sizes[1].as_f64().expect("height"),
        sizes[2].as_i64().expect("bars"),
    );
    assert!(width > 300.0 && width <= 375.0, "chart {width} px wide");
    assert!(height > 100.0, "chart {height} px high");
    assert!((25..=30).contains(&bars), "{bars} bars");
    browser.assert_fits_the_screen().await;
    browser.snapshot("air").await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_administrator_and_an_auditor_do_their_day_in_the_console() {
    for (screen, suffix) in [(Screen::Phone, ""), (Screen::Desktop, "-desktop")] {
        let browser = Browser::start_on(screen).await;
        let sign_in = |username: &'static str| {
            let browser = &browser;
            async move {
                browser.open("/login").await;
                browser.type_into("#username", username).await;
                browser.type_into("#password", PASSWORD).await;
                browser.click("main form button[type=submit]").await;
                browser.text_of("header span.who").await;
            }
        };
        // A failed sign-in for the trail to show.
        browser.open("/login").await;
        browser.type_into("#username", "shenzhen-handler").await;
        browser.type_into("#password", "not the password").await;
        browser.click("main form button[type=submit]").await;
        browser.text_of("#login-error").await;

        // The administrator disables the account.
        sign_in("shenzhen-admin").await;
        browser.open("/console/accounts").await;
        browser
            .click("#account-shenzhen-handler form[action$='/disable'] button")
            .await;
        let notice = browser.text_of("#account-notice").await;
        assert!(notice.contains("账户已停用"), "{notice}");
        browser.snapshot(&format!("console-accounts{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.click("header form[action='/logout'] button").await;
        browser.text_of("main form[action='/login']").await;

        // The auditor lands on the trail and checks it.
        sign_in("guangdong-auditor").await;
        browser.text_of("ul.cases").await;
        let trail = browser.source().await;
        assert!(
            trail.contains("停用账户") && trail.contains("拒绝"),
            "the disabling and the failed sign-in"
        );
        browser.snapshot(&format!("console-audit{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.click("button[name=verify]").await;
        let check = browser.text_of("#audit-check").await;
        assert!(check.starts_with("校验通过"), "{check}");
        browser.click("header form[action='/logout'] button").await;
        browser.text_of("main form[action='/login']").await;

        browser.open("/password").await;
        browser.text_of("#rules").await;
        browser.snapshot(&format!("password{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_city_handler_works_the_queue_by_time_left_on_a_phone_and_a_desktop() {
    for (screen, suffix) in [(Screen::Phone, ""), (Screen::Desktop, "-desktop")] {
        let browser = Browser::start_on(screen).await;
        let app = &browser.app;
        let mut cases = Vec::new();
        for region in ["440305", "440304", "440305"] {
            // Days pass between the reports: a fresh session each time.
            let nation = app.login("nation").await;
            let (id, no, _) = report_about(app, region).await;
            app.act(&nation, id, json!({"action": "accept"})).await;
            let routed = app
                .act(
                    &nation,
                    id,
                    json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
                )
                .await;
            assert_eq!(routed.status, reqwest::StatusCode::OK, "{}", routed.body);
            cases.push(no);
            app.advance(20);
        }
        browser.open("/login").await;
        browser.type_into("#username", "shenzhen").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("main form button[type=submit]").await;
        browser.text_of("header span.who").await;
        browser.open("/console/queue?tab=in_progress").await;
        browser.text_of("nav.tabs").await;
        let html = browser.source().await;
        let places: Vec<usize> = cases
            .iter()
            .map(|no| {
                html.find(no.as_str())
                    .unwrap_or_else(|| panic!("{no} is queued"))
            })
            .collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "least time left first: {places:?}"
        );
        assert!(
            html.contains("今日到期") && html.contains("剩 40 天"),
            "the badges"
        );
        browser.snapshot(&format!("console-queue{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.finish().await;
    }
}
