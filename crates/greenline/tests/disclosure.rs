//! `greenline disclosure annual-report`: the annual report's tables of an agency's year from
//! its requests, as CSV and HTML, and an unknown agency refused by name.

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

#[tokio::test]
async fn the_annual_report_counts_a_years_requests_by_applicant_and_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("disclosure.db");
    let db = format!("sqlite://{}", path.display());
    ok(&greenline(
        &db,
        &[
            "unit",
            "add",
            "--name",
            "深圳市生态环境局",
            "--region",
            "440300",
        ],
    ));
    // Three requests as the store keeps them (the columns the tables count): one answered in
    // part on the ground of third parties' rights, one refused as process information, one
    // received in December and still open.
    let pool = sqlx::SqlitePool::connect(&db).await.expect("connect");
    for (kind, received, answered, answer, ground) in [
        (
            "natural_person",
            "2025-03-03",
            Some("2025-03-20"),
            Some("partly_disclosed"),
            Some("third_party_rights"),
        ),
        (
            "law_firm",
            "2025-05-06",
            Some("2025-05-30"),
            Some("withheld"),
            Some("process_information"),
        ),
        ("commercial_enterprise", "2025-12-29", None, None, None),
    ] {
        sqlx::query(
            "INSERT INTO disclosure_requests (unit_id, channel, applicant_kind, stage, \
             received_at, received_on, answered_on, answer_kind, answer_ground, secret_hash, \
             state) VALUES (1, 'web', ?, ?, 0, ?, ?, ?, ?, 'x', '{}')",
        )
        .bind(kind)
        .bind(if answered.is_some() {
            "answered"
        } else {
            "received"
        })
        .bind(received)
        .bind(answered)
        .bind(answer)
        .bind(ground)
        .execute(&pool)
        .await
        .expect("insert");
    }
    pool.close().await;

    let csv = ok(&greenline(
        &db,
        &[
            "disclosure",
            "annual-report",
            "--year",
            "2025",
            "--unit",
            "深圳市生态环境局",
        ],
    ));
    let line = |label: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("\"{label}")))
            .unwrap_or_else(|| panic!("{label} in {csv}"))
            .to_owned()
    };
    assert!(
        csv.starts_with("项目,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计\n"),
        "{csv}"
    );
    assert!(line("一、本年新收").ends_with(",1,1,0,0,1,0,3"), "{csv}");
    assert!(line("（二）部分公开").ends_with(",1,0,0,0,0,0,1"), "{csv}");
    assert!(
        line("6.属于四类过程性信息").ends_with(",0,0,0,0,1,0,1"),
        "{csv}"
    );
    assert!(line("（七）总计").ends_with(",2"), "{csv}");
    assert!(
        line("四、结转下年度继续办理").ends_with(",0,1,0,0,0,0,1"),
        "{csv}"
    );

    let html = ok(&greenline(
        &db,
        &[
            "disclosure",
            "annual-report",
            "--year",
            "2025",
            "--unit",
            "1",
            "--format",
            "html",
        ],
    ));
    assert!(
        html.contains("深圳市生态环境局2025年政府信息公开工作年度报告"),
        "{html}"
    );
    assert!(html.contains("行政复议"), "{html}");

    let refused = greenline(
        &db,
        &[
            "disclosure",
            "annual-report",
            "--year",
            "2025",
            "--unit",
            "无此单位",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--unit"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
