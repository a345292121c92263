//! Form posts of the public portal and the staff console, through the whole router over a
//! scratch SQLite store. The first byte picks the form, the second the case a console form acts
//! on; the rest is the URL-encoded body after the CSRF field.
//!
//! Checks: no panic, and no answer is a server error (a 5xx means input reached a place that
//! did not expect it; every bad form is the poster's fault, a 4xx).
#![no_main]

use std::sync::LazyLock;

use greenline_fuzz::web::Harness;
use libfuzzer_sys::fuzz_target;

static HARNESS: LazyLock<Harness> = LazyLock::new(Harness::start);

fuzz_target!(|data: &[u8]| {
    let [form, case, fields @ ..] = data else {
        return;
    };
    let harness = &*HARNESS;
    let id = harness.cases[usize::from(*case) % harness.cases.len()];
    let path = match form % 5 {
        0 => "/report".to_owned(),
        1 => "/track".to_owned(),
        2 => format!("/console/cases/{id}/actions"),
        3 => format!("/console/cases/{id}/types"),
        _ => format!("/console/cases/{id}/merge"),
    };
    let status = harness.post_form(&path, fields);
    assert!(
        !status.is_server_error(),
        "{path} answered {status} to {:?}",
        String::from_utf8_lossy(fields)
    );
});
