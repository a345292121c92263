//! Reporters' identities typed into case texts: an analyst (a role that may not read reporters)
//! sees them masked wherever case texts reach them — the case, its history, the case list and
//! full-text search — and cannot find a case by searching for them; a handler sees the texts as
//! written. The reporter's own tracking view masks staff's reply too.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, spawn_app, web_report};

const DESCRIPTION: &str =
    "工地夜里打桩。我叫王建国，电话139 1234 5678，邮箱wjg@example.com。陈小姐也投诉过。";

#[backend_test]
pub async fn an_analyst_sees_identities_masked_where_a_handler_sees_the_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut report = web_report();
    report["description"] = json!(DESCRIPTION);
    let receipt = app.post(None, "/api/v1/cases", &report).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let id = receipt.body["id"].as_i64().expect("id");
    // A web report is held by the national office until routed; its staff take the steps.
    let nation = app.login("nation").await;
    let handler = app.login("shenzhen-handler").await;
    let analyst = app.login("shenzhen-analyst").await;
    let accepted = app
        .act(
            &nation,
            id,
            json!({"action": "accept", "note": "已回电陈小姐 13812345678 核实"}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    app.caught_up().await;

    let private = [
        "王建国",
        "1234 5678",
        "wjg@example.com",
        "陈小姐",
        "13812345678",
    ];
    let shows = |text: &str| -> Vec<&str> {
        private
            .iter()
            .copied()
            .filter(|p| text.contains(p))
            .collect()
    };

    // The case, its history and the list.
    let case = app
        .get(Some(&analyst), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    let description = case.body["description"].as_str().expect("description");
    assert_eq!(
        description,
        "工地夜里打桩。我叫[姓名]，电话[电话]，邮箱[邮箱]。[姓名]也投诉过。"
    );
    let events = app
        .get(Some(&analyst), &format!("/api/v1/cases/{id}/events"))
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    assert_eq!(shows(&events.body.to_string()), Vec::<&str>::new());
    assert!(events.body.to_string().contains("已回电[姓名] [电话] 核实"));
    let list = app.get(Some(&analyst), "/api/v1/cases").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(shows(&list.body.to_string()), Vec::<&str>::new());

    let handlers_case = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(handlers_case.body["description"], DESCRIPTION);
    let handlers_events = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}/events"))
        .await;
    assert!(handlers_events.body.to_string().contains("13812345678"));

    // Search: masked passages, and no case found by an identity.
    let found = app.get(Some(&analyst), "/api/v1/search?q=打桩").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["total"], 1, "{}", found.body);
    let text = found.body.to_string();
    assert_eq!(shows(&text), Vec::<&str>::new(), "{text}");
    assert!(text.contains("[姓名]") && text.contains("[电话]"), "{text}");
    for probe in ["王建国", "139+1234+5678", "陈小姐", "wjg"] {
        let probed = app
            .get(Some(&analyst), &format!("/api/v1/search?q={probe}"))
            .await;
        assert_eq!(probed.status, StatusCode::OK, "{}", probed.body);
        assert_eq!(probed.body["total"], 0, "{probe}: {}", probed.body);
        let by_handler = app
            .get(Some(&handler), &format!("/api/v1/search?q={probe}"))
            .await;
        assert_eq!(by_handler.body["total"], 1, "{probe}: {}", by_handler.body);
    }
    let handlers_hit = app.get(Some(&handler), "/api/v1/search?q=打桩").await;
    assert!(
        handlers_hit.body.to_string().contains("王建国"),
        "{}",
        handlers_hit.body
    );

    // The tracking view masks staff's reply as well.
    for command in [
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实。"}),
        json!({"action": "reply", "text": "陈小姐您好：经查属实，已责令停止夜间施工。"}),
    ] {
        let step = app.act(&nation, id, command.clone()).await;
        assert_eq!(step.status, StatusCode::OK, "{command}: {}", step.body);
    }
    let secret = receipt.body["secret"].as_str().expect("secret");
    let no = receipt.body["tracking_no"].as_str().expect("tracking no");
    let tracked = app
        .post(
            None,
            &format!("/api/v1/track/{no}"),
            &json!({ "secret": secret }),
        )
        .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert_eq!(
        tracked.body["reply"],
        "[姓名]您好：经查属实，已责令停止夜间施工。"
    );
}
