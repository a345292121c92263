//! A reporter without the secret follows the case with their phone and a code sent by SMS, on a
//! phone and on an office screen.

use crate::helpers::{Backend, spawn_app_noticed, web_report};
use crate::{Browser, Screen};

async fn by_phone_and_code(screen: Screen, name: &str) {
    let (app, outbox) = spawn_app_noticed(Backend::Sqlite).await;
    let receipt = app.post(None, "/api/v1/cases", &web_report()).await;
    let no = receipt.body["tracking_no"]
        .as_str()
        .expect("tracking no")
        .to_owned();
    let browser = Browser::start_on_app(screen, app).await;
    browser.open("/track").await;
    browser.snapshot(&format!("track-form-{name}")).await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }
    // As typed on a phone: lower case.
    browser.type_into("#tracking_no", &no.to_lowercase()).await;
    browser.type_into("#phone", "138 1234 5678").await;
    browser
        .click("main form button[name=intent][value=send_code]")
        .await;
    let said = browser.text_of("#track-done").await;
    assert!(said.contains("验证码已通过短信发送"), "{said}");
    browser.snapshot(&format!("track-code-sent-{name}")).await;

    let mut code = None;
    for _ in 0..50 {
        if let Some((_, text)) = outbox.sms().pop() {
            code = text
                .split("验证码是 ")
                .nth(1)
                .and_then(|rest| rest.get(..6))
                .map(str::to_owned);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let code = code.expect("a code sent by SMS");
    // The phone typed is kept, the code is typed in.
    browser.type_into("#code", &code).await;
    browser
        .click("main form fieldset button[name=intent][value=track]")
        .await;
    assert_eq!(browser.text_of("#status").await, "待受理");
    browser.snapshot(&format!("track-by-code-{name}")).await;
    if screen == Screen::Phone {
        browser.assert_fits_the_screen().await;
    }
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_reporter_without_the_secret_tracks_with_a_code_on_a_phone() {
    by_phone_and_code(Screen::Phone, "phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_reporter_without_the_secret_tracks_with_a_code_on_an_office_screen() {
    by_phone_and_code(Screen::Desktop, "desktop").await;
}
