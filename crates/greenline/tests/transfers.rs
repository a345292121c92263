//! 12345 centres and their bulk transfers from the command line: a centre registered with its
//! key shown once, a 12345 export checked whole before anything is written, transferred
//! through intake, and a second run skipping what was transferred.

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

fn failed(output: &std::process::Output) -> String {
    assert!(!output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const HEADER: &str = "工单编号,诉求内容,事发地址,区划代码,诉求人,联系电话,问题类型,问题子类\n";

#[test]
fn a_centres_export_is_checked_whole_then_transferred_through_intake() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("transfers.db").display());
    ok(&greenline(
        &db,
        &[
            "unit",
            "add",
            "--name",
            "生态环境部信访办",
            "--region",
            "000000",
        ],
    ));
    let said = ok(&greenline(
        &db,
        &[
            "transfer",
            "centre",
            "add",
            "--code",
            "sz12345",
            "--name",
            "深圳市12345热线",
            "--region",
            "440300",
            "--callback-url",
            "https://12345.example/greenline",
        ],
    ));
    assert!(said.starts_with("centre 1 sz12345 "), "{said}");
    let key = said
        .lines()
        .find_map(|l| l.strip_prefix("key "))
        .expect("the key is printed");
    assert!(key.starts_with("glc_"), "{key}");
    assert!(said.contains("callback_secret "), "{said}");
    let listed = ok(&greenline(&db, &["transfer", "centre", "list"]));
    assert!(listed.starts_with("1\tsz12345\t"), "{listed}");
    assert!(!listed.contains(key), "{listed}");

    // A file with faults: nothing is transferred, every fault is named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}SZ-1,工地夜间施工噪声扰民,科技园南区,440305,林晓峰,13700001111,noise,construction\n\
             SZ-1,同一工单又出现一次,科技园南区,440305,,,noise,\n\
             SZ-2,北京的工单,朝阳区,110105,,,,\n\
             SZ 3,编号有空格,南山区,440305,,,smell,\n"
        ),
    )
    .expect("write");
    let said = failed(&greenline(
        &db,
        &[
            "import",
            "--profile",
            "12345",
            "--centre",
            "sz12345",
            bad.to_str().expect("path"),
        ],
    ));
    assert!(
        said.contains("line 3: order_no: SZ-1 appears twice"),
        "{said}"
    );
    assert!(said.contains("line 4: --region"), "{said}");
    assert!(said.contains("line 5: --order-no"), "{said}");
    assert!(said.contains("--primary-type: unknown type"), "{said}");
    assert!(
        said.contains("3 problem(s); nothing was transferred"),
        "{said}"
    );

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}SZ-1,工地夜间施工噪声扰民,科技园南区,440305,林晓峰,13700001111,noise,construction\n\
             SZ-2,餐馆油烟直排,华强北路,440304,,,,\n"
        ),
    )
    .expect("write");
    let path = good.to_str().expect("path");
    let said = ok(&greenline(
        &db,
        &[
            "import",
            "--profile",
            "12345",
            "--centre",
            "sz12345",
            "--dry-run",
            path,
        ],
    ));
    assert!(said.contains("2 work orders"), "{said}");
    let said = ok(&greenline(
        &db,
        &["import", "--profile", "12345", "--centre", "sz12345", path],
    ));
    assert!(said.starts_with("transferred 2 work orders"), "{said}");
    // Again: both were transferred already.
    let said = ok(&greenline(
        &db,
        &["import", "--profile", "12345", "--centre", "sz12345", path],
    ));
    assert!(said.starts_with("transferred 0 work orders"), "{said}");
    assert!(said.contains("2 transferred already"), "{said}");

    // An unknown centre, and a revoked one, transfer nothing.
    let said = failed(&greenline(
        &db,
        &["import", "--profile", "12345", "--centre", "gz12345", path],
    ));
    assert!(said.contains("centre not found"), "{said}");
    ok(&greenline(&db, &["transfer", "centre", "revoke", "1"]));
    let said = failed(&greenline(
        &db,
        &["import", "--profile", "12345", "--centre", "sz12345", path],
    ));
    assert!(said.contains("revoked"), "{said}");
}
