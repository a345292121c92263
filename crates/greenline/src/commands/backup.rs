//! `greenline backup` and `greenline restore`: a consistent copy of the SQLite database taken
//! while the server writes, and putting one back (see `greenline_store::backup` for how and
//! why).

use std::time::Instant;

use anyhow::Context;
use greenline_store::backup::{self, CopySummary};

use crate::cli::{BackupArgs, RestoreArgs};

pub async fn backup(database: &str, args: &BackupArgs) -> anyhow::Result<()> {
    let db = backup::sqlite_file(database)?;
    let out = args.out.clone();
    let started = Instant::now();
    let copy = tokio::task::spawn_blocking(move || backup::backup(&db, &out))
        .await
        .context("the backup stopped")??;
    println!(
        "backup written to {} in {:.1} s: {}",
        args.out.display(),
        started.elapsed().as_secs_f64(),
        describe(&copy)
    );
    Ok(())
}

pub async fn restore(database: &str, args: &RestoreArgs) -> anyhow::Result<()> {
    let target = backup::sqlite_file(database)?;
    let (from, force) = (args.from.clone(), args.force);
    let shown = target.clone();
    let restored = tokio::task::spawn_blocking(move || backup::restore(&from, &target, force))
        .await
        .context("the restore stopped")??;
    println!(
        "restored {} from {}: {}",
        shown.display(),
        args.from.display(),
        describe(&restored.copy)
    );
    if let Some(aside) = restored.kept_aside {
        println!("the previous database is kept as {}", aside.display());
    }
    Ok(())
}

fn describe(copy: &CopySummary) -> String {
    format!(
        "{} cases, {} events, schema version {}, {:.1} MB, integrity checked",
        copy.cases,
        copy.events,
        copy.schema_version,
        copy.bytes as f64 / 1e6
    )
}
