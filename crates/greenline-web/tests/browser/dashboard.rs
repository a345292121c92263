//! The dashboard (数据分析): a national analyst narrows it to a province and opens the cases
//! behind a bar; a county's staff cannot open the neighbouring county's dashboard by address.

use chrono::{NaiveDate, Utc};
use greenline_app::accounts::hash_password;
use greenline_domain::{RegionCode, Role};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_store::{ImportItem, ImportMessage, NewStaff};

use crate::helpers::{PASSWORD, TestApp};
use crate::{Browser, Screen, WAIT};

/// A sample of two provinces' simulated cases over the two years before the tests' day, held
/// by the national office; waits until the statistics count them.
async fn two_provinces(app: &TestApp) {
    let mut items = Vec::new();
    for (seed, province) in [(44, "440000"), (33, "330000")] {
        let simulator = Simulator::new(SimConfig {
            seed,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
            days: 690,
            cases: None,
            scale: Scale::Province(RegionCode::parse(province).expect("region")),
            inject_events: false,
        })
        .expect("simulator");
        items.extend(simulator.step_by(50).map(|(record, _)| ImportItem {
            imported: record.to_imported().expect("valid simulated record"),
            unit_id: app.units["nation"],
            due_at: None,
        }));
    }
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let feeder = tokio::spawn(async move {
        sender
            .send(ImportMessage::Cases(items))
            .await
            .expect("send");
        sender.send(ImportMessage::Commit).await.expect("commit");
    });
    app.store.import(receiver).await.expect("import");
    feeder.await.expect("feeder");
    app.caught_up().await;
}

async fn sign_in(browser: &Browser, username: &str) {
    browser.open("/login").await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("header span.who").await;
}

