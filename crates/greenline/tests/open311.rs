//! Open311 clients from the command line: a key issued once, listed by its prefix only,
//! revoked, and an unknown client refused.

use std::process::Command;

fn greenline(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", db])
        .args(args)
        .output()
        .expect("greenline ran")
}

fn ok(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_client_key_is_issued_once_listed_by_its_prefix_and_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("open311.db").display());
    let said = ok(&greenline(&db, &["open311", "client", "add", "城市通"]));
    assert!(said.starts_with("client 1 城市通\n"), "{said}");
    let key = said
        .lines()
        .find_map(|l| l.strip_prefix("api_key "))
        .expect("the key is printed");
    assert!(key.starts_with("glo_") && key.len() > 40, "{key}");

    let listed = ok(&greenline(&db, &["open311", "client", "list"]));
    assert!(listed.starts_with("1\t城市通\tglo_"), "{listed}");
    assert!(
        !listed.contains(key),
        "the list shows the prefix only: {listed}"
    );
    assert!(listed.trim_end().ends_with("\t-"), "not revoked: {listed}");

    ok(&greenline(&db, &["open311", "client", "revoke", "1"]));
    let listed = ok(&greenline(&db, &["open311", "client", "list"]));
    assert!(!listed.trim_end().ends_with("\t-"), "revoked: {listed}");

    let refused = greenline(&db, &["open311", "client", "revoke", "9"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("client not found"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
