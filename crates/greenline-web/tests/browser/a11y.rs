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

/// A replied case published with its summary; its number.
async fn published_case(browser: &Browser) -> String {
    let (no, _) = replied_case(browser).await;
    let app = &browser.app;
    let nation = app.login("nation").await;
    let id: i64 = no
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("id in the number");
    let r = app
        .act(
            &nation,
            id,
            json!({"action": "publish", "summary": "经查属实，已责令工地停止夜间施工。"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
    no
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
    browser
        .app
        .core
        .install_shipped_answers()
        .await
        .expect("answers");
    for (path, name) in [
        ("/", "home"),
        ("/report", "report"),
        ("/track", "track"),
        ("/air", "air"),
        ("/login", "login"),
        ("/results", "results"),
        ("/figures", "figures"),
        ("/answers", "answers"),
        (
            "/answers?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA",
            "answers-none",
        ),
        ("/no-such-page", "not-found"),
    ] {
        browser.open(path).await;
        check(&browser, &format!("a11y-{label}-{name}"), &mut wrong).await;
    }
    // One plain answer, and the report form offering it.
    browser.open("/answers").await;
    browser.click("#answers li:first-child h3 a").await;
    browser.text_of("#helped-yes").await;
    check(&browser, &format!("a11y-{label}-answer"), &mut wrong).await;
    browser.open("/report").await;
    browser.type_into("#description", "楼顶装了基站").await;
    browser.text_of("#answer-offer h2").await;
    check(
        &browser,
        &format!("a11y-{label}-report-answers"),
        &mut wrong,
    )
    .await;
    // The report form with its errors shown.
    browser.open("/report").await;
    browser.click("main form button[type=submit]").await;
    browser.text_of(".error").await;
    check(&browser, &format!("a11y-{label}-report-errors"), &mut wrong).await;
    // A replied case on the tracking page, with the rating form; another, published, in the
    // results.
    let (no, secret) = replied_case(&browser).await;
    let published = published_case(&browser).await;
    browser.open(&format!("/results/{published}")).await;
    check(&browser, &format!("a11y-{label}-result"), &mut wrong).await;
    browser.open("/results").await;
    check(&browser, &format!("a11y-{label}-results-one"), &mut wrong).await;
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
