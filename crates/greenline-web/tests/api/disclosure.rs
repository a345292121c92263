//! Information-disclosure requests over HTTP: the story from the portal to the annual report,
//! a request turned into a complaint, every kind of answer refused without its required
//! content, and the applicant's identity absent from everything but its own audited read.

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::WorkingCalendar;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app_at};

/// Thursday 2025-09-25, 10:00 China time: national day's holiday (1–8 October) and its two
/// make-up days (Sunday 28 September, Saturday 11 October) lie ahead.
fn thursday_before_national_day() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-09-25T02:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

const NAME: &str = "钱多多";
const ID_NUMBER: &str = "440301199001011234";
const PHONE: &str = "13612345678";

fn application(app: &TestApp) -> Value {
    json!({
        "unit_id": app.units["shenzhen"],
        "channel": "web",
        "applicant_kind": "natural_person",
        "applicant_name": NAME,
        "applicant_id_number": ID_NUMBER,
        "phone": PHONE,
        "description": "请公开深圳市某电镀厂2025年废水排放监督性监测报告",
        "delivery": "paper",
    })
}

async fn apply(app: &TestApp) -> i64 {
    let reply = app
        .post(None, "/api/v1/disclosure/requests", &application(app))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_i64().expect("id")
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let reply = app
        .post(
            Some(token),
            &format!("/api/v1/disclosure/requests/{id}/steps"),
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{body}: {}", reply.body);
    reply.body
}

fn last_day(view: &Value) -> NaiveDate {
    day(view["clock"]["last_day"].as_str().expect("last day"))
}

fn row<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("row {code}"))
}

