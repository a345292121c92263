//! The administration at an office screen: an administrator adds a dispatch rule and tries it,
//! a web report then lands at its county with the automatic steps in its history; the county
//! sends a case back (退回) with a reason and the city routes it again.

use fantoccini::Locator;
use greenline_app::accounts::hash_password;
use greenline_domain::Role;
use greenline_store::NewStaff;
use serde_json::json;

use crate::helpers::{PASSWORD, start_time};
use crate::{Browser, Screen, WAIT, report_about};

/// Scrolls the element `css` to the top of the window.
async fn scroll_to(browser: &Browser, css: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView();",
            vec![json!(css)],
        )
        .await
        .expect("scroll");
}

async fn sign_out(browser: &Browser) {
    browser.click("header form button.link").await;
    browser.text_of("#username").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn an_administrator_adds_a_rule_and_a_web_report_lands_at_its_county() {
    let browser = Browser::start_on(Screen::Desktop).await;
    let app = &browser.app;
    // The national and provincial rules exist already: the city's is the one added here.
    app.store
        .create_staff(
            &NewStaff {
                username: "nation-admin".into(),
                display_name: "国家平台管理员".into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                unit_id: app.units["nation"],
                roles: vec![Role::Admin],
            },
            start_time(),
        )
        .await
        .expect("admin");
    let nation_admin = app.login("nation-admin").await;
    for (owner, region, target) in [
        ("nation", "440000", "guangdong"),
        ("guangdong", "440300", "shenzhen"),
    ] {
        let added = app
            .post(
                Some(&nation_admin),
                "/api/v1/dispatch-rules",
                &json!({"owner_unit_id": app.units[owner], "region": region,
                        "target_unit_id": app.units[target]}),
            )
            .await;
        assert_eq!(added.status, reqwest::StatusCode::CREATED, "{}", added.body);
    }

    browser.sign_in("shenzhen-admin").await;
    browser.click("header nav a[href=\"/console/admin\"]").await;
    browser.click("a[href=\"/console/admin/units\"]").await;
    let units = browser.text_of("ul.cases").await;
    assert!(units.contains("深圳市生态环境局南山管理局"), "{units}");
    assert!(units.contains("上级：深圳市生态环境局"), "{units}");
    browser.snapshot("admin-units").await;

    browser.open("/console/admin/dispatch").await;
    browser.type_into("#rule-region", "440305").await;
    browser
        .choose("#rule-target", &app.units["nanshan"].to_string())
        .await;
    browser
        .type_into("#rule-note", "南山辖区举报直接交南山局")
        .await;
    browser.click("button[data-action=save-rule]").await;
    let notice = browser.text_of("#admin-notice").await;
    assert!(notice.contains("深圳市生态环境局南山管理局"), "{notice}");
    // A rule up the chain is refused, naming the field.
    browser.type_into("#rule-region", "440300").await;
    browser
        .choose("#rule-target", &app.units["nanshan"].to_string())
        .await;
    browser.click("button[data-action=save-rule]").await;
    let refused = browser.text_of(".error-summary").await;
    assert!(refused.contains("地区"), "{refused}");
    // The dry run: a noise report in Nanshan goes through the city's rule.
    browser.type_into("#trial-region", "440305").await;
    browser.choose("#trial-type", "noise").await;
    browser.click("form.filters button[type=submit]").await;
    let trial = browser.text_of("#trial-result").await;
    assert!(
        trial.contains("最终到达：深圳市生态环境局南山管理局"),
        "{trial}"
    );
    browser.snapshot("admin-dispatch-trial").await;
    scroll_to(&browser, "h1").await;
    browser.snapshot("admin-dispatch").await;

    browser.open("/console/admin/deadlines").await;
    browser.type_into("#dl-region", "440300").await;
    browser.choose("#dl-kind", "report").await;
    browser.type_into("#dl-acceptance", "20").await;
    browser.click("form.action button[type=submit]").await;
    let refused = browser.text_of(".error-summary").await;
    assert!(refused.contains("受理时限"), "{refused}");
    browser.type_into("#dl-acceptance", "7").await;
    browser.click("form.action button[type=submit]").await;
    browser.text_of("#admin-notice").await;
    browser.snapshot("admin-deadlines").await;

    browser.open("/console/admin/templates").await;
    browser.choose("#tpl-type", "noise").await;
    browser.type_into("#tpl-title", "噪声扰民答复").await;
    browser
        .type_into(
            "#tpl-body",
            "您于{received_date}反映的{type}问题（编号 {tracking_no}）已由{unit}现场核查。",
        )
        .await;
    browser.click("form.action button[type=submit]").await;
    browser.text_of("#admin-notice").await;
    browser.snapshot("admin-templates").await;
    sign_out(&browser).await;

    // A web report about Nanshan goes down the chain at once.
    let (case, _, _) = report_about(app, "440305").await;
    let stored = app.store.case(case).await.expect("case");
    assert_eq!(stored.unit_id, app.units["nanshan"]);
    browser.sign_in("nanshan").await;
    browser.open(&format!("/console/cases/{case}")).await;
    let history = browser.text_of("ol.timeline").await;
    assert_eq!(
        history.matches("自动分派").count(),
        6,
        "three steps, each actor and rule: {history}"
    );
    // The county finds it is not theirs and sends it back with a reason.
    browser
        .type_into("#send_back-reason", "现场核实地址位于福田区，请重新分派")
        .await;
    browser.click("button[data-action=send_back]").await;
    browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ol[@class='timeline']//span[@class='note' and contains(., '请重新分派')]",
        ))
        .await
        .expect("the send-back is in the history");
    assert_eq!(
        app.store.case(case).await.expect("case").unit_id,
        app.units["shenzhen"]
    );
    sign_out(&browser).await;

    // The city routes it again.
    browser.sign_in("shenzhen").await;
    browser.open(&format!("/console/cases/{case}")).await;
    let history = browser.text_of("ol.timeline").await;
    assert!(history.contains("退回"), "{history}");
    browser
        .choose("#assign-unit_id", &app.units["nanshan"].to_string())
        .await;
    browser.type_into("#assign-note", "经核实仍属南山区").await;
    browser.click("button[data-action=assign]").await;
    browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ol[@class='timeline']//span[@class='note' and contains(., '仍属南山区')]",
        ))
        .await
        .expect("the routing is in the history");
    scroll_to(&browser, "#history-title").await;
    browser.snapshot("send-back").await;
    assert_eq!(
        app.store.case(case).await.expect("case").unit_id,
        app.units["nanshan"]
    );
    sign_out(&browser).await;

    // Nanshan handles it; the reply starts from the city's noise template, filled by the script.
    let nanshan = app.login("nanshan").await;
    for step in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实，已责令停止"}),
    ] {
        let done = app.act(&nanshan, case, step).await;
        assert_eq!(done.status, reqwest::StatusCode::OK, "{}", done.body);
    }
    let tracking_no = app
        .store
        .case(case)
        .await
        .expect("case")
        .tracking_no()
        .to_string();
    browser.sign_in("nanshan").await;
    browser.open(&format!("/console/cases/{case}")).await;
    let choice = browser
        .client
        .find(Locator::XPath(
            "//select[@id='reply-template']/option[text()='噪声扰民答复']",
        ))
        .await
        .expect("the noise template is offered");
    let value = choice.attr("value").await.expect("value").expect("a value");
    browser.choose("#reply-template", &value).await;
    let filled = browser
        .client
        .find(Locator::Css("#reply-text"))
        .await
        .expect("reply text")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(filled.contains(&tracking_no), "{filled}");
    assert!(
        filled.contains("已由深圳市生态环境局南山管理局现场核查"),
        "{filled}"
    );
    assert!(!filled.contains('{'), "{filled}");
    scroll_to(&browser, "#actions-title").await;
    browser.snapshot("reply-template").await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_administration_pages_fit_a_phone() {
    let browser = Browser::start_on(Screen::Phone).await;
    let app = &browser.app;
    let admin = app.login("shenzhen-admin").await;
    let added = app
        .post(
            Some(&admin),
            "/api/v1/dispatch-rules",
            &json!({"region": "440305", "pollution_type": "noise",
                    "target_unit_id": app.units["nanshan"], "note": "南山辖区噪声举报"}),
        )
        .await;
    assert_eq!(added.status, reqwest::StatusCode::CREATED, "{}", added.body);
    let added = app
        .post(
            Some(&admin),
            "/api/v1/reply-templates",
            &json!({"title": "通用答复", "body": "您反映的{type}问题（编号 {tracking_no}）已办结。"}),
        )
        .await;
    assert_eq!(added.status, reqwest::StatusCode::CREATED, "{}", added.body);
    browser.sign_in("shenzhen-admin").await;
    for (path, name) in [
        ("/console/admin", "admin-phone"),
        ("/console/admin/units", "admin-units-phone"),
        (
            "/console/admin/dispatch?trial_region=440305&trial_type=noise",
            "admin-dispatch-phone",
        ),
        ("/console/admin/deadlines", "admin-deadlines-phone"),
        ("/console/admin/templates", "admin-templates-phone"),
    ] {
        browser.open(path).await;
        browser.text_of("h1").await;
        browser.snapshot(name).await;
        browser.assert_fits_the_screen().await;
    }
    browser.finish().await;
}
