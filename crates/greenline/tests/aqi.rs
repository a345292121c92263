//! `greenline aqi` against the real binary: one reading as a Chinese line and as JSON, short
//! pollutant names, and a batch with a bad line reported by number and field.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn greenline(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(args)
        .env("GREENLINE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run greenline");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn one_daily_reading_is_told_in_chinese() {
    let out = greenline(
        &[
            "aqi",
            "--standard",
            "2012",
            "--daily",
            "pm25_24h=80",
            "pm10_24h=120",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("空气质量指数 107，三级（轻度污染，橙色）"),
        "{stdout}"
    );
    assert!(
        stdout.contains("首要污染物：细颗粒物（pm25_24h）"),
        "{stdout}"
    );
    assert!(stdout.contains("HJ 633-2012，日报"), "{stdout}");
}

#[test]
fn short_names_stand_for_the_reports_column_and_json_gives_the_batch_fields() {
    let out = greenline(
        &[
            "aqi",
            "--date",
            "2026-06-01",
            "--hourly",
            "--json",
            "--us-epa",
            "pm25=75",
            "so2=150",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["aqi"], 114);
    assert_eq!(json["iaqi"]["pm25_24h"], 114);
    assert_eq!(json["iaqi"]["so2_1h"], 50);
    assert_eq!(json["standard"], "2026");
    assert_eq!(json["standard_name"], "HJ 633—2026");
    assert_eq!(json["primary_pollutants"], serde_json::json!(["pm25_24h"]));
    assert_eq!(json["us_epa_pm25_aqi"], 165);
}

#[test]
fn an_ambiguous_short_name_or_a_bad_value_is_refused_with_its_key() {
    let out = greenline(&["aqi", "--daily", "o3=100"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("o3:"), "{}", text(&out.stderr));
    let out = greenline(&["aqi", "--daily", "pm25=-4"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("pm25_24h"),
        "{}",
        text(&out.stderr)
    );
    let out = greenline(&["aqi", "pm25=40"], None);
    assert!(!out.status.success(), "the kind of report is required");
}

#[test]
fn a_batch_indexes_every_good_line_and_names_the_line_and_field_of_a_bad_one() {
    let input = concat!(
        r#"{"station":"A","date":"2025-12-31","period":"daily","pm25_24h":75}"#,
        "\n",
        r#"{"station":"B","date":"2026-03-01","period":"daily","pm25_24h":"high"}"#,
        "\n\n",
        r#"{"station":"C","date":"2026-03-01","period":"daily","pm25_24h":75}"#,
        "\n",
    );
    let out = greenline(&["aqi", "--batch"], Some(input));
    assert!(!out.status.success(), "a failed line fails the command");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2: pm25_24h"), "{stderr}");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["station"].as_str(), lines[0]["aqi"].as_u64()),
        (Some("A"), Some(100))
    );
    assert_eq!(
        (lines[1]["station"].as_str(), lines[1]["aqi"].as_u64()),
        (Some("C"), Some(114))
    );
}

#[test]
fn a_clean_batch_succeeds() {
    let out = greenline(
        &["aqi", "--batch", "--hourly", "--standard", "2012"],
        Some("{\"no2_1h\":100}\n{\"co_1h\":10}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);
}
