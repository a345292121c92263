//! `greenline import` and `export` against the real binary: a simulated file goes in whole and
//! comes out the same, a malformed one gets every problem reported with its line and leaves the
//! store exactly as it was.

use std::path::Path;
use std::process::{Command, Output};

use greenline_domain::CaseRecord;
use greenline_store::{CaseFilter, Store};
use greenline_text::pii::{Identity, mask};

fn greenline(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", db])
        .args(args)
        .env_remove("GREENLINE_DATABASE")
        .env("GREENLINE_LOG", "warn")
        .output()
        .expect("run greenline")
}

fn simulate(dir: &Path, name: &str, cases: &str, seed: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    let format = if name.ends_with(".csv") {
        "csv"
    } else {
        "jsonl"
    };
    let status = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args([
            "simulate", "--cases", cases, "--seed", seed, "--format", format,
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("simulate");
    assert!(status.status.success());
    out
}

async fn count(db: &str) -> (usize, usize) {
    let store = Store::open(db).await.expect("open");
    let cases = store
        .search(&CaseFilter {
            limit: 500,
            ..CaseFilter::default()
        })
        .await
        .expect("search");
    let mut events = 0;
    for case in &cases {
        events += store.events(case.id).await.expect("events").len();
    }
    store.close().await;
    (cases.len(), events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_file_is_imported_whole_with_its_history_and_once_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    assert!(
        greenline(
            &db,
            &["unit", "add", "--name", "生态环境部", "--region", "000000"]
        )
        .status
        .success()
    );
    let file = simulate(dir.path(), "cases.jsonl", "300", "21");

    let first = greenline(&db, &["import", file.to_str().expect("path")]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let again = greenline(&db, &["import", file.to_str().expect("path")]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("imported 0 cases"));

    let records: Vec<CaseRecord> = std::fs::read_to_string(&file)
        .expect("file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    let store = Store::open(&db).await.expect("open");
    let stored = store
        .search(&CaseFilter {
            limit: 500,
            ..CaseFilter::default()
        })
        .await
        .expect("search");
    assert_eq!(stored.len(), records.len(), "once only");
    for case in &stored {
        let record = records
            .iter()
            .find(|r| Some(&r.external_id) == case.external_id.as_ref())
            .expect("every stored case came from the file");
        let events = store.events(case.id).await.expect("events");
        let published = events.iter().find(|e| e.action == "publish").map(|e| e.at);
        let reporter = store
            .read_reporter(
                case.id,
                greenline_store::NewEvent {
                    actor: &greenline_store::Actor::system("test"),
                    at: chrono::Utc::now(),
                    note: None,
                    data: serde_json::json!({}),
                },
                &greenline_store::AuditEntry {
                    at: chrono::Utc::now(),
                    actor_id: None,
                    actor: "test".into(),
                    region: greenline_domain::RegionCode::NATIONAL,
                    action: "read_reporter".into(),
                    target: case.id.to_string(),
                    outcome: greenline_store::AuditOutcome::Ok,
                    client: "test".into(),
                    detail: serde_json::json!({}),
                },
            )
            .await
            .expect("reporter");
        assert_eq!(
            &CaseRecord::from_case(case, published, Some(&reporter)),
            record
        );
        assert_eq!(events.first().map(|e| e.action.as_str()), Some("register"));
        assert_eq!(events.last().and_then(|e| e.to_stage), Some(case.stage));
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_file_gets_every_problem_by_line_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    assert!(
        greenline(
            &db,
            &["unit", "add", "--name", "生态环境部", "--region", "000000"]
        )
        .status
        .success()
    );
    let earlier = simulate(dir.path(), "earlier.jsonl", "50", "1");
    assert!(
        greenline(&db, &["import", earlier.to_str().expect("path")])
            .status
            .success()
    );
    let before = count(&db).await;

    // A CSV of 6,000 cases (line 1 is the header): a bad region on line 5,001, a date in the
    // wrong format on line 3, and a last line cut short.
    let file = simulate(dir.path(), "cases.csv", "6000", "2");
    let text = std::fs::read_to_string(&file).expect("file");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 6_001, "no record spans lines");
    let mut bad_region: Vec<String> = lines[5_000].split(',').map(str::to_owned).collect();
    bad_region[7] = "990101".to_owned();
    lines[5_000] = bad_region.join(",");
    let mut bad_date: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
    bad_date[10] = "2025/01/01 08:00".to_owned();
    lines[2] = bad_date.join(",");
    let last = lines.len() - 1;
    let cut = lines[last].char_indices().nth(40).map_or(0, |(i, _)| i);
    lines[last].truncate(cut);
    std::fs::write(&file, lines.join("\n")).expect("write");

    for args in [vec!["import", "--dry-run"], vec!["import"]] {
        let mut args = args.clone();
        args.push(file.to_str().expect("path"));
        let output = greenline(&db, &args);
        assert!(!output.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("line 5001: region"), "{stderr}");
        assert!(stderr.contains("line 3: received_at"), "{stderr}");
        assert!(stderr.contains("line 6001: "), "{stderr}");
        assert!(stderr.contains("nothing was imported"), "{stderr}");
    }
    assert_eq!(count(&db).await, before, "the store is exactly as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_import_export_round_trips_every_field() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    let add_admin = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args([
            "--database",
            &db,
            "user",
            "add",
            "--username",
            "root",
            "--unit",
            "生态环境部",
        ])
        .args([
            "--region",
            "000000",
            "--role",
            "supervisor",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"A long supervisor passw0rd\n")?;
            child.wait()
        })
        .expect("user add");
    assert!(add_admin.success());

    for name in ["cases.jsonl", "cases.csv"] {
        let simulated = simulate(dir.path(), name, "400", "33");
        let _ = greenline(&db, &["import", simulated.to_str().expect("path")]);
        let exported = dir.path().join(format!("exported-{name}"));
        let mut export = Command::new(env!("CARGO_BIN_EXE_greenline"))
            .args([
                "--database",
                &db,
                "export",
                "--include-pii",
                "--user",
                "root",
            ])
            .arg("--out")
            .arg(&exported)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("export");
        export
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"A long supervisor passw0rd\n")
            .expect("password");
        let output = export.wait_with_output().expect("export ran");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(&exported).expect("exported"),
            std::fs::read_to_string(&simulated).expect("simulated"),
            "{name}: the export equals the simulated file"
        );
    }

    // An administrator's role does not read reporters: refused, and the refusal recorded.
    let add_admin = greenline_with_stdin(
        &db,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--unit",
            "生态环境部",
            "--role",
            "admin",
            "--password-stdin",
        ],
        b"Another passw0rd!\n",
    );
    assert!(
        add_admin.status.success(),
        "{}",
        String::from_utf8_lossy(&add_admin.stderr)
    );
    let refused = greenline_with_stdin(
        &db,
        &["export", "--include-pii", "--user", "admin"],
        b"Another passw0rd!\n",
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("do not read reporters"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(refused.stdout.is_empty(), "nothing exported");
    let verified = greenline(&db, &["audit", "verify"]);
    assert!(verified.status.success());
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(said.starts_with("audit trail intact:"), "{said}");

    // Without --include-pii no reporter's name or phone leaves the store.
    let plain = dir.path().join("plain.jsonl");
    let output = greenline(&db, &["export", "--out", plain.to_str().expect("path")]);
    assert!(output.status.success());
    for line in std::fs::read_to_string(&plain).expect("plain").lines() {
        let record: CaseRecord = serde_json::from_str(line).expect("record");
        assert_eq!((record.reporter_name, record.reporter_phone), (None, None));
    }
    let filtered = greenline(
        &db,
        &[
            "export",
            "--filter",
            "type=noise",
            "--filter",
            "region=440000",
        ],
    );
    let text = String::from_utf8_lossy(&filtered.stdout);
    assert!(
        text.lines()
            .all(|l| l.contains("\"region\":\"44") && l.contains("noise")),
        "{text}"
    );
    let parquet = dir.path().join("all.parquet");
    let output = greenline(&db, &["export", "--out", parquet.to_str().expect("path")]);
    assert!(output.status.success());
    let reader = parquet::file::serialized_reader::SerializedFileReader::new(
        std::fs::File::open(&parquet).expect("parquet"),
    )
    .expect("a Parquet file");
    use parquet::file::reader::FileReader;
    assert_eq!(reader.metadata().file_metadata().num_rows(), 400);
    let wrong = greenline(&db, &["export", "--filter", "colour=green"]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("colour"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulating_into_the_database_stores_what_the_file_would_hold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    assert!(
        greenline(
            &db,
            &["unit", "add", "--name", "生态环境部", "--region", "000000"]
        )
        .status
        .success()
    );
    let into = greenline(
        &db,
        &[
            "simulate",
            "--cases",
            "400",
            "--seed",
            "77",
            "--to-database",
        ],
    );
    assert!(
        into.status.success(),
        "{}",
        String::from_utf8_lossy(&into.stderr)
    );
    assert!(String::from_utf8_lossy(&into.stdout).contains("400 simulated cases"));

    let file = simulate(dir.path(), "same.jsonl", "400", "77");
    let exported = dir.path().join("exported.jsonl");
    let export = greenline(&db, &["export", "--out", exported.to_str().expect("path")]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    // An export without personal data masks what reporters typed about themselves too.
    let without_pii = |path: &Path| -> Vec<CaseRecord> {
        let mut records: Vec<CaseRecord> = std::fs::read_to_string(path)
            .expect("file")
            .lines()
            .map(|l| serde_json::from_str(l).expect("record"))
            .collect();
        for r in &mut records {
            let known = Identity {
                name: r.reporter_name.take(),
                phone: r.reporter_phone.take(),
            };
            r.description = mask(&r.description, &known).into_owned();
            r.address = mask(&r.address, &known).into_owned();
        }
        records.sort_by(|a, b| a.external_id.cmp(&b.external_id));
        records
    };
    let stored = without_pii(&exported);
    assert_eq!(stored.len(), 400);
    assert_eq!(stored, without_pii(&file));
    let simulated = std::fs::read_to_string(&file).expect("file");
    let exported = std::fs::read_to_string(&exported).expect("export");
    assert!(
        simulated.contains("联系人：") || simulated.contains("来电人"),
        "the simulated texts name reporters, so the masking below is tested"
    );
    assert!(
        exported.contains("[姓名]"),
        "names the reporters typed are masked in an export without personal data"
    );
}

/// Runs greenline on `db` with `input` on standard input.
fn greenline_with_stdin(db: &str, args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", db])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("greenline");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("input");
    child.wait_with_output().expect("greenline ran")
}

#[test]
fn importing_a_folder_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("folder.db").display());
    let folder = dir.path().join("cases.jsonl");
    std::fs::create_dir(&folder).expect("folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", &db, "import"])
        .arg(&folder)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("import");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("importing a folder did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut said)
        .expect("stderr");
    assert!(said.contains("is not a file"), "{said}");
}

/// An import killed half-way, after pages of it have reached the database file, leaves the
/// database as it was: the next process to open the file rolls it back from the import's
/// journal, and the same file then goes in whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_half_way_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("killed.db");
    let db = format!("sqlite://{}", path.display());
    let unit = greenline(
        &db,
        &["unit", "add", "--name", "生态环境部", "--region", "000000"],
    );
    assert!(unit.status.success(), "{unit:?}");
    let first = simulate(dir.path(), "first.jsonl", "200", "11");
    let imported = greenline(&db, &["import", first.to_str().expect("path")]);
    assert!(imported.status.success(), "{imported:?}");
    let before = count(&db).await;
    assert_eq!(before.0, 200);
    let size_before = std::fs::metadata(&path).expect("database").len();

    // A cache of 1 MiB makes the import write its pages into the file long before its end.
    let large = simulate(dir.path(), "large.jsonl", "40000", "12");
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", &db, "import"])
        .arg(&large)
        .env_remove("GREENLINE_DATABASE")
        .env("GREENLINE_IMPORT__CACHE_MIB", "1")
        .env("GREENLINE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("import");
    let journal = dir.path().join("killed.db-journal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let size = std::fs::metadata(&path).expect("database").len();
        if size > size_before + 4 * 1024 * 1024 && journal.exists() {
            break;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the import ended ({status}) before pages of it reached the database file");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the import wrote nothing into the database file"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().expect("kill");
    child.wait().expect("killed");
    assert!(journal.exists(), "the killed import's journal is left");

    assert_eq!(count(&db).await, before, "the killed import left nothing");
    assert!(
        !journal.exists(),
        "opening the database rolled the journal back"
    );
    let again = greenline(&db, &["import", large.to_str().expect("path")]);
    assert!(again.status.success(), "{again:?}");
    let store = Store::open(&db).await.expect("open");
    let all = store
        .count_cases(&CaseFilter::default())
        .await
        .expect("count");
    store.close().await;
    assert_eq!(all, 40_200);
}
