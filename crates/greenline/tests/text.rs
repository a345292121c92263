//! `greenline text classify`, `locate`, `topics` and `same-source` against the real binary: fields pass
//! through, results are added, and a bad line is reported by number while the others go on.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn greenline(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(args)
        .env("GREENLINE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run greenline");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("output")
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn locate_adds_the_region_and_keeps_every_field() {
    let input = "{\"id\":7,\"text\":\"深圳南山区科技园南路12号的工地半夜施工\"}\n\
                 {\"id\":8,\"text\":\"朝阳区有个烧烤店油烟很大\"}\n";
    let out = greenline(&["text", "locate"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines[0]["id"], 7);
    assert_eq!(lines[0]["region"]["code"], "440305");
    assert_eq!(lines[0]["region"]["province"], "广东省");
    assert_eq!(lines[0]["region"]["city"], "深圳市");
    assert_eq!(lines[0]["region"]["county"], "南山区");
    assert!(lines[1]["region"].is_null(), "{}", lines[1]);
    assert_eq!(lines[1]["id"], 8);
}

#[test]
fn classify_adds_a_prediction_and_reports_bad_lines_by_number() {
    let input = "{\"text\":\"工地晚上施工打桩太吵了\",\"source\":\"12369\"}\nnot json\n{\"no_text\":1}\n\
                 {\"text\":\"饭店油烟直排\"}\n";
    let out = greenline(&["text", "classify"], input);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    let lines = lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], "12369");
    assert_eq!(lines[0]["predicted"]["category"], "noise");
    let confidence = lines[0]["predicted"]["confidence"]
        .as_f64()
        .expect("number");
    assert!((0.0..=1.0).contains(&confidence));
    assert_eq!(lines[1]["predicted"]["category"], "air");
}

#[test]
fn train_writes_a_model_that_classify_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = dir.path().join("examples.jsonl");
    std::fs::write(
        &examples,
        "{\"text\":\"工地夜间施工噪音\",\"category\":\"noise\",\"subcategory\":\"construction\"}\n\
         {\"text\":\"饭店油烟扰民\",\"category\":\"air\",\"subcategory\":\"cooking_fumes\"}\n",
    )
    .expect("write");
    let model = dir.path().join("model.tsv");
    let examples = examples.to_string_lossy().into_owned();
    let model_path = model.to_string_lossy().into_owned();
    let out = greenline(
        &[
            "train",
            "--examples",
            &examples,
            "--out",
            &model_path,
            "--min-docs",
            "1",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = greenline(
        &["text", "classify", "--model", &model_path],
        "{\"text\":\"晚上工地施工\"}\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out)[0]["predicted"]["category"], "noise");
}

#[test]
fn topics_finds_a_term_planted_in_the_period_and_names_bad_lines() {
    let ordinary = [
        "楼下饭店油烟很大，晚上呛得睡不着",
        "工地夜间施工噪音扰民",
        "小区旁边的河道发黑发臭",
    ];
    let mut input = String::new();
    for day in 1..=20 {
        for text in ordinary {
            input.push_str(&format!(
                "{{\"text\":\"{text}\",\"received_at\":\"2026-09-{day:02} 10:00\"}}\n"
            ));
        }
    }
    for day in 1..=6 {
        input.push_str(&format!(
            "{{\"description\":\"{}\",\"received_at\":\"2026-10-{day:02}T02:00:00Z\"}}\n",
            ordinary[day % 3]
        ));
        input.push_str(&format!(
            "{{\"text\":\"化工园区飘来农药味\",\"received_at\":\"2026-10-{day:02} 21:00\"}}\n"
        ));
    }
    let out = greenline(
        &[
            "text",
            "topics",
            "--period",
            "2026-10",
            "--baseline-months",
            "1",
        ],
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = lines(&out);
    let smell = found
        .iter()
        .find(|t| t["term"] == "农药味")
        .unwrap_or_else(|| panic!("农药味 stands out: {found:?}"));
    assert_eq!(smell["count"], 6);
    assert_eq!(smell["emerging"], true);
    assert!(!found.iter().any(|t| t["term"] == "油烟"), "{found:?}");

    let out = greenline(
        &["text", "topics", "--period", "2026-10"],
        "{\"text\":\"没有时间\"}\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn same_source_adds_the_verdict_and_its_evidence_and_reports_bad_lines() {
    let input = "{\"id\":1,\"a\":\"江阴市临港街道的鑫达化工有限公司夜间排放刺激性废气\",\"b\":\"临港新达化工厂晚上排的气味很冲\"}\n\
                 {\"id\":2,\"a\":\"建设路上的老王烧烤油烟很大\"}\n\
                 {\"id\":3,\"a\":\"建设路上的老王烧烤油烟很大\",\"b\":\"建设路上的川味小炒油烟很大\"}\n";
    let out = greenline(&["text", "same-source"], input);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    let lines = lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["same_source"], true, "{}", lines[0]);
    assert_eq!(lines[1]["id"], 3);
    assert_eq!(lines[1]["same_source"], false, "{}", lines[1]);
    for line in &lines {
        let score = line["score"].as_f64().expect("a number");
        assert!((0.0..=1.0).contains(&score), "{line}");
        assert!(
            line["b"].is_string(),
            "the input fields pass through: {line}"
        );
    }
    let kinds: Vec<&str> = lines[1]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"different_name"), "{kinds:?}");
}
