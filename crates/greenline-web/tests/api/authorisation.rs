//! The authorisation matrix: every operation of the API document (which is generated from the
//! route table) × every role × inside and outside the jurisdiction × the public. An operation
//! added to the routes without a row here fails the test, so no endpoint goes untested.
//!
//! Each caller's answer is sorted into a gate: 401 (not signed in), 403 (role), 404 (not in
//! the caller's jurisdiction, or not theirs), or through the gate (any other answer: the use
//! case ran, whether it then succeeded or found the input wanting).

use std::collections::BTreeSet;

use greenline_app::accounts::hash_password;
use greenline_domain::Role;
use greenline_store::NewStaff;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app, start_time, web_report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Through,
    Unauthorized,
    Forbidden,
    NotFound,
}

impl Gate {
    fn of(status: StatusCode) -> Gate {
        match status {
            StatusCode::UNAUTHORIZED => Gate::Unauthorized,
            StatusCode::FORBIDDEN => Gate::Forbidden,
            StatusCode::NOT_FOUND => Gate::NotFound,
            _ => Gate::Through,
        }
    }
}

/// Who asks: the public, or a staff member with one role, of Shenzhen (inside: the case is in
/// Nanshan, held by Shenzhen's bureau) or of Futian (outside).
#[derive(Debug, Clone, Copy)]
struct Who {
    role: Option<Role>,
    inside: bool,
}

