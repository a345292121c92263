//! The analytics index for the offline commands (`stats`, `report`): built from a file of case
//! records or from the database, as the server builds its own.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::bail;
use greenline_app::projections::analytics::Analytics;
use greenline_domain::DeadlineTable;
use greenline_stats::{CaseFacts, Index};
use greenline_store::Store;

use crate::cli::RecordFormat;
use crate::progress::Progress;
use crate::records::RecordReader;

/// Problems printed before giving up on a file.
const SHOWN_PROBLEMS: usize = 20;

/// Every record of `path` (CSV, JSON Lines or Parquet), checked as `import` checks it. A file
/// with any bad line is refused with every problem listed (the first few printed).
pub fn from_file(
    path: &Path,
    format: RecordFormat,
    deadlines: &DeadlineTable,
) -> anyhow::Result<Index> {
    let size = std::fs::metadata(path)?.len();
    let bytes = Arc::new(AtomicU64::new(0));
    let progress = Progress::bytes("reading", size, bytes.clone());
    let mut index = Index::new();
    let mut problems = 0usize;
    for (line, record) in RecordReader::open(path, format, bytes)? {
        let facts = record.and_then(|record| {
            let imported = record.to_imported().map_err(|errors| {
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            let limits = deadlines.limits_for(imported.case.kind, imported.case.region);
            imported
                .check_limits(&limits)
                .map_err(|e| format!("{}: {}", e.field, e.message))?;
            CaseFacts::from_case(&imported.case, false, deadlines).map_err(|e| e.to_string())
        });
        match facts {
            Ok(facts) => {
                index.upsert(i64::try_from(line).unwrap_or(i64::MAX), &facts);
            }
            Err(message) => {
                problems += 1;
                if problems <= SHOWN_PROBLEMS {
                    eprintln!("line {line}: {message}");
                }
            }
        }
    }
    progress.finish();
    if problems > 0 {
        bail!("{} has {problems} bad record(s)", path.display());
    }
    Ok(index)
}

/// Every case of the database, read as a node builds its statistics view.
pub async fn from_store(store: &Store, deadlines: &DeadlineTable) -> anyhow::Result<Index> {
    let analytics = Analytics::new(Arc::new(deadlines.clone()));
    analytics.read_all(store).await?;
    Arc::into_inner(analytics)
        .map(Analytics::into_index)
        .ok_or_else(|| anyhow::anyhow!("the statistics index is still shared"))
}
