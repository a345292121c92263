//! `greenline import`: validate a whole file first, then write it all in one transaction.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::bail;
use greenline_domain::{DeadlineTable, RegionCode};
use greenline_store::{ImportItem, ImportMessage, ImportOptions, ImportSummary, Store, Unit};

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
    imported
        .check_limits(&limits)
        .map_err(|e| vec![format!("{}: {}", e.field, e.message)])?;
    let due_at = imported.case.current_deadline(&limits).map(|d| d.due_at);
    Ok(ImportItem {
        imported,
        unit_id,
        due_at,
    })
}

/// Checks lines one by one, counting and printing problems, including an external id seen
/// twice in the file.
pub(crate) struct Checker {
    units: Vec<Unit>,
    deadlines: DeadlineTable,
    /// Hashes of the external ids seen so far, when the checker looks for repeats itself (a
    /// dry run); an import leaves that to the store, which needs no memory for it.
    seen: Option<HashSet<u64>>,
    problems: usize,
}

impl Checker {
    pub(crate) async fn new(
        store: &Store,
        deadlines: &DeadlineTable,
        find_repeats: bool,
    ) -> anyhow::Result<Checker> {
        Ok(Checker {
            units: store.units().await?,
            deadlines: deadlines.clone(),
            seen: find_repeats.then(HashSet::new),
            problems: 0,
        })
    }

    fn check(
        &mut self,
        line: u64,
        record: Result<greenline_domain::CaseRecord, String>,
    ) -> Option<ImportItem> {
        match import_item(&self.units, &self.deadlines, record) {
            Ok(item) => {
                let id = item
                    .imported
                    .case
                    .external_id
                    .as_deref()
                    .unwrap_or_default();
                let Some(seen) = &mut self.seen else {
                    return Some(item);
                };
                if seen.insert(id_hash(id)) {
                    return Some(item);
                }
                self.problem(
                    line,
                    &format!("external_id: {id:?} appears twice in the file"),
                );
                None
            }
            Err(messages) => {
                for message in messages {
                    self.problem(line, &message);
                }
                None
            }
        }
    }

    fn problem(&mut self, line: u64, message: &str) {
        self.problems += 1;
        if self.problems <= SHOWN_PROBLEMS {
            eprintln!("line {line}: {message}");
        }
    }

    /// Fails, naming the file, if any line had a problem.
    fn verdict(&self, path: &Path) -> anyhow::Result<()> {
        if self.problems == 0 {
            return Ok(());
        }
        if self.problems > SHOWN_PROBLEMS {
            eprintln!("… and {} more", self.problems - SHOWN_PROBLEMS);
        }
        bail!(
            "{} has {} problem(s); nothing was imported",
            path.display(),
            self.problems
        )
    }
}

/// Reads the file once: every line is checked and, while none has failed, sent to the store's
/// transaction. The first problem abandons the transaction (the store rolls it back) and the
/// rest of the file is still read, so that every problem is reported in one run.
pub async fn run(
    store: Store,
    args: &ImportArgs,
    deadlines: &DeadlineTable,
    options: ImportOptions,
) -> anyhow::Result<()> {
    let path = args.file.clone();
    let format = format_of(&path, args.format);
    let size = std::fs::metadata(&path)?.len();
    let mut checker = Checker::new(&store, deadlines, args.dry_run).await?;
    let bytes = Arc::new(AtomicU64::new(0));
    let reader = RecordReader::open(&path, format, bytes.clone())?;
    let label = if args.dry_run {
        "checking"
    } else {
        "importing"
    };
    let progress = Progress::bytes(label, size, bytes);

    if args.dry_run {
        let mut valid = 0u64;
        for (line, record) in reader {
            valid += u64::from(checker.check(line, record).is_some());
        }
        progress.finish();
        store.close().await;
        checker.verdict(&path)?;
        println!(
            "{valid} cases in {} are valid; nothing was written (--dry-run)",
            path.display()
        );
        return Ok(());
    }

    let summary = write(store, reader, checker, &path, options).await;
    progress.finish();
    let summary = summary?;
    println!(
        "imported {} cases from {} ({} already present, skipped)",
        summary.imported,
        path.display(),
        summary.skipped
    );
    Ok(())
}

/// Streams numbered records through `checker` into one import transaction of the store; commits
/// only if every record passed (else reports them all, naming `source`, and writes nothing).
/// The store is the command's alone, and is closed by the import.
pub(crate) async fn write<R>(
    store: Store,
    records: R,
    mut checker: Checker,
    source: &Path,
    options: ImportOptions,
) -> anyhow::Result<ImportSummary>
where
    R: Iterator<Item = (u64, Result<greenline_domain::CaseRecord, String>)> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(8);
    // The records are read on a thread of their own and fed to the store's transaction.
    let feeder = tokio::task::spawn_blocking(move || {
        let mut sender = Some(sender);
        let mut chunk = Vec::with_capacity(CHUNK);
        for (line, record) in records {
            let item = checker.check(line, record);
            let Some(to_store) = &sender else { continue };
            match item {
                Some(item) => chunk.push(item),
                // Dropping the sender without `Commit` rolls the transaction back.
                None => {
                    sender = None;
                    chunk.clear();
                    continue;
                }
            }
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                if to_store.blocking_send(ImportMessage::Cases(full)).is_err() {
                    // The store gave up; its error is reported below.
                    sender = None;
                }
            }
        }
        if let Some(to_store) = sender {
            // Only records read to their end without a problem are committed.
            let _ = to_store
                .blocking_send(ImportMessage::Cases(chunk))
                .and_then(|()| to_store.blocking_send(ImportMessage::Commit));
        }
        checker
    });
    let imported = store.import_alone(receiver, options).await;
    let checker = feeder.await?;
    checker.verdict(source)?;
    Ok(imported?)
}
