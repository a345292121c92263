//! An application for government information on the portal, on a phone and on an office screen:
//! a missing field named in Chinese, the receipt with its number, secret and due date; then the
//! handlers' list with the request, its due date and the steps open to them.

use crate::helpers::{Backend, spawn_app_with};
use crate::{Browser, Screen};

async fn apply_and_list(screen: Screen, name: &str) {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let shenzhen = app.units["shenzhen"].to_string();
    let browser = Browser::start_on_app(screen, app).await;
    browser.open("/disclosure").await;
    browser.snapshot(&format!("disclosure-form-{name}")).await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");

    // Without an identity number or a contact: both named, what was typed kept.
    browser.choose("#unit_id", &shenzhen).await;
    browser.type_into("#applicant_name", "钱多多").await;
    browser
        .type_into("#description", "请公开某电镀厂2025年废水监督性监测报告")
        .await;
    browser.click("main form button[type=submit]").await;
    let summary = browser.text_of("#error-summary").await;
    assert!(summary.contains("身份证件号码"), "{summary}");
    assert!(summary.contains("联系方式"), "{summary}");
    assert!(
        !summary.chars().any(|c| c.is_ascii_alphabetic()),
        "{summary}"
    );
    browser.snapshot(&format!("disclosure-errors-{name}")).await;

    browser
        .type_into("#applicant_id_number", "440301199001011234")
        .await;
    browser.type_into("#phone", "13612345678").await;
    browser.click("main form button[type=submit]").await;
    let number = browser.text_of("#tracking-no").await;
    assert!(number.starts_with("GK"), "{number}");
    assert_eq!(browser.text_of("#secret").await.len(), 12);
    assert!(browser.text_of("#due-on").await.contains("年"));
    browser
        .snapshot(&format!("disclosure-receipt-{name}"))
        .await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }

    browser.sign_in("shenzhen").await;
    browser.open("/console/disclosure").await;
    let list = browser.text_of("main ul.cases").await;
    assert!(list.contains(&number), "{list}");
    assert!(list.contains("计时中"), "{list}");
    assert!(list.contains("告知补正") && list.contains("答复"), "{list}");
    assert!(!list.contains("钱多多"), "no applicant on the list: {list}");
    browser
        .snapshot(&format!("disclosure-console-{name}"))
        .await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }
    // The request's own page: a correction asked from its form stops the clock.
    browser.click("main ul.cases li:first-child a").await;
    browser.text_of("#request-clock").await;
    browser.type_into("#c-what", "请写明监测报告的年份").await;
    browser.click("#step-ask_correction").await;
    // The page comes back after the post: wait for the new one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let clock = browser.text_of("#request-clock").await;
        if clock.contains("等待补正") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{clock}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser
        .snapshot(&format!("disclosure-request-{name}"))
        .await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_application_on_a_phone_reaches_the_handlers_list() {
    apply_and_list(Screen::Phone, "phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_application_on_an_office_screen_reaches_the_handlers_list() {
    apply_and_list(Screen::Desktop, "desktop").await;
}