#[backend_test]
async fn a_request_from_the_portal_through_correction_and_extension_to_a_partial_answer_counted_in_the_annual_report(
    backend: Backend,
) {
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let calendar = WorkingCalendar::shipped();
    let id = apply(&app).await;
    let token = app.login("shenzhen").await;
    let path = format!("/api/v1/disclosure/requests/{id}");

    let received = app.get(Some(&token), &path).await;
    assert_eq!(received.status, StatusCode::OK, "{}", received.body);
    assert_eq!(received.body["clock"]["state"], "running");
    let first_due = last_day(&received.body);
    assert_eq!(
        first_due,
        calendar.add_working_days(day("2025-09-25"), 20).last_day
    );
    assert_eq!(first_due, day("2025-10-29"));

    // Friday: the description is unclear; a correction is asked for and the clock stops.
    app.advance(1);
    let token = app.login("shenzhen").await;
    let asked = step(
        &app,
        &token,
        id,
        json!({"action": "ask_correction", "what": "请写明电镀厂名称"}),
    )
    .await;
    assert_eq!(asked["clock"]["state"], "waiting_for_correction");
    assert_eq!(asked["stage"], "correction_requested");

    // The corrected application arrives on Sunday 28 September, a make-up working day (调休).
    app.advance(2);
    let token = app.login("shenzhen").await;
    let corrected = step(&app, &token, id, json!({"action": "receive_correction"})).await;
    assert_eq!(corrected["clock"]["state"], "running");
    let restarted_due = last_day(&corrected);
    // The clock restarts from the corrected application: the due date moves by exactly the
    // working days waited since receipt — Friday 26 and the Sunday worked, two.
    let waited = calendar.working_days_between(day("2025-09-25"), day("2025-09-28"));
    assert_eq!(waited, 2);
    assert_eq!(
        calendar.working_days_between(first_due, restarted_due),
        waited
    );
    assert_eq!(restarted_due, day("2025-10-31"));

    // An extension needs the head's consent; at most 20 working days, once.
    app.advance(20);
    let token = app.login("shenzhen").await;
    let refused = app
        .post(
            Some(&token),
            &format!("{path}/steps"),
            &json!({"action": "extend", "working_days": 25, "reason": "需调取多年档案", "consented_by": ""}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields: Vec<_> = refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["working_days", "consented_by"]);
    let handler = app.login("shenzhen-handler").await;
    let not_a_supervisor = app
        .post(
            Some(&handler),
            &format!("{path}/steps"),
            &json!({"action": "extend", "working_days": 20, "reason": "需调取多年档案", "consented_by": "公开办主任 孙某"}),
        )
        .await;
    assert_eq!(not_a_supervisor.status, StatusCode::FORBIDDEN);
    let extended = step(
        &app,
        &token,
        id,
        json!({"action": "extend", "working_days": 20, "reason": "需调取多年档案", "consented_by": "公开办主任 孙某"}),
    )
    .await;
    assert_eq!(extended["extension"]["consented_by"], "公开办主任 孙某");
    assert_eq!(
        last_day(&extended),
        calendar.add_working_days(restarted_due, 20).last_day
    );

    // A partial answer: what was withheld and on which ground.
    app.advance(3);
    let token = app.login("shenzhen").await;
    let answered = step(
        &app,
        &token,
        id,
        json!({"action": "answer", "answer": {
            "kind": "partly_disclosed",
            "delivery": "paper",
            "withheld": "报告中涉及企业生产工艺的部分",
            "ground": "third_party_rights",
        }}),
    )
    .await;
    assert_eq!(answered["stage"], "answered");
    assert_eq!(answered["answer"]["kind"], "partly_disclosed");
    assert_eq!(answered["answer"]["ground"], "third_party_rights");
    assert_eq!(answered["actions"], json!([]));

    let history = app.get(Some(&token), &path).await;
    let actions: Vec<_> = history.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "apply",
            "ask_correction",
            "receive_correction",
            "extend",
            "answer"
        ]
    );

    let report = app
        .get(
            Some(&token),
            &format!(
                "/api/v1/disclosure/annual-report?year=2025&unit_id={}",
                app.units["shenzhen"]
            ),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(
        row(&report.body, "received")["counts"],
        json!([1, 0, 0, 0, 0, 0])
    );
    assert_eq!(row(&report.body, "partly_disclosed")["total"], 1);
    assert_eq!(row(&report.body, "partly_disclosed")["counts"][0], 1);
    assert_eq!(row(&report.body, "disclosed")["total"], 0);
    assert_eq!(row(&report.body, "withheld.third_party_rights")["total"], 0);
    assert_eq!(row(&report.body, "answered_total")["total"], 1);
    assert_eq!(row(&report.body, "carried_out")["total"], 0);
    let csv = app
        .get(
            Some(&token),
            &format!(
                "/api/v1/disclosure/annual-report?year=2025&unit_id={}&format=csv",
                app.units["shenzhen"]
            ),
        )
        .await;
    let text = csv.body.as_str().expect("csv text");
    assert!(text.starts_with("项目,自然人,商业企业"), "{text}");
    assert!(
        text.contains("（二）部分公开（区分处理的，只计这一情形，不计其他情形）\",1,0,0,0,0,0,1"),
        "{text}"
    );
}

