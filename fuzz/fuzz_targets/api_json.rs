//! The JSON API's request bodies: `ApiJson`'s parser (`greenline_web::json::parse`) into each
//! body type, then the domain's checks of what parsed. The first byte picks the body type.
//!
//! Checks: no panic; a body that does not parse becomes a client error (400 or 422), never a
//! server error; an intake form, a command or a types form that parses is validated (a
//! refusal names at least one field); a command that parses is tried on cases at several stages.
#![no_main]

use std::sync::LazyLock;

use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use greenline_app::cases::merge::MergeForm;
use greenline_domain::{
    Case, Command, DeadlineTable, DomainError, IntakeForm, NewCase, TypesForm, apply,
};
use greenline_web::json::parse;
use greenline_web::routes::auth::{LoginRequest, NewToken, PasswordChange};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

/// A registered case, and the same case accepted, handled, concluded and replied to.
static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let form = IntakeForm {
        channel: "phone".into(),
        primary_type: "noise".into(),
        region: "440305".into(),
        address: "科技园南区".into(),
        description: "夜间施工噪声扰民".into(),
        reporter_name: Some("王先生".into()),
        reporter_phone: Some("13900000000".into()),
        ..IntakeForm::default()
    };
    let new = NewCase::parse(&form).expect("a valid form");
    let mut case = Case::registered(1, &new, 1, now());
    let mut cases = vec![case.clone()];
    let steps = [
        r#"{"action":"accept"}"#,
        r#"{"action":"handle"}"#,
        r#"{"action":"conclude","outcome":"substantiated","findings":"查实"}"#,
        r#"{"action":"reply","text":"已处理"}"#,
    ];
    for (day, step) in steps.iter().enumerate() {
        let command: Command = serde_json::from_str(step).expect("a command");
        let at = now() + Duration::days(day as i64 + 1);
        case = apply(&case, &command, at, &limits(&case))
            .expect("a step")
            .case;
        cases.push(case.clone());
    }
    cases
});

fn limits(case: &Case) -> greenline_domain::TimeLimits {
    static TABLE: LazyLock<DeadlineTable> = LazyLock::new(DeadlineTable::statutory);
    TABLE.limits_for(case.kind, case.region)
}

/// The body parsed as `T`; a refusal must be a client error.
fn parsed<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    match parse::<T>(data) {
        Ok(value) => Some(value),
        Err(error) => {
            let status = error.into_response().status();
            assert!(
                status == 400 || status == 422,
                "a body that does not parse answered {status}"
            );
            None
        }
    }
}

fn named(result: Result<impl Sized, DomainError>) {
    if let Err(DomainError::Invalid(errors)) = result {
        assert!(!errors.is_empty(), "refused without naming a field");
    }
}

fuzz_target!(|data: &[u8]| {
    let [kind, body @ ..] = data else {
        return;
    };
    match kind % 7 {
        0 => {
            if let Some(form) = parsed::<IntakeForm>(body) {
                named(NewCase::parse(&form));
            }
        }
        1 => {
            // The transitions route reads the body as a value first, then as a command.
            let Some(value) = parsed::<serde_json::Value>(body) else {
                return;
            };
            let _ = value.get("action").and_then(serde_json::Value::as_str);
            if let Some(command) = parsed::<Command>(body) {
                for (day, case) in CASES.iter().enumerate() {
                    let at = now() + Duration::days(day as i64 + 2);
                    named(apply(case, &command, at, &limits(case)));
                }
            }
        }
        2 => {
            if let Some(form) = parsed::<TypesForm>(body) {
                named(form.parse());
            }
        }
        3 => {
            let _ = parsed::<MergeForm>(body);
        }
        4 => {
            let _ = parsed::<LoginRequest>(body);
        }
        5 => {
            if let Some(change) = parsed::<PasswordChange>(body) {
                let _ = greenline_app::accounts::check_password_rules(
                    &change.username,
                    &change.new_password,
                );
            }
        }
        _ => {
            let _ = parsed::<NewToken>(body);
        }
    }
});