/// Waits until the chart in `[data-chart=name]` has drawn its canvas.
async fn drawn(browser: &Browser, name: &str) {
    browser
        .text_of(&format!("[data-chart=\"{name}\"] canvas"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_analyst_narrows_the_dashboard_to_a_province_and_opens_its_cases() {
    for (screen, suffix) in [(Screen::Desktop, "1366"), (Screen::Phone, "phone")] {
        let browser = Browser::start_on(screen).await;
        let app = &browser.app;
        two_provinces(app).await;
        app.store
            .create_staff(
                &NewStaff {
                    username: "nation-analyst".into(),
                    display_name: "国家平台分析员".into(),
                    password_hash: hash_password(PASSWORD).expect("hash"),
                    unit_id: app.units["nation"],
                    roles: vec![Role::Analyst],
                },
                Utc::now(),
            )
            .await
            .expect("analyst");

        sign_in(&browser, "nation-analyst").await;
        browser
            .click("header nav a[href=\"/console/dashboard\"]")
            .await;
        assert_eq!(browser.text_of("main h1").await, "数据分析");
        for chart in ["volume", "types", "channels", "regions", "funnel", "units"] {
            drawn(&browser, chart).await;
        }
        let national: u64 = browser.text_of("#total").await.parse().expect("total");
        assert!(national > 500, "{national}");
        browser.snapshot(&format!("dashboard-{suffix}")).await;
        if screen == Screen::Phone {
            browser.assert_fits_the_screen().await;
        }
        for (part, heading) in [
            ("charts", "h-types"),
            ("funnel", "h-funnel"),
            ("units", "h-units"),
        ] {
            scroll_to(&browser, heading).await;
            browser
                .snapshot(&format!("dashboard-{suffix}-{part}"))
                .await;
        }

        // The province: the page comes back with its cities ranked.
        browser.choose("#f-r1", "440000").await;
        browser
            .client
            .wait()
            .at_most(WAIT)
            .for_element(fantoccini::Locator::XPath(
                "//h2[@id='h-regions' and contains(., '地市')]",
            ))
            .await
            .expect("the cities of the province are ranked");
        assert!(browser.text_of(".summary .lead").await.contains("广东省"));
        let province: u64 = browser.text_of("#total").await.parse().expect("total");
        assert!(
            province < national && province > 0,
            "{province} of {national}"
        );
        drawn(&browser, "regions").await;
        scroll_to(&browser, "h-regions").await;
        if screen == Screen::Desktop {
            browser.snapshot("dashboard-province").await;
        } else {
            browser.snapshot("dashboard-province-phone").await;
            browser.assert_fits_the_screen().await;
        }

        // A click on the first city's bar opens that city's cases of the period.
        let (city, count) = click_first_bar(&browser, "regions").await;
        browser.text_of("ul.cases").await;
        let address = browser.client.current_url().await.expect("url");
        assert_eq!(address.path(), "/console");
        let query = address.query().unwrap_or_default().to_owned();
        assert!(query.contains(&format!("region={city}")), "{query}");
        assert!(query.contains("received_from=2026-01-01"), "{query}");
        assert!(
            browser
                .text_of("#counted-filters")
                .await
                .contains("收到日期自 2026-01-01"),
            "the list says which figure's filters it shows"
        );
        let rows = browser.source().await.matches("class=\"case-row\"").count();
        assert_eq!(
            rows as u64,
            count.min(50),
            "the first page of the city's {count} cases"
        );
        let name = RegionCode::parse(&city).expect("city").name().to_owned();
        let regions: Vec<String> = {
            let mut texts = Vec::new();
            for cell in browser
                .client
                .find_all(fantoccini::Locator::Css(".case-row .region"))
                .await
                .expect("regions")
            {
                texts.push(cell.text().await.expect("text"));
            }
            texts
        };
        assert!(
            regions.iter().all(|r| r.contains(&name)),
            "every case listed is in {name}: {regions:?}"
        );
        browser.finish().await;
    }
}

/// Scrolls the heading with this id to the top of the screen.
async fn scroll_to(browser: &Browser, id: &str) {
    browser
        .client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView({ block: 'start' });",
            vec![serde_json::json!(id)],
        )
        .await
        .expect("scroll");
}

/// Clicks the largest bar of a ranked bar chart as a mouse would (down, up, click at its
/// middle); the region code and count behind it.
async fn click_first_bar(browser: &Browser, chart: &str) -> (String, u64) {
    let found = browser
        .client
        .execute(
            r#"
            var box = document.querySelector('[data-chart="' + arguments[0] + '"]');
            var chart = echarts.getInstanceByDom(box);
            var data = JSON.parse(document.getElementById('dashboard-data').textContent);
            var first = data.regions[0];
            var rows = data.regions.length;
            // Bars are drawn bottom-up: the first region is the top bar.
            var at = chart.convertToPixel({ seriesIndex: 0 }, [first.count / 2, rows - 1]);
            var rect = box.getBoundingClientRect();
            box.scrollIntoView({ block: 'center' });
            rect = box.getBoundingClientRect();
            var target = box.querySelector('canvas') || box;
            var init = { bubbles: true, cancelable: true, view: window, button: 0,
                         clientX: rect.left + at[0], clientY: rect.top + at[1] };
            ['mousemove', 'mousedown', 'mouseup', 'click'].forEach(function (type) {
                target.dispatchEvent(new MouseEvent(type, init));
            });
            return [first.code, first.count];
            "#,
            vec![serde_json::json!(chart)],
        )
        .await
        .expect("click a bar");
    (
        found[0].as_str().expect("code").to_owned(),
        found[1].as_u64().expect("count"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_county_cannot_open_its_neighbours_dashboard_by_address() {
    let browser = Browser::start_on(Screen::Phone).await;
    sign_in(&browser, "futian").await;
    browser.open("/console/dashboard?region=440305").await;
    assert_eq!(browser.text_of("main h1").await, "无权操作");
    assert!(
        !browser.source().await.contains("dashboard-data"),
        "no figure of Nanshan on the page"
    );
    browser.snapshot("dashboard-refused").await;
    browser.open("/console/dashboard").await;
    assert_eq!(browser.text_of("main h1").await, "数据分析");
    assert!(browser.text_of(".summary .lead").await.contains("福田区"));
    browser.finish().await;
}
