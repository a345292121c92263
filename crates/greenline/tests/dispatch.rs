//! Dispatch rules from the command line: added by unit names, refused naming the flag, listed,
//! tried, and recorded in the audit trail.

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
fn rules_are_added_by_unit_names_refused_naming_the_flag_and_tried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("dispatch.db").display());
    for (name, region) in [
        ("生态环境部信访办", "000000"),
        ("广东省生态环境厅", "440000"),
        ("深圳市生态环境局", "440300"),
    ] {
        ok(&greenline(
            &db,
            &["unit", "add", "--name", name, "--region", region],
        ));
    }
    let said = ok(&greenline(
        &db,
        &[
            "dispatch",
            "add",
            "--owner",
            "生态环境部信访办",
            "--region",
            "440000",
            "--to",
            "广东省生态环境厅",
        ],
    ));
    assert!(said.starts_with("rule 1: 生态环境部信访办"), "{said}");
    ok(&greenline(
        &db,
        &[
            "dispatch",
            "add",
            "--owner",
            "广东省生态环境厅",
            "--region",
            "440300",
            "--to",
            "深圳市生态环境局",
            "--type",
            "noise",
        ],
    ));
    // Up the chain: refused, naming --to.
    let up = greenline(
        &db,
        &[
            "dispatch",
            "add",
            "--owner",
            "深圳市生态环境局",
            "--region",
            "440300",
            "--to",
            "广东省生态环境厅",
        ],
    );
    assert!(!up.status.success());
    let why = String::from_utf8_lossy(&up.stderr);
    assert!(why.contains("--to"), "{why}");

    let listed = ok(&greenline(&db, &["dispatch", "list"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(
        listed.contains("440300\tnoise\t深圳市生态环境局\tenabled"),
        "{listed}"
    );

    let noise = ok(&greenline(
        &db,
        &["dispatch", "try", "--region", "440305", "--type", "noise"],
    ));
    assert!(noise.ends_with("lands at 深圳市生态环境局\n"), "{noise}");
    let air = ok(&greenline(
        &db,
        &["dispatch", "try", "--region", "440305", "--type", "air"],
    ));
    assert!(air.ends_with("lands at 广东省生态环境厅\n"), "{air}");

    let verified = ok(&greenline(&db, &["audit", "verify"]));
    // Three units and two rules.
    assert_eq!(verified.trim(), "audit trail intact: 5 records");
}
