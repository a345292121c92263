//! `greenline air import` against the real binary: a station file and its hours go in whole,
//! a file with bad lines gets every problem reported with its line and field and leaves the
//! store as it was, the same file again adds nothing, and the Beijing series loads.

use std::process::{Command, Output};

fn greenline(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(["--database", db])
        .args(args)
        .env_remove("GREENLINE_DATABASE")
        .env("GREENLINE_LOG", "warn")
        .output()
        .expect("run greenline")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn rows(db: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(db).await.expect("connect");
    sqlx::query_scalar("SELECT count(*) FROM air_hourly")
        .fetch_one(&pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn hourly_data_is_imported_all_or_nothing_and_once() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("air.db").display());
    let stations = dir.path().join("stations.csv");
    std::fs::write(
        &stations,
        "code,name,region\n1001A,万寿西宫,110102\n1002A,定陵,110114\n",
    )
    .expect("write");
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "station,time,pm25,pm10,so2,no2,co,o3\n\
         1001A,2024-01-01 00:00,35,60,5,40,0.8,20\n\
         1001A,2024-01-01 01:00,NA,,5,40,0.8,20\n\
         1002A,2023-12-31T17:00:00Z,30,50,4,30,0.6,25\n",
    )
    .expect("write");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "station,time,pm25,pm10,so2,no2,co,o3\n\
         1001A,2024-01-02 00:00,35,60,5,40,0.8,20\n\
         1001A,2024-01-02 01:00,-3,60,5,40,0.8,20\n\
         1001A,2024-01-02 02:00,35,abc,5,40,0.8,20\n\
         9999X,2024-01-02 03:00,35,60,5,40,0.8,20\n\
         1001A,2024-01-02 04:30,35,60,5,40,0.8,20\n",
    )
    .expect("write");

    let out = greenline(
        &db,
        &["air", "import", good.to_str().expect("path"), "--stations"],
    );
    assert!(!out.status.success(), "--stations needs a file");

    let args = |file: &std::path::Path| {
        vec![
            "air".to_owned(),
            "import".to_owned(),
            file.display().to_string(),
            "--stations".to_owned(),
            stations.display().to_string(),
        ]
    };
    let run = |file| {
        let args = args(file);
        greenline(&db, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let out = run(&bad);
    assert!(!out.status.success());
    let errors = text(&out.stderr);
    for expected in [
        "line 3, pm25: a concentration cannot be negative",
        "line 4, pm10: expected a number",
        "line 5, station: \"9999X\" is not a known station",
        "line 6, time: \"2024-01-02 04:30\" is not the start of an hour",
        "4 problems",
        "nothing was imported",
    ] {
        assert!(errors.contains(expected), "{expected:?} in {errors}");
    }
    assert_eq!(
        rows(&db).await,
        0,
        "the good line of the bad file is not written"
    );

    let out = run(&good);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("imported 3 hourly rows (0 already stored, skipped); 2 new stations"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&good);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("imported 0 hourly rows (3 already stored, skipped); 0 new stations"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(rows(&db).await, 3);
}

#[tokio::test]
async fn the_beijing_series_is_recognised_by_its_header() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("air.db").display());
    let series = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/air/beijing_pm25_hourly_2010_2014.csv"
    );
    let out = greenline(&db, &["air", "import", series]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("imported 43824 hourly rows"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(rows(&db).await, 43_824);
}
