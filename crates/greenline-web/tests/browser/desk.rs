//! The call-taker's desk (来电登记): an operator keys in a phone call with the keyboard alone —
//! Tab from field to field, the suggestions taken with Alt+P, Alt+T and Alt+1, saved with
//! Alt+S — linking it to an earlier report of the same source, on a 1024 px and a 1366 px
//! screen.

use std::time::Duration;

use fantoccini::Locator;
use greenline_domain::Role;
use greenline_store::NewStaff;
use serde_json::json;

use crate::helpers::{self, PASSWORD, TestApp};
use crate::{Browser, Screen, WAIT};

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const ALT: &str = "\u{e00a}";

const EARLIER: &str = "南山区科技园南路鑫达化工有限公司每天晚上排放刺鼻气味，附近居民都闻得到";
const CALL: &str = "南山区科技园南路鑫达化工晚上又在偷排废气，味道很冲";

/// The order Tab walks the form in, from the channel (focused when the page opens).
const TAB_ORDER: &[&str] = &[
    "kind",
    "anonymous",
    "reporter_name",
    "reporter_phone",
    "reporter_address",
    "reporter_email",
    "description",
    "province",
    "city",
    "county",
    "address",
    "primary_type",
    "sub_type",
    "link",
    "external_id",
    "save",
];

