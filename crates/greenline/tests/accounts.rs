//! Accounts from the command line: the first administrator as the README creates it, with a
//! generated password that meets the rules; disabling; the audit trail's check.

use std::process::Command;

fn greenline(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", db])
        .args(args)
        .output()
        .expect("greenline ran")
}

#[test]
fn the_first_administrator_gets_a_password_that_meets_the_rules_and_every_step_is_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let added = greenline(
        &db,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--unit",
            "生态环境部",
            "--region",
            "000000",
            "--role",
            "admin,supervisor",
        ],
    );
    let said = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let password = said
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("a generated password");
    greenline_app::accounts::check_password_rules("admin", password).expect("meets the rules");

    let weak = greenline(
        &db,
        &[
            "user",
            "add",
            "--username",
            "li",
            "--unit",
            "生态环境部",
            "--role",
            "handler",
            "--password-stdin",
        ],
    );
    assert!(!weak.status.success(), "an empty password is refused");

    let disabled = greenline(&db, &["user", "disable", "--username", "admin"]);
    assert!(disabled.status.success());
    let unknown = greenline(&db, &["user", "disable", "--username", "nobody"]);
    assert!(!unknown.status.success());

    let verified = greenline(&db, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{said}");
    // The unit, the account and the disabling.
    assert_eq!(said.trim(), "audit trail intact: 3 records");
}
