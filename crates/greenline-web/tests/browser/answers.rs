//! Plain answers (通俗解说) as people meet them: offered on the report form while a citizen
//! types, read and rated on the portal, offered to the operator at the desk; written in the
//! console, sent for review and published by another reviewer.

use fantoccini::Locator;

use crate::{Browser, Screen, WAIT};

/// Waits until `css` shows text containing `wanted`; returns that text.
async fn wait_for_text(browser: &Browser, css: &str, wanted: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(found) = browser.client.find(Locator::Css(css)).await
            && let Ok(text) = found.text().await
            && text.contains(wanted)
        {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} never showed {wanted:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_report_form_offers_the_answer_a_citizen_needs_and_the_portal_shows_it() {
    let browser = Browser::start().await;
    browser
        .app
        .core
        .install_shipped_answers()
        .await
        .expect("answers");
    browser.open("/report").await;
    browser
        .type_into("#description", "我家楼顶装了基站，担心辐射影响孩子")
        .await;
    let offered = wait_for_text(&browser, "#answer-offer", "基站").await;
    assert!(offered.contains("这些解答也许对您有帮助"), "{offered}");
    browser.assert_fits_the_screen().await;
    browser.snapshot("answers-offered-on-report-phone").await;
    // A text no answer is about offers nothing.
    browser.type_into("#description", "河里漂着很多死鱼").await;
    let deadline = std::time::Instant::now() + crate::WAIT;
    loop {
        let hidden = browser
            .client
            .find(Locator::Css("#answer-offer"))
            .await
            .expect("box")
            .attr("hidden")
            .await
            .expect("attribute");
        if hidden.is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the offer stayed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // The answer's page: its basis, its date, and "this helped".
    browser.open("/answers?q=%E5%9F%BA%E7%AB%99").await;
    browser.click("#answers li:first-child h3 a").await;
    let page = browser.text_of("#answer").await;
    assert!(page.contains("GB 8702-2014"), "{page}");
    assert!(page.contains("核对"), "{page}");
    browser.assert_fits_the_screen().await;
    browser.snapshot("answer-page-phone").await;
    browser.click("#helped-yes").await;
    let thanks = browser.text_of("#thanks").await;
    assert!(thanks.contains("感谢"), "{thanks}");
    let counted = browser
        .app
        .store
        .published_answers()
        .await
        .expect("answers")
        .into_iter()
        .find(|a| a.working.question.contains("基站"))
        .expect("the base-station answer");
    assert_eq!((counted.views, counted.helped), (1, 1));

    // Staff read the same answers, with their counts, in the console on a phone too.
    browser.sign_in("shenzhen").await;
    browser.open("/console/answers").await;
    let rows = browser.text_of("#answer-rows").await;
    assert!(rows.contains("阅读 1 次 · 有帮助 1"), "{rows}");
    browser.assert_fits_the_screen().await;
    browser.snapshot("answer-list-console-phone").await;
    browser
        .open(&format!("/console/answers/{}", counted.id))
        .await;
    browser.text_of("#answer-state").await;
    browser.assert_fits_the_screen().await;
    browser.snapshot("answer-edit-console-phone").await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_answer_written_in_the_console_is_published_by_another_reviewer() {
    let browser = Browser::start_on(Screen::Desktop).await;
    // A handler and supervisor writes and sends it.
    browser.sign_in("shenzhen").await;
    browser.open("/console/answers").await;
    browser.click("#new-answer").await;
    browser
        .type_into("#a-question", "小区门口的垃圾站臭味很大，找谁？")
        .await;
    browser
        .type_into(
            "#a-answer",
            "生活垃圾收集站的臭味由环境卫生主管部门管理。可以拨打12345或在本网站反映，写明垃圾站的位置和臭味最重的时段。",
        )
        .await;
    browser
        .type_into(
            "#a-basis",
            "《中华人民共和国固体废物污染环境防治法》 | 第四十九条",
        )
        .await;
    browser.type_into("#a-keywords", "垃圾站，垃圾臭味").await;
    browser.click("#save-answer").await;
    let state = browser.text_of("#answer-state").await;
    assert!(state.contains("草稿"), "{state}");
    browser.click("#step-submit").await;
    let notice = browser.text_of("#answer-notice").await;
    assert!(notice.contains("已送审"), "{notice}");
    // Whoever sent it cannot publish it.
    assert!(
        browser
            .client
            .find(Locator::Css("#step-publish"))
            .await
            .is_err(),
        "the sender was offered to publish"
    );
    browser.snapshot("answer-in-review-desktop").await;
    browser.sign_out().await;

    // Another supervisor publishes it.
    browser.sign_in("futian").await;
    browser.open("/console/answers").await;
    browser.click("#answer-rows li:first-child a").await;
    browser.click("#step-publish").await;
    let notice = browser.text_of("#answer-notice").await;
    assert!(notice.contains("已发布"), "{notice}");
    browser.sign_out().await;

    // The public finds it from the report form.
    browser.open("/report").await;
    browser
        .type_into("#description", "楼下垃圾站每天早上臭得开不了窗")
        .await;
    wait_for_text(&browser, "#answer-offer", "垃圾站").await;
    browser.snapshot("answers-offered-on-report-desktop").await;
    browser.finish().await;
}