/// What an operation allows.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Anyone, but only for a case whose result is published: the fixture's case is not, so
    /// everyone, staff of its own jurisdiction included, is told it does not exist.
    Published,
    /// The public, and staff whose roles key in cases.
    Intake,
    /// Any staff member, about their own jurisdiction (no case named).
    Staff,
    /// Staff in these roles, about their own jurisdiction.
    Roles(&'static [Role]),
    /// A case: seen by every role but the auditor inside the jurisdiction, acted on by these.
    Case(&'static [Role]),
    /// An account of the jurisdiction: administrators.
    Account,
    /// A token: its owner (a Shenzhen handler) or an administrator of the jurisdiction.
    Token,
    /// A dispatch rule or reply template of Shenzhen: its administrators (of Shenzhen or
    /// above).
    AdminItem,
    /// An Open311 submission or a 12345 transfer: a registered client's or centre's key, which
    /// no one here sends (a staff session is not a key), so everyone is refused (403).
    ClientKey,
}

const READERS: &[Role] = &[
    Role::Operator,
    Role::Handler,
    Role::Supervisor,
    Role::Analyst,
    Role::Admin,
];
const CASE_WORKERS: &[Role] = &[Role::Handler, Role::Supervisor];
const IDENTITY_READERS: &[Role] = &[Role::Operator, Role::Handler, Role::Supervisor];

/// Every operation of the API and its rule.
const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/api/v1/accounts", Rule::Roles(&[Role::Admin])),
    ("POST", "/api/v1/accounts/{id}/disable", Rule::Account),
    ("POST", "/api/v1/accounts/{id}/enable", Rule::Account),
    (
        "POST",
        "/api/v1/accounts/{id}/password/reset",
        Rule::Account,
    ),
    ("POST", "/api/v1/accounts/{id}/sessions/end", Rule::Account),
    ("GET", "/api/v1/air/cities/{code}/days", Rule::Public),
    (
        "GET",
        "/api/v1/air/cities/{code}/months/{month}",
        Rule::Public,
    ),
    ("GET", "/api/v1/air/cities/{code}/today", Rule::Public),
    (
        "GET",
        "/api/v1/air/cities/{code}/years/{year}",
        Rule::Public,
    ),
    ("GET", "/api/v1/alerts", Rule::Roles(READERS)),
    ("POST", "/api/v1/aqi", Rule::Public),
    ("GET", "/api/v1/audit", Rule::Roles(&[Role::Auditor])),
    ("GET", "/api/v1/audit/verify", Rule::Roles(&[Role::Auditor])),
    ("POST", "/api/v1/auth/login", Rule::Public),
    ("POST", "/api/v1/auth/logout", Rule::Staff),
    ("POST", "/api/v1/auth/password", Rule::Public),
    ("GET", "/api/v1/auth/tokens", Rule::Staff),
    ("POST", "/api/v1/auth/tokens", Rule::Staff),
    ("DELETE", "/api/v1/auth/tokens/{id}", Rule::Token),
    ("GET", "/api/v1/cases", Rule::Roles(READERS)),
    ("GET", "/api/v1/dashboard", Rule::Roles(READERS)),
    ("POST", "/api/v1/cases", Rule::Intake),
    ("GET", "/api/v1/cases/{id}", Rule::Case(READERS)),
    // Every reader of the case lists its files; those who may not read the reporter are
    // listed only the public copies of the citizen's photos.
    ("GET", "/api/v1/cases/{id}/attachments", Rule::Case(READERS)),
    (
        "POST",
        "/api/v1/cases/{id}/attachments",
        Rule::Case(IDENTITY_READERS),
    ),
    (
        "GET",
        "/api/v1/cases/{id}/attachments/{attachment}",
        Rule::Case(IDENTITY_READERS),
    ),
    // Callbacks (回访): operators, handlers and supervisors; the case is not replied, so
    // those let through are refused by the use case (422).
    (
        "POST",
        "/api/v1/cases/{id}/callbacks",
        Rule::Case(IDENTITY_READERS),
    ),
    ("GET", "/api/v1/cases/{id}/events", Rule::Case(READERS)),
    ("GET", "/api/v1/cases/{id}/group", Rule::Case(READERS)),
    ("POST", "/api/v1/cases/{id}/merge", Rule::Case(CASE_WORKERS)),
    (
        "POST",
        "/api/v1/cases/{id}/oversight",
        Rule::Case(&[Role::Supervisor]),
    ),
    (
        "GET",
        "/api/v1/cases/{id}/reporter",
        Rule::Case(IDENTITY_READERS),
    ),
    (
        "GET",
        "/api/v1/cases/{id}/reply-templates",
        Rule::Case(READERS),
    ),
    ("GET", "/api/v1/cases/{id}/same-source", Rule::Case(READERS)),
    (
        "POST",
        "/api/v1/cases/{id}/transitions",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/types",
        Rule::Case(IDENTITY_READERS),
    ),
    // Information-disclosure requests: applying is open to the public (the portal) and to the
    // staff who key in letters and visits; the request is held by Shenzhen's bureau.
    ("POST", "/api/v1/disclosure/requests", Rule::Intake),
    ("GET", "/api/v1/disclosure/requests", Rule::Roles(READERS)),
    (
        "GET",
        "/api/v1/disclosure/requests/{id}",
        Rule::Case(READERS),
    ),
    (
        "POST",
        "/api/v1/disclosure/requests/{id}/steps",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "POST",
        "/api/v1/disclosure/requests/{id}/complaint",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "GET",
        "/api/v1/disclosure/requests/{id}/applicant",
        Rule::Case(IDENTITY_READERS),
    ),
    // The answer document names the applicant: the roles that read reporters.
    (
        "GET",
        "/api/v1/disclosure/requests/{id}/answer",
        Rule::Case(IDENTITY_READERS),
    ),
    (
        "POST",
        "/api/v1/disclosure/requests/{id}/sent",
        Rule::Case(CASE_WORKERS),
    ),
    // The applicant's view and download: a tracking number and secret, no account.
    (
        "GET",
        "/api/v1/disclosure/track/{tracking_no}",
        Rule::Public,
    ),
    (
        "GET",
        "/api/v1/disclosure/track/{tracking_no}/answer",
        Rule::Public,
    ),
    // The tables of Futian's bureau: inside both callers' jurisdictions.
    (
        "GET",
        "/api/v1/disclosure/annual-report",
        Rule::Roles(READERS),
    ),
    ("GET", "/api/v1/dispatch-rules", Rule::Roles(&[Role::Admin])),
    (
        "POST",
        "/api/v1/dispatch-rules",
        Rule::Roles(&[Role::Admin]),
    ),
    ("PUT", "/api/v1/dispatch-rules/{id}", Rule::AdminItem),
    (
        "POST",
        "/api/v1/dispatch-rules/{id}/disable",
        Rule::AdminItem,
    ),
    (
        "POST",
        "/api/v1/dispatch-rules/{id}/enable",
        Rule::AdminItem,
    ),
    (
        "GET",
        "/api/v1/dispatch-rules/trial",
        Rule::Roles(&[Role::Admin]),
    ),
    // Type, place and same-source hints for any reader; the phone look-up (not asked here)
    // only for roles that read reporters (see desk.rs).
    ("POST", "/api/v1/desk/suggestions", Rule::Roles(READERS)),
    // EIA participation: projects read like cases (their place within the jurisdiction),
    // kept by handlers and supervisors of the reviewing unit's chain; the commenter like a
    // reporter; the public pages and the comment form for anyone.
    ("GET", "/api/v1/eia/projects", Rule::Roles(READERS)),
    ("POST", "/api/v1/eia/projects", Rule::Roles(CASE_WORKERS)),
    ("GET", "/api/v1/eia/projects/{id}", Rule::Case(READERS)),
    (
        "POST",
        "/api/v1/eia/projects/{id}/notices",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "POST",
        "/api/v1/eia/projects/{id}/regroup",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "GET",
        "/api/v1/eia/projects/{id}/comments/{comment_id}/commenter",
        Rule::Case(IDENTITY_READERS),
    ),
    (
        "POST",
        "/api/v1/eia/projects/{id}/answers",
        Rule::Case(CASE_WORKERS),
    ),
    (
        "POST",
        "/api/v1/eia/projects/{id}/statement",
        Rule::Case(CASE_WORKERS),
    ),
    ("GET", "/api/v1/public/eia/projects", Rule::Public),
    ("GET", "/api/v1/public/eia/projects/{id}", Rule::Public),
    (
        "POST",
        "/api/v1/public/eia/projects/{id}/comments",
        Rule::Public,
    ),
    ("GET", "/api/v1/stats/eia-comments", Rule::Roles(READERS)),
    ("GET", "/api/v1/health", Rule::Public),
    ("GET", "/api/v1/me", Rule::Staff),
    // Every reader passes the gate; a role that takes no steps gets an empty queue.
    ("GET", "/api/v1/queue", Rule::Roles(READERS)),
    (
        "GET",
        "/api/v1/reply-templates",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "POST",
        "/api/v1/reply-templates",
        Rule::Roles(&[Role::Admin]),
    ),
    ("PUT", "/api/v1/reply-templates/{id}", Rule::AdminItem),
    (
        "POST",
        "/api/v1/reply-templates/{id}/disable",
        Rule::AdminItem,
    ),
    (
        "POST",
        "/api/v1/reply-templates/{id}/enable",
        Rule::AdminItem,
    ),
    ("POST", "/api/v1/public/similar", Rule::Public),
    // Plain answers: kept by those who answer the public (a supervisor's steps are refused
    // further in by the use case); read by anyone.
    ("GET", "/api/v1/answers", Rule::Roles(IDENTITY_READERS)),
    ("POST", "/api/v1/answers", Rule::Roles(IDENTITY_READERS)),
    ("GET", "/api/v1/answers/{id}", Rule::Roles(IDENTITY_READERS)),
    ("PUT", "/api/v1/answers/{id}", Rule::Roles(IDENTITY_READERS)),
    (
        "POST",
        "/api/v1/answers/{id}/steps",
        Rule::Roles(IDENTITY_READERS),
    ),
    ("GET", "/api/v1/public/answers", Rule::Public),
    ("GET", "/api/v1/public/answers/{id}", Rule::Public),
    ("POST", "/api/v1/public/answers/{id}/feedback", Rule::Public),
    ("POST", "/api/v1/public/answers/match", Rule::Public),
    ("GET", "/api/v1/reports/{period}", Rule::Roles(READERS)),
    ("GET", "/api/v1/search", Rule::Roles(READERS)),
    ("GET", "/api/v1/stats", Rule::Roles(READERS)),
    ("GET", "/api/v1/stats/callbacks", Rule::Roles(READERS)),
    ("GET", "/api/v1/stats/compare", Rule::Roles(READERS)),
    ("GET", "/api/v1/topics", Rule::Roles(READERS)),
    ("GET", "/api/v1/public/figures", Rule::Public),
    ("GET", "/api/v1/public/results", Rule::Public),
    (
        "GET",
        "/api/v1/public/results/{tracking_no}",
        Rule::Published,
    ),
    ("GET", "/api/v1/track/{tracking_no}", Rule::Public),
    // A proof refused (an empty body), or a code request without a phone: through the gate.
    ("POST", "/api/v1/track/{tracking_no}", Rule::Public),
    ("POST", "/api/v1/track/{tracking_no}/code", Rule::Public),
    ("POST", "/api/v1/track/{tracking_no}/secret", Rule::Public),
    // A rating of a case not replied yet: through the gate, refused by the use case.
    ("POST", "/api/v1/track/{tracking_no}/rating", Rule::Public),
    ("POST", "/api/v1/track/{tracking_no}/review", Rule::Public),
    ("GET", "/api/v1/trends", Rule::Roles(READERS)),
    ("GET", "/api/v1/units", Rule::Roles(READERS)),
    // Open311 clients are registered by any administrator: a key submits as a citizen's app
    // would, wherever the issuing administrator sits.
    (
        "GET",
        "/api/v1/open311/clients",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "POST",
        "/api/v1/open311/clients",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "POST",
        "/api/v1/open311/clients/{id}/revoke",
        Rule::Roles(&[Role::Admin]),
    ),
    // Open311 GeoReport v2: reading is public, submitting needs a client's key.
    ("GET", "/open311/v2/discovery.{format}", Rule::Public),
    ("GET", "/open311/v2/services.{format}", Rule::Public),
    (
        "GET",
        "/open311/v2/services/{service_code}.{format}",
        Rule::Public,
    ),
    ("GET", "/open311/v2/requests.{format}", Rule::Public),
    ("POST", "/open311/v2/requests.{format}", Rule::ClientKey),
    (
        "GET",
        "/open311/v2/requests/{service_request_id}.{format}",
        Rule::Public,
    ),
    ("GET", "/open311/v2/tokens/{token}.{format}", Rule::Public),
    // The 12345 hand-over: a centre's key in X-Centre-Key, which no one here sends.
    ("POST", "/api/v1/transfers", Rule::ClientKey),
    ("GET", "/api/v1/transfers/status", Rule::ClientKey),
    (
        "GET",
        "/api/v1/transfer-centres",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "POST",
        "/api/v1/transfer-centres",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "POST",
        "/api/v1/transfer-centres/{id}/revoke",
        Rule::Roles(&[Role::Admin]),
    ),
    (
        "GET",
        "/api/v1/transfer-centres/{id}/callbacks",
        Rule::Roles(&[Role::Admin]),
    ),
];

