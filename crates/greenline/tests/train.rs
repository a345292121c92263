//! `greenline train --reviewed` learns from the cases whose types staff reviewed, and from no
//! other case.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::Utc;
use greenline_domain::{IntakeForm, NewCase, RegionCode, TypesForm, review_types};
use greenline_store::{Actor, IntakeRecord, NewEvent, Store};

async fn add_case(store: &Store, unit_id: i64, text: &str, review: Option<(&str, &str)>) {
    let form = IntakeForm {
        channel: "phone".into(),
        primary_type: "noise".into(),
        region: "440305".into(),
        description: text.into(),
        anonymous: true,
        ..IntakeForm::default()
    };
    let receipt = store
        .intake(IntakeRecord {
            case: NewCase::parse(&form).expect("form"),
            unit_id,
            received_at: Utc::now(),
            due_at: None,
            secret: "S".into(),
            secret_hash: "h".into(),
            actor: Actor::public(),
            idempotency: None,
            suggestion: None,
        })
        .await
        .expect("intake");
    if let Some((category, sub)) = review {
        let types = TypesForm {
            primary_type: category.into(),
            sub_type: Some(sub.into()),
            ..TypesForm::default()
        }
        .parse()
        .expect("types");
        let actor = Actor::system("test");
        store
            .record_review(
                &review_types(&receipt.case, types),
                NewEvent {
                    actor: &actor,
                    at: Utc::now(),
                    note: None,
                    data: serde_json::json!({}),
                },
            )
            .await
            .expect("review");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_is_trained_from_the_reviewed_cases_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    let store = Store::open(&db).await.expect("open");
    let unit = store
        .create_unit(
            "南山",
            RegionCode::parse("440305").expect("region"),
            Utc::now(),
        )
        .await
        .expect("unit")
        .id;
    // An odd labelling on purpose: only a model that learned from these cases answers it.
    for text in [
        "小区楼顶新装了基站天线",
        "楼顶基站天线离窗户太近",
        "又在楼顶加装基站天线",
    ] {
        add_case(&store, unit, text, Some(("radiation", "electromagnetic"))).await;
    }
    for text in [
        "河里漂着死鱼水发黑",
        "河道发黑发臭有死鱼",
        "死鱼越来越多河水黑",
    ] {
        add_case(&store, unit, text, Some(("water", "black_odorous"))).await;
    }
    for text in ["垃圾站夜里焚烧垃圾", "有人焚烧垃圾冒黑烟"] {
        add_case(&store, unit, text, None).await;
    }
    store.close().await;

    let model = dir.path().join("model.tsv");
    let out = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args([
            "--database",
            &db,
            "train",
            "--reviewed",
            "--min-docs",
            "1",
            "--out",
        ])
        .arg(&model)
        .env_remove("GREENLINE_DATABASE")
        .output()
        .expect("train");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("6 reviewed cases"), "{stderr}");
    let written = std::fs::read_to_string(&model).expect("model");
    assert!(
        !written.contains("焚烧"),
        "an unreviewed case's words are not learned"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["text", "classify", "--model"])
        .arg(&model)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("classify");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all("{\"text\":\"楼顶的基站天线\"}\n{\"text\":\"河水发黑有死鱼\"}\n".as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("output");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines[0]["predicted"]["category"], "radiation", "{lines:?}");
    assert_eq!(
        lines[1]["predicted"]["subcategory"], "black_odorous",
        "{lines:?}"
    );

    // With nothing reviewed there is nothing to learn from.
    let empty = format!("sqlite://{}", dir.path().join("empty.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", &empty, "train", "--reviewed", "--out"])
        .arg(dir.path().join("none.tsv"))
        .env_remove("GREENLINE_DATABASE")
        .output()
        .expect("train");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no case in the database"));
}
