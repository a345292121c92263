//! Every public page, as a citizen meets it on a small phone and on an office screen, has no
//! violation of WCAG 2.0/2.1 level A or AA that axe-core finds: labels tied to fields, errors
//! announced, contrast, landmarks, names of buttons and links, the document's language.

use serde_json::json;

use crate::{Browser, Screen, report_about};

/// A report accepted, concluded and replied by the national desk; its number and secret.
async fn replied_case(browser: &Browser) -> (String, String) {
    let app = &browser.app;
    let (id, no, secret) = report_about(app, "440305").await;
    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "属实"}),
        json!({"action": "reply", "text": "已责令工地停止夜间施工"}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
    }
    (no, secret)
}

async fn check(browser: &Browser, name: &str, wrong: &mut Vec<String>) {
    browser.snapshot(name).await;
    for violation in browser.accessibility_violations().await {
        wrong.push(format!("{name}: {violation}"));
    }
}

async fn public_pages_on(screen: Screen, label: &str) {
    let browser = Browser::start_on(screen).await;
    // The check itself can fail: a field without a label, added to a page, is found.
    browser.open("/track").await;
    browser
        .client
        .execute(
            "const i = document.createElement('input'); i.type = 'text'; \
             document.querySelector('main').appendChild(i); return true;",
            vec![],
        )
        .await
        .expect("plant an unlabelled field");
    let planted = browser.accessibility_violations().await;
    assert!(
        planted.iter().any(|v| v.starts_with("label ")),
        "axe-core did not find the unlabelled field: {planted:?}"
    );
    let mut wrong = Vec::new();
    for (path, name) in [
        ("/", "home"),
        ("/report", "report"),
        ("/track", "track"),
        ("/air", "air"),
        ("/login", "login"),
        ("/no-such-page", "not-found"),
    ] {
        browser.open(path).await;
        check(&browser, &format!("a11y-{label}-{name}"), &mut wrong).await;
    }
    // The report form with its errors shown.
    browser.open("/report").await;
    browser.click("main form button[type=submit]").await;
    browser.text_of(".error").await;
    check(&browser, &format!("a11y-{label}-report-errors"), &mut wrong).await;
    // A replied case on the tracking page, with the rating form.
    let (no, secret) = replied_case(&browser).await;
    browser.open("/track").await;
    browser.type_into("#tracking_no", &no).await;
    browser.type_into("#secret", &secret).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("#rate").await;
    check(&browser, &format!("a11y-{label}-track-replied"), &mut wrong).await;
    // The rating form sent without its answers, then with them.
    browser.click("#rate").await;
    browser.text_of("#satisfaction-error").await;
    check(&browser, &format!("a11y-{label}-rating-errors"), &mut wrong).await;
    browser.click("#satisfaction-satisfied").await;
    browser.click("#solved-yes").await;
    browser.click("#rate").await;
    let rated = browser.text_of("#notice").await;
    assert!(rated.contains("感谢您的评价"), "{rated}");
    check(&browser, &format!("a11y-{label}-track-rated"), &mut wrong).await;
    browser.finish().await;
    assert!(
        wrong.is_empty(),
        "{} accessibility violations:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_public_pages_pass_axe_core_on_a_small_phone() {
    public_pages_on(Screen::SmallPhone, "phone360").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_public_pages_pass_axe_core_on_an_office_screen() {
    public_pages_on(Screen::Desktop, "desktop").await;
}
