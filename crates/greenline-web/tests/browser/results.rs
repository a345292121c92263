//! The public results and figures as a citizen sees them, on a phone and on an office screen:
//! the home page leads to the published results; the region lists narrow them to a county; one
//! result opens with its finding and reply and no reporter; the monthly figures draw their
//! chart with the table under it.

use serde_json::json;

use crate::helpers::TestApp;
use crate::{Browser, Screen, report_about};

/// Publishes case `id` with a reply and summary that name the reporter, as the national office.
async fn publish(app: &TestApp, token: &str, id: i64) {
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({
            "action": "conclude",
            "outcome": "substantiated",
            "findings": "现场检查发现该工地夜间施工，未落实扬尘防治措施。举报人陈小姐反映属实。",
            "enforcement": [{"type": "ordered_to_rectify"}, {"type": "fine", "amount_yuan": 30000}]
        }),
        json!({"action": "reply", "text": "陈小姐您好：经查，您反映的情况属实，我局已责令该工地停止夜间施工，并处罚款3万元。如有疑问请拨打13812345678。"}),
        json!({"action": "publish", "summary": "工地夜间违规施工、扬尘防治不到位，已责令整改并处罚款3万元。"}),
    ] {
        let reply = app.act(token, id, command.clone()).await;
        assert_eq!(
            reply.status,
            reqwest::StatusCode::OK,
            "{command}: {}",
            reply.body
        );
    }
}

/// Waits for an element of the page a form submission leads to; a look-up that the
/// navigation interrupts is tried again.
async fn after_navigation(browser: &Browser, xpath: &str) {
    let deadline = std::time::Instant::now() + crate::WAIT;
    loop {
        match browser.client.find(fantoccini::Locator::XPath(xpath)).await {
            Ok(_) => return,
            Err(e) if std::time::Instant::now() > deadline => panic!("no {xpath}: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

async fn scroll_to(browser: &Browser, css: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' });",
            vec![json!(css)],
        )
        .await
        .expect("scroll");
}

/// Four published results in Nanshan, one in Futian, and the month behind them closed.
async fn published_results(app: &TestApp) -> (String, String) {
    let nation = app.login("nation").await;
    let mut nanshan = String::new();
    for _ in 0..4 {
        let (id, number, _) = report_about(app, "440305").await;
        publish(app, &nation, id).await;
        nanshan = number;
    }
    let (id, futian, _) = report_about(app, "440304").await;
    publish(app, &nation, id).await;
    app.advance(10);
    app.caught_up().await;
    (nanshan, futian)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_citizen_finds_a_published_result_and_the_monthly_figures() {
    for (screen, suffix) in [(Screen::Phone, "phone"), (Screen::Desktop, "1366")] {
        let browser = Browser::start_on(screen).await;
        let (nanshan, futian) = published_results(&browser.app).await;

        browser.open("/").await;
        assert_eq!(browser.text_of("#hotline").await, "12369");
        browser.snapshot(&format!("home-{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }

        browser.click("#link-results").await;
        assert_eq!(browser.text_of("main h1").await, "办理结果公开");
        browser.text_of("#results").await;
        let page = browser.source().await;
        assert!(page.contains(&nanshan) && page.contains(&futian));
        assert!(!page.contains("陈小姐") && !page.contains("13812345678"));
        browser.snapshot(&format!("results-{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }

        // Narrow to Futian through the region lists, which load each level as it is chosen. A
        // phone shows the results first and the filters folded.
        if screen == Screen::Phone {
            browser.click("#filter-box summary").await;
        }
        browser.choose("#f-province", "440000").await;
        browser.choose("#f-city", "440300").await;
        browser.choose("#f-county", "440304").await;
        browser.click("#results-form button[type=submit]").await;
        after_navigation(&browser, "//h2[@id='h-list' and contains(., '福田区')]").await;
        let page = browser.source().await;
        assert!(page.contains(&futian) && !page.contains(&nanshan));
        browser
            .snapshot(&format!("results-filtered-{suffix}"))
            .await;
        scroll_to(&browser, "#h-list").await;
        browser
            .snapshot(&format!("results-filtered-list-{suffix}"))
            .await;

        // One result: the finding and the reply, the reporter masked.
        browser.click("#results .result-item h3 a").await;
        assert_eq!(browser.text_of("#tracking-no").await, futian);
        let reply = browser.text_of("#reply").await;
        assert!(
            reply.contains("[姓名]") && reply.contains("[电话]"),
            "{reply}"
        );
        assert!(browser.text_of("#findings").await.contains("扬尘"));
        browser.snapshot(&format!("result-{suffix}")).await;
        scroll_to(&browser, "#h-result").await;
        browser.snapshot(&format!("result-more-{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }

        // Nothing matches: the empty state says what to do.
        browser.open("/results?type=water").await;
        assert!(
            browser
                .text_of("#empty")
                .await
                .contains("没有符合条件的公开结果")
        );
        browser.snapshot(&format!("results-empty-{suffix}")).await;

        // The figures of Shenzhen: the chart is drawn, the table holds the same months.
        browser.open("/").await;
        browser.click("#link-figures").await;
        browser.choose("#f-province", "440000").await;
        browser.choose("#f-city", "440300").await;
        browser.click("#figures-form button[type=submit]").await;
        after_navigation(&browser, "//h2[@id='h-monthly' and contains(., '深圳市')]").await;
        browser.text_of("[data-chart=\"monthly\"] canvas").await;
        let last_month = browser.text_of("#monthly tbody tr:last-child").await;
        assert!(last_month.starts_with("2026-11"), "{last_month}");
        assert!(last_month.contains('5'), "{last_month}");
        browser.snapshot(&format!("figures-{suffix}")).await;
        scroll_to(&browser, "#h-monthly").await;
        browser.snapshot(&format!("figures-chart-{suffix}")).await;
        scroll_to(&browser, "#h-types").await;
        browser.snapshot(&format!("figures-types-{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        } else {
            // The smallest phones: a 360 px window, nothing to scroll sideways on any public page.
            fits_360(&browser, &futian).await;
        }
        browser.finish().await;
    }
}

async fn fits_360(browser: &Browser, number: &str) {
    browser
        .client
        .set_window_size(360, 800)
        .await
        .expect("a 360 px window");
    for path in [
        "/".to_owned(),
        "/results".to_owned(),
        format!("/results/{number}"),
        "/figures?province=440000&city=440300".to_owned(),
    ] {
        browser.open(&path).await;
        browser.text_of("main h1").await;
        let sizes = browser
            .client
            .execute(
                "return [window.innerWidth, document.documentElement.scrollWidth];",
                vec![],
            )
            .await
            .expect("sizes");
        let (viewport, content) = (sizes[0].as_i64(), sizes[1].as_i64());
        assert_eq!(viewport, Some(360), "{path}: the window is 360 px wide");
        assert!(
            content <= viewport,
            "{path} scrolls sideways at 360 px: {content:?} px"
        );
        let name: String = path
            .split('?')
            .next()
            .unwrap_or("")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        browser.snapshot(&format!("360{name}")).await;
    }
}
