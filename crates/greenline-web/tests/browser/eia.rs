//! Public participation in EIA, the whole story on a phone and on an office screen: staff
//! register a project and publish its notices with their dates in the console; the public
//! pages show each notice from its date and say when comments are taken; a comment sent in
//! the draft report's window is taken, one sent after it closed is refused with the day the
//! next window opens; staff answer the comments and publish the participation statement, which
//! the project's page then shows; the console's figures and the dashboard count the comment.

use serde_json::json;

use crate::{Browser, Screen};

/// Sets a form field's value directly (a date input's typing depends on the browser's locale).
async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set {css}: {e}"));
}

/// Scrolls the element `css` to the top of the screen, for the snapshot.
async fn scroll_to(browser: &Browser, css: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' });",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
}

/// The page has no violation of WCAG 2.0/2.1 A or AA that axe-core finds.
async fn assert_accessible(browser: &Browser, name: &str) {
    let found = browser.accessibility_violations().await;
    assert!(found.is_empty(), "{name}:\n{}", found.join("\n"));
}

/// Waits until the page shows `css` with a text that `ready` accepts, and gives that text: a
/// form's post navigates, and a look-up may meet the page before or during it.
async fn wait_until(browser: &Browser, css: &str, ready: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + crate::WAIT;
    loop {
        let text = match browser.client.find(fantoccini::Locator::Css(css)).await {
            Ok(element) => element.text().await.ok(),
            Err(_) => None,
        };
        match text {
            Some(text) if ready(&text) => return text,
            seen if std::time::Instant::now() > deadline => {
                panic!("{css} never became ready; last seen {seen:?}")
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

/// [`wait_until`] the element shows at all.
async fn wait_for(browser: &Browser, css: &str) -> String {
    wait_until(browser, css, |_| true).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn staff_publish_notices_the_public_comments_in_the_window_and_reads_the_answers() {
    for (screen, suffix) in [(Screen::Phone, "phone"), (Screen::Desktop, "1366")] {
        let browser = Browser::start_on(screen).await;
        let app = &browser.app;

        // Staff register the project and publish the first notice and the draft report's.
        browser.sign_in("shenzhen").await;
        browser.open("/console/eia").await;
        browser.type_into("#f-name", "南山热电联产扩建项目").await;
        browser
            .type_into("#f-developer", "深圳某能源有限公司")
            .await;
        browser.type_into("#f-region", "440305").await;
        browser.type_into("#f-location", "科技园南路1号").await;
        browser.choose("#f-type", "energy").await;
        browser
            .type_into("#f-consultant", "某环境科技有限公司")
            .await;
        browser.click("#eia-new button[type=submit]").await;
        wait_until(&browser, "main h1", |t| t == "南山热电联产扩建项目").await;
        let url = browser.client.current_url().await.expect("url");
        let id: i64 = url
            .path()
            .rsplit('/')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("the project's id in the address");

        set_value(&browser, "#f-start", "2026-11-27").await;
        set_value(&browser, "#f-counted", "2026-11-25").await;
        browser
            .type_into("#f-body", "建设项目基本情况及环评文件编制单位")
            .await;
        browser.click("#notice-form button[type=submit]").await;
        assert!(
            wait_for(&browser, "#eia-notice")
                .await
                .contains("公示已发布")
        );
        set_value(&browser, "#f-start", "2026-12-07").await;
        browser
            .type_into("#f-body", "环境影响报告书征求意见稿全文及公众意见表")
            .await;
        browser.click("#notice-form button[type=submit]").await;
        assert!(
            wait_for(&browser, "#eia-notice")
                .await
                .contains("公示已发布")
        );
        // The second post's page replaces the first's, which showed the same confirmation.
        wait_until(&browser, "#eia-notices", |notices| {
            notices.contains("2026年12月7日至2026年12月21日（10个工作日）")
        })
        .await;
        scroll_to(&browser, "#h-notices").await;
        browser.snapshot(&format!("eia-console-{suffix}")).await;
        browser.sign_out().await;

        // The public see the first notice today, and when comments will be taken.
        browser.open("/eia").await;
        let list = browser.text_of("#eia-projects").await;
        assert!(list.contains("南山热电联产扩建项目"), "{list}");
        assert!(list.contains("下一次征集将于2026年12月7日开始"), "{list}");
        assert_accessible(&browser, "the project list").await;
        browser.click("#eia-projects a").await;
        let window = wait_for(&browser, "#eia-window").await;
        assert!(window.contains("2026年12月7日开始"), "{window}");
        let page = browser.source().await;
        assert!(page.contains("首次公示") && !page.contains("征求意见稿全文"));
        assert!(
            !page.contains("id=\"comment-form\""),
            "no form outside a window"
        );
        browser.snapshot(&format!("eia-before-{suffix}")).await;
        assert_accessible(&browser, "the project before its window").await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }

        // On the day the draft goes up, the form takes a comment.
        app.advance(10);
        browser.open(&format!("/eia/{id}")).await;
        let window = wait_for(&browser, "#eia-window").await;
        assert!(window.contains("截止2026年12月21日"), "{window}");
        assert!(browser.source().await.contains("征求意见稿全文"));
        browser
            .type_into(
                "#f-text",
                "夜间施工噪声会影响小区居民休息，希望限制施工时间",
            )
            .await;
        browser.type_into("#f-phone", "13912345678").await;
        browser.snapshot(&format!("eia-form-{suffix}")).await;
        assert_accessible(&browser, "the comment form").await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.click("#comment-form button[type=submit]").await;
        assert!(
            wait_for(&browser, "#comment-sent")
                .await
                .contains("您的意见已收到")
        );

        // The acceptance notice is scheduled; a comment sent after the draft's window closed
        // is refused, naming the day the next window opens.
        let staff = app.login("shenzhen").await;
        let acceptance = app
            .post(
                Some(&staff),
                &format!("/api/v1/eia/projects/{id}/notices"),
                &json!({"kind": "acceptance", "start": "2026-12-24", "body": "受理公示"}),
            )
            .await;
        assert_eq!(
            acceptance.status,
            reqwest::StatusCode::CREATED,
            "{}",
            acceptance.body
        );
        app.advance(14); // 2026-12-21, the window's last day
        browser.open(&format!("/eia/{id}")).await;
        browser
            .type_into("#f-text", "烟囱废气排放会不会影响空气")
            .await;
        app.advance(1);
        browser.click("#comment-form button[type=submit]").await;
        let refused = wait_for(&browser, "#comment-refused").await;
        assert!(
            refused.contains("您的意见未能提交") && refused.contains("2026年12月24日开始"),
            "{refused}"
        );
        scroll_to(&browser, "#comment").await;
        browser.snapshot(&format!("eia-refused-{suffix}")).await;
        assert_accessible(&browser, "the refusal").await;

        // Staff answer the comment's theme and publish the statement.
        browser.sign_in("shenzhen").await;
        browser.open(&format!("/console/eia/{id}")).await;
        browser.choose("#adoption-1", "adopted").await;
        browser
            .type_into("#reason-1", "夜间22时至次日6时禁止高噪声施工")
            .await;
        browser.click(".answer-form button[type=submit]").await;
        assert!(
            wait_for(&browser, "#eia-notice")
                .await
                .contains("答复已保存")
        );
        browser
            .type_into("#f-statement", "建设单位已对公众意见逐类作出答复")
            .await;
        browser.click("#statement-form button[type=submit]").await;
        wait_until(&browser, "#eia-notice", |t| t.contains("已公开")).await;

        // The figures count the comment, by month and by project.
        browser.open("/console/eia").await;
        assert_eq!(browser.text_of("#eia-comment-total").await, "1");
        let months = browser.text_of("#eia-by-month").await;
        assert!(months.contains("2026-12"), "{months}");
        scroll_to(&browser, "#eia-figures").await;
        browser.snapshot(&format!("eia-figures-{suffix}")).await;
        // And on the dashboard, for its region and period.
        browser.open("/console/dashboard").await;
        assert_eq!(browser.text_of("#eia-dashboard-total").await, "1");
        assert!(
            browser
                .text_of("#eia-dashboard")
                .await
                .contains("南山热电联产扩建项目")
        );
        scroll_to(&browser, "#eia-dashboard").await;
        browser.snapshot(&format!("eia-dashboard-{suffix}")).await;
        browser.sign_out().await;

        // The public page shows the answer and the statement, and no commenter.
        browser.open(&format!("/eia/{id}")).await;
        let themes = browser.text_of("#eia-themes").await;
        assert!(
            themes.contains("采纳") && themes.contains("夜间22时至次日6时禁止高噪声施工"),
            "{themes}"
        );
        assert_eq!(
            browser.text_of("#eia-statement").await,
            "建设单位已对公众意见逐类作出答复"
        );
        assert!(!browser.source().await.contains("13912345678"));
        scroll_to(&browser, "#h-themes").await;
        browser.snapshot(&format!("eia-answered-{suffix}")).await;
        assert_accessible(&browser, "the answered project").await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        browser.finish().await;
    }
}