/// The gate `who` must meet on an operation with `rule`.
fn expected(rule: Rule, who: Who) -> Gate {
    if let Rule::Published = rule {
        return Gate::NotFound;
    }
    if let Rule::ClientKey = rule {
        return Gate::Forbidden;
    }
    let Some(role) = who.role else {
        return match rule {
            Rule::Public | Rule::Intake => Gate::Through,
            _ => Gate::Unauthorized,
        };
    };
    let has = |roles: &[Role]| roles.contains(&role);
    match rule {
        Rule::Public | Rule::Staff => Gate::Through,
        Rule::Published => Gate::NotFound,
        Rule::Intake if has(&[Role::Operator, Role::Handler, Role::Supervisor]) => Gate::Through,
        Rule::Intake => Gate::Forbidden,
        Rule::Roles(roles) if has(roles) => Gate::Through,
        Rule::Roles(_) => Gate::Forbidden,
        Rule::Case(_) if !who.inside || role == Role::Auditor => Gate::NotFound,
        Rule::Case(roles) if has(roles) => Gate::Through,
        Rule::Case(_) => Gate::Forbidden,
        Rule::Account if role != Role::Admin => Gate::Forbidden,
        Rule::Account if who.inside => Gate::Through,
        Rule::Account => Gate::NotFound,
        Rule::Token if role == Role::Admin && who.inside => Gate::Through,
        Rule::Token => Gate::NotFound,
        Rule::AdminItem if role != Role::Admin => Gate::Forbidden,
        Rule::AdminItem if who.inside => Gate::Through,
        Rule::AdminItem => Gate::NotFound,
        Rule::ClientKey => Gate::Forbidden,
    }
}