impl Browser {
    /// Keys sent to whatever has the focus, as a keyboard would.
    async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("keys {keys:?}: {e}"));
    }

    async fn focused_id(&self) -> String {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .attr("id")
            .await
            .expect("id")
            .unwrap_or_default()
    }

    async fn value_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until `css`'s value is `want` (the page's script fills it a moment later).
    async fn wait_for_value(&self, css: &str, want: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let got = self.value_of(css).await;
            if got == want {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{css} is {got:?}, not {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn shenzhen_operator(app: &TestApp) {
    app.store
        .create_staff(
            &NewStaff {
                username: "shenzhen-operator".into(),
                display_name: "李话务".into(),
                password_hash: greenline_app::accounts::hash_password(PASSWORD).expect("hash"),
                unit_id: app.units["shenzhen"],
                roles: vec![Role::Operator],
            },
            helpers::start_time(),
        )
        .await
        .expect("operator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_operator_keys_in_a_call_and_links_it_to_an_earlier_report_without_a_mouse() {
    for (screen, name) in [(Screen::Narrow, "1024"), (Screen::Desktop, "1366")] {
        let browser = Browser::start_on(screen).await;
        let app = &browser.app;
        shenzhen_operator(app).await;
        let mut earlier = helpers::web_report();
        earlier["description"] = json!(EARLIER);
        let reply = app.post(None, "/api/v1/cases", &earlier).await;
        assert_eq!(reply.status, reqwest::StatusCode::CREATED, "{}", reply.body);
        let earlier_id = reply.body["id"].as_i64().expect("id");
        let earlier_no = reply.body["tracking_no"].as_str().expect("no").to_owned();
        app.caught_up().await;

        // Signing in: typed, Tab, typed, Enter.
        browser.open("/login").await;
        browser.type_into("#username", "shenzhen-operator").await;
        browser.keys(&format!("{TAB}{PASSWORD}{ENTER}")).await;
        browser.text_of("header span.who").await;
        assert!(
            browser.source().await.contains("href=\"/console/intake\""),
            "the nav links the desk"
        );
        browser.open("/console/intake").await;
        browser.text_of("#shortcuts").await;
        assert_eq!(
            browser.focused_id().await,
            "channel",
            "the form starts focused"
        );
        // A Shenzhen operator starts in Shenzhen.
        assert_eq!(browser.value_of("#city").await, "440300");

        // Tab walks the form in the order a call goes.
        for want in TAB_ORDER {
            browser.keys(TAB).await;
            assert_eq!(&browser.focused_id().await, want, "Tab order");
        }
        browser.open("/console/intake").await;
        browser.text_of("#shortcuts").await;

        // The call: phone is already chosen; the caller's name and number, no postal address
        // and no e-mail.
        browser
            .keys(&format!(
                "{TAB}{TAB}{TAB}王先生{TAB}13900001111{TAB}{TAB}{TAB}"
            ))
            .await;
        assert_eq!(browser.focused_id().await, "description");
        browser.keys(CALL).await;
        // The suggestions arrive: the place, the type, the earlier report.
        browser.text_of("#hint-repeats li").await;
        let place = browser.text_of("#hint-place").await;
        assert!(place.contains("广东省深圳市南山区"), "{place}");
        let types = browser.text_of("#hint-type").await;
        assert!(types.contains("大气"), "{types}");
        let repeats = browser.text_of("#hint-repeats").await;
        assert!(repeats.contains(&earlier_no), "{repeats}");

        browser.keys(&format!("{ALT}p")).await;
        browser.wait_for_value("#county", "440305").await;
        browser.keys(&format!("{ALT}t")).await;
        browser.wait_for_value("#primary_type", "air").await;
        // The suggested sub-type, from the air type's sub-types (the only ones offered now).
        let group = browser
            .client
            .execute(
                "var s = document.getElementById('sub_type'); \
                 return [s.value, s.selectedOptions[0].parentNode.getAttribute('data-type'), \
                 s.querySelectorAll('optgroup:not([disabled])').length];",
                vec![],
            )
            .await
            .expect("sub-type");
        assert_ne!(group[0], "", "a sub-type is suggested");
        assert_eq!(group[1], "air");
        assert_eq!(group[2], 1, "only the air type's sub-types are offered");
        browser.keys(&format!("{ALT}1")).await;
        browser.wait_for_value("#link", &earlier_no).await;
        let status = browser.text_of("#link-status").await;
        assert!(status.contains(&earlier_no), "{status}");
        assert_eq!(
            browser.focused_id().await,
            "description",
            "the shortcuts leave the focus where the operator types"
        );
        browser.snapshot(&format!("desk-{name}")).await;

        browser.keys(&format!("{ALT}s")).await;
        let tracking_no = browser.text_of("#tracking-no").await;
        let secret = browser
            .text_of("#secret")
            .await
            .replace(char::is_whitespace, "");
        assert_eq!(secret.len(), 12, "{secret}");
        let linked = browser.text_of("#linked").await;
        assert!(linked.contains(&earlier_no), "{linked}");
        assert_eq!(
            browser.focused_id().await,
            "again",
            "再登记一条 has the focus"
        );
        browser.snapshot(&format!("desk-done-{name}")).await;

        let id: i64 = tracking_no
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("case number");
        let case = app.store.case(id).await.expect("case");
        assert_eq!(case.repeat_of, Some(earlier_id));
        assert_eq!(case.channel.code(), "phone");
        assert_eq!(case.region.to_string(), "440305");
        assert_eq!(case.primary_type.code(), "air");
        assert_eq!(
            case.sub_type.map(|s| s.code().to_owned()),
            group[0].as_str().map(str::to_owned)
        );
        assert_eq!(case.address, "科技园南路");
        let events: Vec<String> = app
            .store
            .events(id)
            .await
            .expect("events")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(events, ["register", "merge"]);

        // Alt+N: the next call, on a fresh form.
        browser.keys(&format!("{ALT}n")).await;
        browser.text_of("#shortcuts").await;
        assert_eq!(browser.focused_id().await, "channel");
        assert_eq!(browser.value_of("#description").await, "");
        browser.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_desk_fits_a_phone_screen() {
    let browser = Browser::start_on(Screen::Phone).await;
    shenzhen_operator(&browser.app).await;
    browser.open("/login").await;
    browser.type_into("#username", "shenzhen-operator").await;
    browser.keys(&format!("{TAB}{PASSWORD}{ENTER}")).await;
    browser.text_of("header span.who").await;
    browser.open("/console/intake").await;
    browser.text_of("#rules-title").await;
    browser.assert_fits_the_screen().await;
    browser.snapshot("desk-phone").await;
    browser.finish().await;
}