#[backend_test]
async fn a_request_that_is_a_complaint_becomes_a_linked_report_case_and_is_closed(
    backend: Backend,
) {
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let id = apply(&app).await;
    let token = app.login("shenzhen").await;
    let reply = app
        .post(
            Some(&token),
            &format!("/api/v1/disclosure/requests/{id}/complaint"),
            &json!({"region": "440305", "address": "南山区某工业园", "primary_type": "water"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let case_id = reply.body["case_id"].as_i64().expect("case id");
    assert_eq!(reply.body["request"]["stage"], "answered");
    assert_eq!(reply.body["request"]["answer"]["kind"], "redirected");
    assert_eq!(reply.body["request"]["answer"]["to"], "complaint");
    assert_eq!(reply.body["request"]["complaint_case"], case_id);
    let case_no = reply.body["case_tracking_no"].as_str().expect("number");
    assert!(
        reply.body["request"]["answer"]["note"]
            .as_str()
            .is_some_and(|n| n.contains(case_no)),
        "{}",
        reply.body
    );

    // The report case exists, with the applicant as its reporter and an event naming the
    // request.
    let case = app
        .get(Some(&token), &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_eq!(case.body["kind"], "report");
    let reporter = app
        .get(Some(&token), &format!("/api/v1/cases/{case_id}/reporter"))
        .await;
    assert_eq!(reporter.body["name"], NAME);
    let events = app
        .get(Some(&token), &format!("/api/v1/cases/{case_id}/events"))
        .await;
    assert!(
        events
            .body
            .as_array()
            .expect("events")
            .iter()
            .any(|e| { e["action"] == "from_disclosure" && e["data"]["disclosure_request"] == id }),
        "{}",
        events.body
    );
    // The request is closed: no step is open, and a second turn is refused.
    let again = app
        .post(
            Some(&token),
            &format!("/api/v1/disclosure/requests/{id}/complaint"),
            &json!({"region": "440305"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(app.case_count().await, 1);
}

#[backend_test]
async fn every_kind_of_answer_is_refused_without_its_required_content_and_nothing_changes(
    backend: Backend,
) {
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let id = apply(&app).await;
    let token = app.login("shenzhen").await;
    let cases = [
        (json!({"kind": "disclosed"}), vec!["delivery"]),
        (json!({"kind": "already_public"}), vec!["where_published"]),
        (
            json!({"kind": "withheld", "reason": "涉及商业秘密"}),
            vec!["ground"],
        ),
        (
            json!({"kind": "withheld", "ground": "trade_secret", "reason": "涉及商业秘密"}),
            vec!["ground"],
        ),
        (
            json!({"kind": "partly_disclosed", "delivery": "paper"}),
            vec!["withheld", "ground"],
        ),
        (
            json!({"kind": "not_held", "right_agency_known": true}),
            vec!["right_agency"],
        ),
        (json!({"kind": "repeated"}), vec!["earlier_request"]),
        (json!({"kind": "redirected"}), vec!["redirect_to", "note"]),
    ];
    for (answer, want) in cases {
        let reply = app
            .post(
                Some(&token),
                &format!("/api/v1/disclosure/requests/{id}/steps"),
                &json!({"action": "answer", "answer": answer}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{answer}: {}",
            reply.body
        );
        let fields: Vec<_> = reply.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(fields, want, "{answer}");
    }
    // A repeat must name an earlier request of the same agency.
    let itself = app
        .post(
            Some(&token),
            &format!("/api/v1/disclosure/requests/{id}/steps"),
            &json!({"action": "answer", "answer": {"kind": "repeated", "earlier_request": id}}),
        )
        .await;
    assert_eq!(
        itself.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        itself.body
    );
    let unchanged = app
        .get(Some(&token), &format!("/api/v1/disclosure/requests/{id}"))
        .await;
    assert_eq!(unchanged.body["stage"], "received");
    assert_eq!(unchanged.body["version"], 0);
    assert_eq!(unchanged.body["events"].as_array().map(Vec::len), Some(1));
}

#[backend_test]
async fn the_applicants_identity_is_in_no_output_but_its_own_recorded_read(backend: Backend) {
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let receipt = app
        .post(None, "/api/v1/disclosure/requests", &application(&app))
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED);
    let id = receipt.body["id"].as_i64().expect("id");
    let token = app.login("shenzhen").await;
    let unit = app.units["shenzhen"];
    let leaks = |reply: &crate::helpers::Reply| {
        let text = reply.body.to_string();
        [NAME, ID_NUMBER, PHONE]
            .iter()
            .any(|secret| text.contains(secret))
    };
    let outputs = [
        receipt,
        app.get(Some(&token), &format!("/api/v1/disclosure/requests/{id}"))
            .await,
        app.get(Some(&token), "/api/v1/disclosure/requests").await,
        app.get(
            Some(&token),
            &format!("/api/v1/disclosure/annual-report?year=2025&unit_id={unit}"),
        )
        .await,
        app.get(None, "/api/v1/public/results").await,
    ];
    for output in &outputs {
        assert!(output.status.is_success(), "{}", output.body);
        assert!(!leaks(output), "{}", output.body);
    }
    // Without signing in, nothing of a request is read.
    let anonymous = app
        .get(None, &format!("/api/v1/disclosure/requests/{id}"))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // An analyst may not read the applicant; the attempt is recorded.
    let analyst = app.login("shenzhen-analyst").await;
    let refused = app
        .get(
            Some(&analyst),
            &format!("/api/v1/disclosure/requests/{id}/applicant"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // The handling unit's supervisor may, and the read is an event of the request.
    let read = app
        .get(
            Some(&token),
            &format!("/api/v1/disclosure/requests/{id}/applicant"),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["name"], NAME);
    let events = app.store.disclosure_events(id).await.expect("events");
    assert_eq!(
        events.last().map(|e| e.action.as_str()),
        Some("view_applicant")
    );
    let audit = app
        .store
        .audit_records(&greenline_store::AuditQuery {
            action: Some("read_applicant".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    let reads: Vec<_> = audit
        .iter()
        .filter(|r| r.entry.action == "read_applicant")
        .map(|r| r.entry.outcome)
        .collect();
    assert_eq!(
        reads,
        [
            greenline_store::AuditOutcome::Ok,
            greenline_store::AuditOutcome::Denied
        ]
    );
}

#[backend_test]
async fn the_answer_document_is_written_in_html_and_word_sent_and_downloaded_by_the_applicant(
    backend: Backend,
) {
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let receipt = app
        .post(None, "/api/v1/disclosure/requests", &application(&app))
        .await;
    let id = receipt.body["id"].as_i64().expect("id");
    let number = receipt.body["tracking_no"]
        .as_str()
        .expect("number")
        .to_owned();
    let secret = receipt.body["secret"].as_str().expect("secret").to_owned();
    let token = app.login("shenzhen").await;
    let download = |path: String, secret: Option<String>| {
        let mut request = app.http.get(app.url(&path));
        if let Some(secret) = secret {
            request = request.header("x-tracking-secret", secret);
        } else {
            request = request.bearer_auth(&token);
        }
        async move {
            let response = request.send().await.expect("request");
            let status = response.status();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (status, kind, response.bytes().await.expect("body").to_vec())
        }
    };
    // Not answered yet: no document.
    let (status, _, _) = download(format!("/api/v1/disclosure/requests/{id}/answer"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);

    step(
        &app,
        &token,
        id,
        json!({"action": "answer", "answer": {
            "kind": "withheld", "ground": "process_information",
            "reason": "所申请信息为内部讨论记录，属于过程性信息",
        }}),
    )
    .await;
    let (status, kind, html) =
        download(format!("/api/v1/disclosure/requests/{id}/answer"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = String::from_utf8(html).expect("utf-8");
    for part in [
        "政府信息公开申请答复书",
        NAME,
        number.as_str(),
        "属于四类过程性信息",
        "第十六条",
        "不予公开",
        "行政复议",
        "深圳市生态环境局",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    let (status, kind, docx) = download(
        format!("/api/v1/disclosure/requests/{id}/answer?format=docx"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("wordprocessingml"), "{kind}");
    assert!(docx.starts_with(b"PK"), "a Word file is a zip");

    let sent = app
        .post(
            Some(&token),
            &format!("/api/v1/disclosure/requests/{id}/sent"),
            &json!({"by": "post", "note": "挂号信"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    // The applicant follows the request and downloads the document with the secret.
    let track = app
        .http
        .get(app.url(&format!("/api/v1/disclosure/track/{number}")))
        .header("x-tracking-secret", &secret)
        .send()
        .await
        .expect("track");
    let view = crate::helpers::read(track).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["answer_zh"], "不予公开");
    assert_eq!(view.body["has_document"], true);
    let (status, _, own) = download(
        format!("/api/v1/disclosure/track/{number}/answer?format=docx"),
        Some(secret.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.starts_with(b"PK"));
    let (status, _, _) = download(
        format!("/api/v1/disclosure/track/{number}/answer"),
        Some("WRONGSECRET1".into()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let events = app.store.disclosure_events(id).await.expect("events");
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"send_answer"), "{actions:?}");
    let sending = events
        .iter()
        .find(|e| e.action == "send_answer")
        .expect("sent");
    assert_eq!(sending.data["by"], "post");
    // The applicant's download is recorded too.
    assert!(
        events
            .iter()
            .any(|e| e.action == "view_applicant" && e.data["download_answer"] == "docx"),
        "{actions:?}"
    );
}

/// The handler's desk in the console: the request's page with its clock, a correction asked
/// and received, an answer refused in Chinese without its ground and given with it, the
/// applicant read (and recorded), the answer document downloaded and its sending recorded —
/// every step from a form, as a handler works.
#[backend_test]
async fn a_handler_takes_every_step_from_the_requests_console_page(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page, post_form};
    let app = spawn_app_at(backend, thursday_before_national_day()).await;
    let id = apply(&app).await;
    let client = browser();
    let token = console_sign_in(&client, &app, "shenzhen").await;
    let path = format!("/console/disclosure/{id}");

    let (status, list) = page(&client, &app, "/console/disclosure").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"{path}\"")), "{list}");
    let (status, html) = page(&client, &app, &path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("计时中") && html.contains("电镀厂"), "{html}");
    assert!(
        !html.contains(NAME),
        "the applicant is not on the page until asked for"
    );
    let version = |html: &str| -> String {
        let marker = "name=\"version\" value=\"";
        let start = html.find(marker).expect("a version") + marker.len();
        html[start..].split('"').next().expect("version").to_owned()
    };

    let steps = format!("{path}/steps");
    let v = version(&html);
    let (status, headers, body) = post_form(
        &client,
        &app,
        &steps,
        &[
            ("csrf_token", &token),
            ("version", &v),
            ("action", "ask_correction"),
            ("what", "请写明监测报告的年份和排污口"),
            ("reply_within_working_days", "15"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"], path.as_str());
    let (_, html) = page(&client, &app, &path).await;
    assert!(html.contains("暂停计时（等待补正）"), "{html}");
    let v = version(&html);
    let (status, _, _) = post_form(
        &client,
        &app,
        &steps,
        &[
            ("csrf_token", &token),
            ("version", &v),
            ("action", "receive_correction"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Withheld in part without its ground: refused in Chinese, nothing changed.
    let (_, html) = page(&client, &app, &path).await;
    let v = version(&html);
    let answer = |ground: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("version", v.clone()),
            ("action", "answer".to_owned()),
            ("kind", "partly_disclosed".to_owned()),
            ("delivery", "paper".to_owned()),
            ("ground", ground.to_owned()),
            ("withheld", "第三方的商业秘密部分".to_owned()),
        ]
    };
    let bare = answer("");
    let bare: Vec<(&str, &str)> = bare.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post_form(&client, &app, &steps, &bare).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("请选择不予公开的法律依据"), "{html}");
    let grounded = answer(greenline_domain::disclosure::WithholdingGround::ALL[3].code());
    let grounded: Vec<(&str, &str)> = grounded.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = post_form(&client, &app, &steps, &grounded).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = page(&client, &app, &path).await;
    assert!(
        html.contains("已答复") && html.contains("部分公开"),
        "{html}"
    );

    // The applicant, read on purpose and recorded.
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("{path}/applicant"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(NAME) && html.contains("审计"), "{html}");

    let document = client
        .get(app.url(&format!("{path}/answer/docx")))
        .send()
        .await
        .expect("document");
    assert_eq!(document.status(), StatusCode::OK);
    let bytes = document.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "a Word file is a zip");
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("{path}/sent"),
        &[("csrf_token", &token), ("by", "post"), ("note", "挂号信")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("已记录送达") && html.contains("送达答复"),
        "{html}"
    );
}
