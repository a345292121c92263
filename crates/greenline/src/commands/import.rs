//! `greenline import`: validate a whole file first, then write it all in one transaction.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::bail;
use greenline_domain::{DeadlineTable, RegionCode};
use greenline_store::{ImportItem, ImportMessage, Store, Unit};

use crate::cli::ImportArgs;
use crate::progress::Progress;
use crate::records::{RecordReader, format_of};

/// Cases per message to the importer.
pub(crate) const CHUNK: usize = 512;

/// How many problems are printed; all are counted.
const SHOWN_PROBLEMS: usize = 1_000;

/// The unit that handles a place: the most specific unit whose region contains it.
fn unit_for(units: &[Unit], region: RegionCode) -> Option<i64> {
    units
        .iter()
        .filter(|u| region.is_within(u.region))
        .max_by_key(|u| (u.region.level(), std::cmp::Reverse(u.id)))
        .map(|u| u.id)
}

fn id_hash(id: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// One line, checked: the case to import with its unit and running deadline, or what is wrong
/// with it.
pub(crate) fn import_item(
    units: &[Unit],
    deadlines: &DeadlineTable,
    line: Result<greenline_domain::CaseRecord, String>,
) -> Result<ImportItem, Vec<String>> {
    let record = line.map_err(|message| vec![message])?;
    let imported = record.to_imported().map_err(|errors| {
        errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
    })?;
    let unit_id = unit_for(units, imported.case.region).ok_or_else(|| {
        vec![format!(
            "region: no unit covers {} ({}); add one with `greenline unit add`",
            imported.case.region,
            imported.case.region.full_name()
        )]
    })?;
    let limits = deadlines.limits_for(imported.case.kind, imported.case.region);
    let due_at = imported.case.current_deadline(&limits).map(|d| d.due_at);
    Ok(ImportItem {
        imported,
        unit_id,
        due_at,
    })
}

pub async fn run(
    store: &Store,
    args: &ImportArgs,
    deadlines: &DeadlineTable,
) -> anyhow::Result<()> {
    let path = args.file.as_path();
    let format = format_of(path, args.format);
    let size = std::fs::metadata(path)?.len();
    let units = store.units().await?;

    // First pass: read and check every line; write nothing.
    let bytes = Arc::new(AtomicU64::new(0));
    let progress = Progress::bytes("checking", size, bytes.clone());
    let mut problems = 0usize;
    let mut valid = 0u64;
    let mut seen = HashSet::new();
    for (line, record) in RecordReader::open(path, format, bytes)? {
        let external = record.as_ref().ok().map(|r| r.external_id.clone());
        match import_item(&units, deadlines, record) {
            Ok(_) => {
                valid += 1;
                if let Some(id) = external
                    && !seen.insert(id_hash(&id))
                {
                    problems += 1;
                    report(
                        problems,
                        line,
                        &format!("external_id: {id:?} appears twice in the file"),
                    );
                }
            }
            Err(messages) => {
                for message in messages {
                    problems += 1;
                    report(problems, line, &message);
                }
            }
        }
    }
    progress.finish();
    if problems > 0 {
        if problems > SHOWN_PROBLEMS {
            eprintln!("… and {} more", problems - SHOWN_PROBLEMS);
        }
        bail!(
            "{} has {problems} problem(s); nothing was imported",
            path.display()
        );
    }
    if args.dry_run {
        println!(
            "{valid} cases in {} are valid; nothing was written (--dry-run)",
            path.display()
        );
        return Ok(());
    }
    write(store, path, format, size, &units, deadlines).await
}

fn report(count: usize, line: u64, message: &str) {
    if count <= SHOWN_PROBLEMS {
        eprintln!("line {line}: {message}");
    }
}

async fn write(
    store: &Store,
    path: &Path,
    format: crate::cli::RecordFormat,
    size: u64,
    units: &[Unit],
    deadlines: &DeadlineTable,
) -> anyhow::Result<()> {
    let (sender, receiver) = tokio::sync::mpsc::channel(8);
    let bytes = Arc::new(AtomicU64::new(0));
    let progress = Progress::bytes("importing", size, bytes.clone());
    let reader = RecordReader::open(path, format, bytes)?;
    let units = units.to_vec();
    let deadlines = deadlines.clone();
    // The file is read on a thread of its own and fed to the store's transaction.
    let feeder = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut chunk = Vec::with_capacity(CHUNK);
        for (line, record) in reader {
            let item = import_item(&units, &deadlines, record)
                .map_err(|m| anyhow::anyhow!("line {line}: {}", m.join("; ")))?;
            chunk.push(item);
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                if sender.blocking_send(ImportMessage::Cases(full)).is_err() {
                    return Ok(());
                }
            }
        }
        if !chunk.is_empty() && sender.blocking_send(ImportMessage::Cases(chunk)).is_err() {
            return Ok(());
        }
        // Only a file read to its end is committed.
        let _ = sender.blocking_send(ImportMessage::Commit);
        Ok(())
    });
    let imported = store.import(receiver).await;
    let fed = feeder.await?;
    progress.finish();
    // If the file changed between the passes, stop before committing anything wrong.
    fed?;
    let summary = imported?;
    println!(
        "imported {} cases from {} ({} already present, skipped)",
        summary.imported,
        path.display(),
        summary.skipped
    );
    Ok(())
}
