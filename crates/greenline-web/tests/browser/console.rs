//! The staff console: a county handler's list, the administrator and auditor, the work queue.

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::PASSWORD;
use crate::{Browser, Screen, WAIT, report_about};

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