/// What the requests name: the case (in Nanshan, held by Shenzhen's bureau), another case to
/// merge into, an account and a token of Shenzhen.
struct Fixture {
    case: i64,
    other_case: i64,
    tracking_no: String,
    secret: String,
    account: i64,
    token: i64,
    attachment: i64,
    rule: i64,
    rule_owner: i64,
    rule_target: i64,
    template: i64,
    open311_client: i64,
    centre: i64,
    answer: i64,
    project: i64,
    comment: i64,
    disclosure_request: i64,
    futian: i64,
}

fn path_of(template: &str, f: &Fixture) -> String {
    let path = template
        .replace("{code}", "110000")
        .replace("{month}", "2013-01")
        .replace("{year}", "2013")
        .replace("{period}", "2026-11")
        .replace("{tracking_no}", &f.tracking_no);
    let path = match template {
        "/api/v1/topics" => format!("{path}?period=2026-11"),
        "/api/v1/dispatch-rules/trial" => format!("{path}?region=440305"),
        "/api/v1/search" => format!("{path}?q=%E6%89%93%E6%A1%A9"),
        "/api/v1/disclosure/annual-report" => format!("{path}?year=2026&unit_id={}", f.futian),
        _ => path,
    };
    if template.starts_with("/api/v1/disclosure/requests/") {
        return path.replace("{id}", &f.disclosure_request.to_string());
    }
    if template.starts_with("/open311/") {
        return path
            .replace("{format}", "json")
            .replace("{service_code}", "noise")
            .replace("{service_request_id}", &f.tracking_no)
            .replace("{token}", &f.tracking_no);
    }
    if template.starts_with("/api/v1/answers/") || template.starts_with("/api/v1/public/answers/") {
        return path.replace("{id}", &f.answer.to_string());
    }
    if template.starts_with("/api/v1/open311/clients/") {
        return path.replace("{id}", &f.open311_client.to_string());
    }
    if template.starts_with("/api/v1/eia/projects/")
        || template.starts_with("/api/v1/public/eia/projects/")
    {
        return path
            .replace("{id}", &f.project.to_string())
            .replace("{comment_id}", &f.comment.to_string());
    }
    if template.starts_with("/api/v1/transfer-centres/") {
        return path.replace("{id}", &f.centre.to_string());
    }
    if template.starts_with("/api/v1/cases/") {
        path.replace("{id}", &f.case.to_string())
            .replace("{attachment}", &f.attachment.to_string())
    } else if template.starts_with("/api/v1/accounts/") {
        path.replace("{id}", &f.account.to_string())
    } else if template.starts_with("/api/v1/dispatch-rules/") {
        path.replace("{id}", &f.rule.to_string())
    } else if template.starts_with("/api/v1/reply-templates/") {
        path.replace("{id}", &f.template.to_string())
    } else {
        path.replace("{id}", &f.token.to_string())
    }
}

