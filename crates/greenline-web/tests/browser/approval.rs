//! Approval of conclusions (审核) and the callback (回访) on an office screen: a county handler
//! concludes a case with an enforcement measure and a reply, the unit's supervisor approves it,
//! and an operator records the callback.

use fantoccini::Locator;
use greenline_app::accounts::hash_password;
use greenline_domain::{Approval, Role};
use greenline_store::NewStaff;
use serde_json::json;

use crate::helpers::{PASSWORD, start_time};
use crate::{Browser, Screen, WAIT, report_about};

impl Browser {
    async fn wait_for_stage(&self, stage: &str) {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&format!(
                "//strong[@id='stage' and text()='{stage}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("the case never showed {stage}: {e}"));
    }

    async fn scroll_to(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});",
                vec![json!(css)],
            )
            .await
            .expect("scroll");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_county_conclusion_is_approved_by_its_supervisor_and_the_reporter_called_back() {
    let browser = Browser::start_on(Screen::Desktop).await;
    let app = &browser.app;
    app.core
        .set_unit_approval(None, "深圳市生态环境局南山管理局", Approval::Required)
        .await
        .expect("approval on");
    app.store
        .create_staff(
            &NewStaff {
                username: "nanshan-lead".into(),
                display_name: "南山局审核人".into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                unit_id: app.units["nanshan"],
                roles: vec![Role::Handler, Role::Supervisor],
            },
            start_time(),
        )
        .await
        .expect("staff");
    let (id, no, secret) = report_about(app, "440305").await;
    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "assign", "unit_id": app.units["nanshan"]}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
    }

    // The handler handles the case and submits the conclusion and the reply.
    browser.sign_in("nanshan").await;
    browser.open(&format!("/console/cases/{id}")).await;
    browser.click("button[data-action=handle]").await;
    browser.wait_for_stage("办理中").await;
    let hint = browser.text_of("#approval-hint").await;
    assert!(hint.contains("须经审核"), "{hint}");
    assert!(
        !browser.source().await.contains("data-action=\"conclude\""),
        "no direct conclusion under approval"
    );
    browser.choose("#submit-outcome", "substantiated").await;
    browser
        .type_into(
            "#submit-findings",
            "现场检查发现工地夜间违规打桩，噪声超标。",
        )
        .await;
    browser.click("#submit-enforce_rectify").await;
    browser.type_into("#submit-fine_yuan", "50000").await;
    browser
        .type_into(
            "#submit-reply",
            "经查属实，已责令该工地停止夜间施工并处罚款五万元。",
        )
        .await;
    browser.click("button[data-action=submit]").await;
    browser.wait_for_stage("待审核").await;
    assert_eq!(browser.text_of("#draft-state").await, "待审核");
    browser.text_of("#awaiting-approval").await;
    assert_eq!(
        browser.text_of("#draft-enforcement").await,
        "责令整改、罚款50000元"
    );
    browser.scroll_to("#draft").await;
    browser.snapshot("approval-handler").await;

    // The reporter sees the case as being handled, and nothing of the draft.
    let tracked = app
        .http
        .get(app.url(&format!("/api/v1/track/{no}")))
        .header("X-Tracking-Secret", &secret)
        .send()
        .await
        .expect("track")
        .text()
        .await
        .expect("body");
    assert!(tracked.contains("\"stage\":\"handling\""), "{tracked}");
    assert!(!tracked.contains("罚款"), "{tracked}");
    browser.sign_out().await;

    // The unit's supervisor approves it.
    browser.sign_in("nanshan-lead").await;
    browser.open(&format!("/console/cases/{id}")).await;
    assert_eq!(browser.text_of("#stage").await, "待审核");
    browser.text_of("button[data-action=return_draft]").await;
    browser.type_into("#approve-note", "同意").await;
    browser.scroll_to("#draft").await;
    browser.snapshot("approval-supervisor").await;
    browser.click("button[data-action=approve]").await;
    browser.wait_for_stage("已答复").await;
    assert_eq!(
        browser.text_of("#enforcement").await,
        "责令整改、罚款50000元"
    );
    let history = browser.text_of("ol.timeline").await;
    for line in ["提交审核", "审核通过", "办结", "答复", "南山局审核人"] {
        assert!(
            history.contains(line),
            "{line} missing from the history: {history}"
        );
    }
    browser.sign_out().await;

    // An operator calls the reporter back.
    browser.sign_in("nanshan").await;
    browser.open(&format!("/console/cases/{id}")).await;
    browser
        .choose("#callback-satisfaction", "basically_satisfied")
        .await;
    browser.choose("#callback-solved", "yes").await;
    browser
        .type_into("#callback-note", "举报人表示夜间已无施工噪声")
        .await;
    browser.click("button[data-action=callback]").await;
    let recorded = browser.text_of("#callbacks").await;
    assert!(
        recorded.contains("基本满意") && recorded.contains("已解决"),
        "{recorded}"
    );
    browser.scroll_to("#callback-title").await;
    browser.snapshot("callback").await;
    let callbacks = app.store.callbacks(id).await.expect("callbacks");
    assert_eq!(callbacks.len(), 1);
    browser.finish().await;
}
