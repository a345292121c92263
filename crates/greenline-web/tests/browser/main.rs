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

mod a11y;
mod admin;
mod answers;
mod approval;
mod console;
mod dashboard;
mod desk;
mod disclosure;
mod eia;
mod evidence;
mod place;
mod portal;
mod results;
mod story;
mod tracking_code;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use helpers::{Backend, TestApp, spawn_app_with};

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
    screen: Screen,
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
    /// A small phone: 360 px wide, touch (the narrowest the pages are made for).
    SmallPhone,
    /// 390 px wide, touch: the common phone of the citizen's story.
    #[allow(dead_code)]
    WidePhone,
    /// A 1366 × 900 window: the common office screen.
    Desktop,
    /// A 1024 × 768 window: the operator's desk on a small monitor.
    #[allow(dead_code)]
    Narrow,
}

impl Screen {
    /// The width of an emulated phone's screen, in CSS pixels.
    fn phone_width(self) -> Option<i64> {
        match self {
            Screen::Phone => Some(375),
            Screen::SmallPhone => Some(360),
            Screen::WidePhone => Some(390),
            Screen::Desktop | Screen::Narrow => None,
        }
    }

    fn window_size(self) -> &'static str {
        match self {
            Screen::Phone | Screen::SmallPhone | Screen::WidePhone | Screen::Desktop => {
                "--window-size=1366,900"
            }
            Screen::Narrow => "--window-size=1024,768",
        }
    }
}

async fn connect(chromium: &Path, port: u16, screen: Screen) -> Client {
    let mut capabilities = serde_json::Map::new();
    let mut options = json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-extensions", "--proxy-server=direct://",
                 screen.window_size()],
    });
    if let Some(width) = screen.phone_width() {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": 740, "pixelRatio": 2.0, "touch": true }
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

/// Whether a WebDriver error says the element belonged to a page that has since been replaced.
fn left_the_page(error: &fantoccini::error::CmdError) -> bool {
    error.is_stale_element_reference()
        || error
            .to_string()
            .contains("does not belong to the document")
}

impl Browser {
    async fn start() -> Browser {
        Browser::start_on(Screen::Phone).await
    }

    async fn start_on(screen: Screen) -> Browser {
        Browser::start_with(screen, |_| {}).await
    }

    /// A session on `screen` whose server runs with settings changed by `configure`.
    async fn start_with(
        screen: Screen,
        configure: impl FnOnce(&mut greenline_app::Settings),
    ) -> Browser {
        let app = spawn_app_with(Backend::Sqlite, configure).await;
        Browser::start_on_app(screen, app).await
    }

    /// A session on `screen` talking to `app`, a server the test set up.
    async fn start_on_app(screen: Screen, app: TestApp) -> Browser {
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
        let client = connect(&chromium, port, screen).await;
        Browser {
            client,
            app,
            screen,
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

    /// The text of `css` once the page shows it. A form's post navigates: an element found on
    /// the page being left goes stale before its text is read, so the look-up starts again.
    /// Chromium reports that race in two ways: as a stale reference, or, when the new document
    /// replaces the old one between the find and the read, as an inspector error saying the
    /// node does not belong to the document.
    async fn text_of(&self, css: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let element = self
                .client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no {css}: {e}"));
            match element.text().await {
                Ok(text) => return text.trim().to_owned(),
                Err(e) if left_the_page(&e) && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{css}: {e:?}"),
            }
        }
    }

    async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Signs `username` in to the console (the test password).
    async fn sign_in(&self, username: &str) {
        self.open("/login").await;
        self.type_into("#username", username).await;
        self.type_into("#password", helpers::PASSWORD).await;
        self.click("main form button[type=submit]").await;
        self.text_of("header span.who").await;
    }

    async fn sign_out(&self) {
        self.click("header form[action='/logout'] button").await;
        self.text_of("main form[action='/login']").await;
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
        let width = self.screen.phone_width().unwrap_or(1366);
        assert_eq!(viewport, Some(width), "the screen is {width} px wide");
        assert!(
            content <= viewport,
            "the page scrolls sideways: {content:?} px of content in {viewport:?} px"
        );
    }

    /// The page's violations of WCAG 2.0 and 2.1, levels A and AA, as axe-core finds them
    /// (vendored from npm under `vendor/axe-core`; injected over WebDriver, which the page's
    /// script policy does not govern): one line per rule, with the elements it found.
    async fn accessibility_violations(&self) -> Vec<String> {
        const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
        self.client
            .execute(&format!("{AXE}\nreturn typeof axe;"), vec![])
            .await
            .expect("load axe-core");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help
                       + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe-core failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        found
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe-core answered {found}")])
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