fn body_of(method: &str, template: &str, f: &Fixture) -> Option<Value> {
    Some(match (method, template) {
        ("GET" | "DELETE", _) => return None,
        ("POST", "/api/v1/cases") => web_report(),
        ("POST", "/api/v1/cases/{id}/transitions") => json!({"action": "handle"}),
        ("POST", "/api/v1/cases/{id}/types") => json!({"primary_type": "noise"}),
        ("POST", "/api/v1/cases/{id}/merge") => json!({"into": f.other_case}),
        ("POST", "/api/v1/cases/{id}/oversight") => json!({"kind": "urge", "note": "请尽快办理"}),
        ("POST", "/api/v1/cases/{id}/callbacks") => {
            json!({"satisfaction": "satisfied", "solved": true})
        }
        ("POST", "/api/v1/track/{tracking_no}/rating") => {
            json!({"secret": f.secret, "satisfaction": "satisfied", "solved": true})
        }
        ("POST", "/api/v1/auth/login") => json!({"username": "matrix-login", "password": PASSWORD}),
        ("POST", "/api/v1/auth/password") => {
            json!({"username": "matrix-login", "current_password": PASSWORD, "new_password": "short"})
        }
        ("POST", "/api/v1/auth/tokens") => json!({"name": "矩阵", "days": 1}),
        ("POST", "/api/v1/open311/clients") => json!({"name": "矩阵"}),
        ("POST", "/api/v1/answers") => answer_content(),
        ("PUT", "/api/v1/answers/{id}") => json!({"version": 0, "content": answer_content()}),
        ("POST", "/api/v1/answers/{id}/steps") => json!({"step": "submit", "version": 0}),
        ("POST", "/api/v1/public/answers/{id}/feedback") => json!({"helped": true}),
        ("POST", "/api/v1/public/answers/match") => json!({"text": "楼顶装了基站"}),
        ("POST", "/api/v1/transfer-centres") => {
            json!({"code": format!("m{}", rand::random::<u32>()), "name": "矩阵", "region": "440300"})
        }
        ("POST", "/api/v1/transfers") => {
            json!({"order_no": "M-1", "region": "440305", "description": "夜间施工噪声扰民"})
        }
        ("POST", "/api/v1/aqi") => json!({"pm2_5": 80.0}),
        ("POST", "/api/v1/eia/projects") => crate::eia::project_form(),
        ("POST", "/api/v1/eia/projects/{id}/notices") => {
            json!({"kind": "acceptance", "start": "2026-12-20", "body": "受理公示"})
        }
        ("POST", "/api/v1/eia/projects/{id}/regroup") => {
            json!({"comment_ids": [f.comment], "theme": "矩阵"})
        }
        ("POST", "/api/v1/eia/projects/{id}/answers") => {
            json!({"theme": "矩阵", "adoption": "adopted", "reason": "理由"})
        }
        ("POST", "/api/v1/eia/projects/{id}/statement") => json!({"statement": "说明"}),
        ("POST", "/api/v1/public/eia/projects/{id}/comments") => {
            json!({"text": "希望公开监测数据"})
        }
        // A letter: the public is told the portal takes the web channel (422), staff who key
        // in are let through, other roles refused.
        ("POST", "/api/v1/disclosure/requests") => json!({
            "channel": "letter", "applicant_kind": "natural_person", "applicant_name": "矩阵",
            "applicant_id_number": "440301199001010000", "phone": "13600000000",
            "description": "某厂环评批复", "delivery": "paper",
        }),
        ("POST", "/api/v1/disclosure/requests/{id}/steps") => {
            json!({"action": "receive_correction"})
        }
        ("POST", "/api/v1/disclosure/requests/{id}/complaint") => json!({"region": "440305"}),
        ("POST", "/api/v1/disclosure/requests/{id}/sent") => json!({"by": "post"}),
        ("POST" | "PUT", "/api/v1/dispatch-rules" | "/api/v1/dispatch-rules/{id}") => {
            json!({"owner_unit_id": f.rule_owner, "region": "440305", "target_unit_id": f.rule_target})
        }
        ("POST" | "PUT", "/api/v1/reply-templates" | "/api/v1/reply-templates/{id}") => {
            json!({"region": "440300", "title": "矩阵", "body": "编号 {tracking_no}"})
        }
        ("POST", "/api/v1/public/similar") => {
            json!({"primary_type": "noise", "region": "440305", "address": "科技园南路"})
        }
        ("POST", "/api/v1/desk/suggestions") => {
            json!({"description": "科技园南路工地夜间施工噪音", "region": "440305"})
        }
        _ => json!({}),
    })
}

fn answer_content() -> Value {
    json!({
        "question": "矩阵里的问题？",
        "answer": "这是一条用于检查权限的解答，内容足够长，能够通过检查。",
        "basis": [{"standard": "GB 3096-2008", "clause": "表1"}],
        "keywords": ["矩阵"],
        "checked_on": "2026-11-20"
    })
}

async fn add_staff(app: &TestApp, hash: &str, username: &str, unit: &str, role: Role) -> i64 {
    app.store
        .create_staff(
            &NewStaff {
                username: username.into(),
                display_name: username.into(),
                password_hash: hash.into(),
                unit_id: app.units[unit],
                roles: vec![role],
            },
            start_time(),
        )
        .await
        .expect("staff")
        .id
}

#[backend_test]
pub async fn every_operation_admits_exactly_the_callers_its_rule_names(backend: Backend) {
    let app = spawn_app(backend).await;
    crate::helpers::load_beijing(&app.store).await;

    // The matrix covers the API document, and the document only.
    let document = app.get(None, "/api/v1/openapi.json").await.body;
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    let covered: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        operations.difference(&covered).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "operations without a row in the matrix"
    );
    assert_eq!(
        covered.difference(&operations).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "rows of the matrix without an operation"
    );

    // One account per role inside (Shenzhen) and outside (Futian) the case's jurisdiction.
    let hash = hash_password(PASSWORD).expect("hash");
    let mut callers = vec![(
        Who {
            role: None,
            inside: false,
        },
        None::<String>,
    )];
    for role in Role::ALL {
        for (inside, unit) in [(true, "shenzhen"), (false, "futian")] {
            let username = format!("matrix-{}-{unit}", role.code());
            add_staff(&app, &hash, &username, unit, role).await;
            let token = app.login(&username).await;
            callers.push((
                Who {
                    role: Some(role),
                    inside,
                },
                Some(token),
            ));
        }
    }
    add_staff(&app, &hash, "matrix-login", "nanshan", Role::Handler).await;
    let target = add_staff(&app, &hash, "matrix-target", "nanshan", Role::Handler).await;

    // The case and the one to merge into: in Nanshan, routed to Shenzhen's bureau.
    let nation = app.login("nation").await;
    let mut cases = Vec::new();
    for _ in 0..2 {
        let receipt = app.post(None, "/api/v1/cases", &web_report()).await;
        let id = receipt.body["id"].as_i64().expect("id");
        app.act(&nation, id, json!({"action": "accept"})).await;
        let routed = app
            .act(
                &nation,
                id,
                json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
            )
            .await;
        assert_eq!(routed.status, StatusCode::OK, "{}", routed.body);
        cases.push(receipt.body);
    }
    let owner = app.login("shenzhen-handler").await;
    let token = app
        .post(
            Some(&owner),
            "/api/v1/auth/tokens",
            &json!({"name": "目标"}),
        )
        .await;
    let attachment = crate::attachments::photo_of(
        &app,
        &app.login("shenzhen").await,
        cases[0]["id"].as_i64().expect("id"),
    )
    .await;
    // A rule and a template of Shenzhen, made by its administrator.
    let admin = app.login("shenzhen-admin").await;
    let rule = app
        .post(
            Some(&admin),
            "/api/v1/dispatch-rules",
            &json!({"region": "440305", "target_unit_id": app.units["nanshan"]}),
        )
        .await;
    assert_eq!(rule.status, StatusCode::CREATED, "{}", rule.body);
    let template = app
        .post(
            Some(&admin),
            "/api/v1/reply-templates",
            &json!({"title": "回复", "body": "编号 {tracking_no}"}),
        )
        .await;
    assert_eq!(template.status, StatusCode::CREATED, "{}", template.body);
    let client = app
        .post(
            Some(&admin),
            "/api/v1/open311/clients",
            &json!({"name": "城市通"}),
        )
        .await;
    assert_eq!(client.status, StatusCode::CREATED, "{}", client.body);
    let centre = app
        .post(
            Some(&admin),
            "/api/v1/transfer-centres",
            &json!({"code": "sz12345", "name": "深圳12345", "region": "440300"}),
        )
        .await;
    assert_eq!(centre.status, StatusCode::CREATED, "{}", centre.body);
    app.core.install_shipped_answers().await.expect("answers");
    let answer = app
        .store
        .published_answers()
        .await
        .expect("answers")
        .first()
        .expect("a published answer")
        .id;
    // A project in Nanshan reviewed by Shenzhen's bureau, its draft report open today, and a
    // comment with its commenter's phone.
    let (project, comment) =
        crate::eia::project_open_today(&app, &app.login("shenzhen").await).await;
    let disclosure = app
        .post(
            None,
            "/api/v1/disclosure/requests",
            &json!({
                "unit_id": app.units["shenzhen"], "channel": "web",
                "applicant_kind": "law_firm", "applicant_name": "某律师事务所",
                "applicant_id_number": "31440000MD0000000X", "email": "lawyer@example.com",
                "description": "某项目环评批复文件", "delivery": "email",
            }),
        )
        .await;
    assert_eq!(
        disclosure.status,
        StatusCode::CREATED,
        "{}",
        disclosure.body
    );
    let fixture = Fixture {
        answer,
        project,
        comment,
        disclosure_request: disclosure.body["id"].as_i64().expect("request id"),
        futian: app.units["futian"],
        centre: centre.body["id"].as_i64().expect("centre id"),
        open311_client: client.body["id"].as_i64().expect("client id"),
        attachment,
        rule: rule.body["id"].as_i64().expect("rule id"),
        rule_owner: app.units["shenzhen"],
        rule_target: app.units["nanshan"],
        template: template.body["id"].as_i64().expect("template id"),
        case: cases[0]["id"].as_i64().expect("id"),
        other_case: cases[1]["id"].as_i64().expect("id"),
        tracking_no: cases[0]["tracking_no"].as_str().expect("no").to_owned(),
        secret: cases[0]["secret"].as_str().expect("secret").to_owned(),
        account: target,
        token: token.body["id"].as_i64().expect("token id"),
    };
    app.caught_up().await;

    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, template, rule) in MATRIX {
        for (who, token) in &callers {
            let mut token = token.clone();
            if *template == "/api/v1/auth/logout" && who.role.is_some() {
                // Signing out ends the session: sign in afresh for it.
                let role = who.role.map(Role::code).unwrap_or_default();
                let unit = if who.inside { "shenzhen" } else { "futian" };
                token = Some(app.login(&format!("matrix-{role}-{unit}")).await);
            }
            let mut request = app
                .http
                .request(
                    Method::from_bytes(method.as_bytes()).expect("method"),
                    app.url(&path_of(template, &fixture)),
                )
                .header("x-tracking-secret", &fixture.secret);
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            if *template == "/api/v1/cases/{id}/attachments" && *method == "POST" {
                request = request.multipart(crate::attachments::photo_form());
            } else if let Some(body) = body_of(method, template, &fixture) {
                request = request.json(&body);
            }
            let status = request.send().await.expect("request").status();
            let (got, want) = (Gate::of(status), expected(*rule, *who));
            checked += 1;
            if got != want {
                wrong.push(format!(
                    "{method} {template} as {who:?}: {status} ({got:?}), expected {want:?}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(checked, MATRIX.len() * callers.len());
}

/// What a page answers a caller, by its status (and where a redirect goes).
fn page_expected(method: &str, path: &str, who: Who) -> (StatusCode, Option<&'static str>) {
    // A result is public only once published, for everyone alike: the case here is not.
    if path.starts_with("/results/{tracking_no}") {
        return (StatusCode::NOT_FOUND, None);
    }
    let console = path.starts_with("/console");
    let Some(role) = who.role else {
        return match (console, method) {
            (true, _) => (StatusCode::SEE_OTHER, Some("/login")),
            (false, "POST") => (StatusCode::FORBIDDEN, None),
            (false, _) => (StatusCode::OK, None),
        };
    };
    if method == "POST" {
        // Without the form's token every post is refused before anything is done.
        return (StatusCode::FORBIDDEN, None);
    }
    match path {
        "/console" | "/console/queue" if role == Role::Auditor => {
            (StatusCode::SEE_OTHER, Some("/console/audit"))
        }
        "/console/cases/{id}"
        | "/console/cases/{id}/attachments/{attachment}"
        | "/console/cases/{id}/attachments/{attachment}/copy"
            if role == Role::Auditor || !who.inside =>
        {
            (StatusCode::NOT_FOUND, None)
        }
        "/console/cases/{id}/attachments/{attachment}"
            if !matches!(role, Role::Operator | Role::Handler | Role::Supervisor) =>
        {
            (StatusCode::FORBIDDEN, None)
        }
        "/console/accounts" if role != Role::Admin => (StatusCode::FORBIDDEN, None),
        "/console/eia" if role == Role::Auditor => (StatusCode::FORBIDDEN, None),
        "/console/eia/{id}" if role == Role::Auditor || !who.inside => {
            (StatusCode::NOT_FOUND, None)
        }
        p if p.starts_with("/console/admin") && role != Role::Admin => {
            (StatusCode::FORBIDDEN, None)
        }
        "/console/intake" if !role.may_register() => (StatusCode::FORBIDDEN, None),
        "/console/audit" if role != Role::Auditor => (StatusCode::FORBIDDEN, None),
        // Requests of a jurisdiction: every role but the auditor's.
        "/console/disclosure" if role == Role::Auditor => (StatusCode::FORBIDDEN, None),
        // A request of Shenzhen's bureau, not answered yet: seen inside the jurisdiction; its
        // answer document names the applicant (refused to roles that may not read them) and
        // does not exist yet (409).
        "/console/disclosure/{id}" | "/console/disclosure/{id}/answer/{format}"
            if role == Role::Auditor || !who.inside =>
        {
            (StatusCode::NOT_FOUND, None)
        }
        "/console/disclosure/{id}/answer/{format}" if !role.may_read_reporter() => {
            (StatusCode::FORBIDDEN, None)
        }
        "/console/disclosure/{id}/answer/{format}" => (StatusCode::CONFLICT, None),
        // Plain answers are kept by those who answer the public.
        p if p.starts_with("/console/answers") && !role.may_write_answers() => {
            (StatusCode::FORBIDDEN, None)
        }
        // Figures of a jurisdiction: every role but the auditor's.
        "/console/dashboard" | "/console/dashboard/bulletin" if role == Role::Auditor => {
            (StatusCode::FORBIDDEN, None)
        }
        _ => (StatusCode::OK, None),
    }
}

/// Every route of the pages, read from their modules' route tables: (method, path).
fn page_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("pages") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        for part in source.split(".route(").skip(1) {
            let Some(part) = part.trim_start().strip_prefix('"') else {
                continue;
            };
            let (path, rest) = part.split_once('"').expect("a path");
            let handlers = rest.split_once(")\n").map_or(rest, |(h, _)| h);
            if handlers.contains("get(") {
                routes.insert(("GET".to_owned(), path.to_owned()));
            }
            if handlers.contains("post(") {
                routes.insert(("POST".to_owned(), path.to_owned()));
            }
        }
    }
    routes
}

#[backend_test]
pub async fn every_page_admits_exactly_the_callers_its_role_may(backend: Backend) {
    use crate::pages::{browser, console_sign_in};
    let app = spawn_app(backend).await;
    crate::helpers::load_beijing(&app.store).await;
    let routes = page_routes();
    let known: BTreeSet<(String, String)> = [
        ("GET", "/"),
        ("GET", "/air/{code}"),
        ("GET", "/console"),
        ("GET", "/console/accounts"),
        ("POST", "/console/accounts/{id}/{action}"),
        ("GET", "/console/admin"),
        ("GET", "/console/admin/units"),
        ("POST", "/console/admin/units"),
        ("POST", "/console/admin/units/{id}/{action}"),
        ("GET", "/console/admin/dispatch"),
        ("POST", "/console/admin/dispatch"),
        ("POST", "/console/admin/dispatch/{id}"),
        ("POST", "/console/admin/dispatch/{id}/{action}"),
        ("GET", "/console/admin/interfaces"),
        ("POST", "/console/admin/interfaces/clients"),
        ("POST", "/console/admin/interfaces/clients/{id}/revoke"),
        ("POST", "/console/admin/interfaces/centres"),
        ("POST", "/console/admin/interfaces/centres/{id}/revoke"),
        ("GET", "/console/admin/deadlines"),
        ("POST", "/console/admin/deadlines"),
        ("POST", "/console/admin/deadlines/remove"),
        ("GET", "/console/admin/templates"),
        ("POST", "/console/admin/templates"),
        ("POST", "/console/admin/templates/{id}"),
        ("POST", "/console/admin/templates/{id}/{action}"),
        ("GET", "/console/audit"),
        ("GET", "/console/cases/{id}"),
        ("GET", "/console/dashboard"),
        ("GET", "/console/eia"),
        ("POST", "/console/eia"),
        ("GET", "/console/eia/{id}"),
        ("POST", "/console/eia/{id}/notices"),
        ("POST", "/console/eia/{id}/regroup"),
        ("POST", "/console/eia/{id}/answers"),
        ("POST", "/console/eia/{id}/statement"),
        ("POST", "/console/eia/{id}/comments/{comment}/commenter"),
        ("GET", "/eia"),
        ("GET", "/eia/feed.atom"),
        ("GET", "/eia/{id}"),
        ("POST", "/eia/{id}/comment"),
        ("GET", "/console/dashboard/bulletin"),
        ("POST", "/console/cases/{id}/actions"),
        ("POST", "/console/cases/{id}/attachments"),
        ("GET", "/console/cases/{id}/attachments/{attachment}"),
        ("GET", "/console/cases/{id}/attachments/{attachment}/copy"),
        ("POST", "/console/cases/{id}/callback"),
        ("GET", "/console/queue"),
        ("POST", "/console/queue"),
        ("POST", "/console/cases/{id}/merge"),
        ("POST", "/console/cases/{id}/oversight"),
        ("POST", "/console/cases/{id}/reporter"),
        ("POST", "/console/cases/{id}/types"),
        ("GET", "/console/intake"),
        ("POST", "/console/intake"),
        ("GET", "/console/disclosure"),
        ("GET", "/console/disclosure/{id}"),
        ("POST", "/console/disclosure/{id}/steps"),
        ("POST", "/console/disclosure/{id}/complaint"),
        ("POST", "/console/disclosure/{id}/sent"),
        ("POST", "/console/disclosure/{id}/applicant"),
        ("GET", "/console/disclosure/{id}/answer/{format}"),
        ("GET", "/console/answers"),
        ("GET", "/console/answers/new"),
        ("POST", "/console/answers/new"),
        ("GET", "/console/answers/{id}"),
        ("POST", "/console/answers/{id}"),
        ("POST", "/console/answers/{id}/steps"),
        ("GET", "/answers"),
        ("GET", "/answers/{id}"),
        ("POST", "/answers/{id}/feedback"),
        ("GET", "/disclosure"),
        ("POST", "/disclosure"),
        ("GET", "/figures"),
        ("GET", "/figures/feed.atom"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("GET", "/password"),
        ("POST", "/password"),
        ("GET", "/regions/{code}"),
        ("GET", "/report"),
        ("POST", "/report"),
        ("GET", "/results"),
        ("GET", "/results/feed.atom"),
        ("GET", "/results/{tracking_no}"),
        ("GET", "/results/{tracking_no}/photos/{attachment}"),
        ("GET", "/static/{name}"),
        ("GET", "/track"),
        ("POST", "/track"),
        ("POST", "/track/leave"),
        ("POST", "/track/rating"),
        ("POST", "/track/review"),
    ]
    .iter()
    .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(routes, known, "a page route without its expectations here");

    let hash = hash_password(PASSWORD).expect("hash");
    let mut callers = vec![(
        Who {
            role: None,
            inside: false,
        },
        browser(),
    )];
    for role in Role::ALL {
        for (inside, unit) in [(true, "shenzhen"), (false, "futian")] {
            let username = format!("page-{}-{unit}", role.code());
            add_staff(&app, &hash, &username, unit, role).await;
            let client = browser();
            console_sign_in(&client, &app, &username).await;
            callers.push((
                Who {
                    role: Some(role),
                    inside,
                },
                client,
            ));
        }
    }
    let nation = app.login("nation").await;
    // A report from the form with a citizen's photo, so that its public copy can be asked for.
    let reporter = browser();
    let (_, form) = crate::pages::page(&reporter, &app, "/report").await;
    let token = crate::pages::csrf_token(&form);
    let (status, receipt) = crate::evidence::post_report(
        &reporter,
        &app,
        &crate::pages::good_report(&token),
        vec![("现场.jpg", crate::evidence::photo_with_gps())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let case = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")[0]
        .id;
    let citizen_photo = app.store.attachments(case).await.expect("files")[0].id;
    let tracking_no = app
        .store
        .case(case)
        .await
        .expect("the case")
        .tracking_no()
        .to_string();
    app.act(&nation, case, json!({"action": "accept"})).await;
    app.act(
        &nation,
        case,
        json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
    )
    .await;
    let attachment = crate::attachments::photo_of(&app, &app.login("shenzhen").await, case).await;
    let (project, comment) =
        crate::eia::project_open_today(&app, &app.login("shenzhen").await).await;
    app.core.install_shipped_answers().await.expect("answers");
    let answer = app.store.published_answers().await.expect("answers")[0].id;
    let request = app
        .post(
            None,
            "/api/v1/disclosure/requests",
            &json!({
                "unit_id": app.units["shenzhen"], "channel": "web",
                "applicant_kind": "natural_person", "applicant_name": "页面矩阵",
                "applicant_id_number": "440301199001010000", "phone": "13600000000",
                "description": "某项目环评批复文件", "delivery": "paper",
            }),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);
    let request = request.body["id"].as_i64().expect("request id");
    app.caught_up().await;

    let mut wrong = Vec::new();
    for (method, template) in &routes {
        let path = template
            .replace(
                "{code}",
                if template.starts_with("/air") {
                    "110000"
                } else {
                    "440000"
                },
            )
            .replace("{name}", "site.css")
            .replace("{tracking_no}", &tracking_no)
            .replace("{action}", "disable")
            .replace(
                "{attachment}",
                &if template.ends_with("/copy") || template.starts_with("/results/") {
                    citizen_photo
                } else {
                    attachment
                }
                .to_string(),
            )
            .replace("{comment}", &comment.to_string())
            .replace("{format}", "html")
            .replace(
                "{id}",
                &if template.contains("/eia/") {
                    project
                } else if template.starts_with("/console/disclosure/") {
                    request
                } else if template.contains("answers/") {
                    answer
                } else {
                    case
                }
                .to_string(),
            );
        for (who, client) in &callers {
            let request = match method.as_str() {
                "POST" => client.post(app.url(&path)).form(&[("note", "")]),
                _ => client.get(app.url(&path)),
            };
            let response = request.send().await.expect("request");
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            let (want, to) = page_expected(method, template, *who);
            if status != want || (to.is_some() && location.as_deref() != to) {
                wrong.push(format!(
                    "{method} {template} as {who:?}: {status} {location:?}, expected {want} {to:?}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
