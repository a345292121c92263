//! `greenline stats`: grouped statistics over a file of case records or the database, one row
//! per group with its key columns and `count`, as the stats API answers them.

use std::io::Write;

use anyhow::Context;
use greenline::columns_in::index_from_file;
use greenline_app::stats::{StatsResult, to_csv};
use greenline_domain::{DeadlineTable, RegionCode};
use greenline_stats::columns::{RowTest, fields_needed};
use greenline_stats::{Index, Query};
use greenline_store::Store;

use crate::cli::{StatsArgs, StatsFormat};
use crate::records::format_of;

/// The index the arguments name: `--input FILE`, else the database. With a `query`, a file
/// gives only the fields that query needs (when it can do without whole cases), read and
/// checked; without one, every field of every record, checked as `import` checks them.
pub async fn index(
    input: Option<&std::path::Path>,
    store: Option<&Store>,
    deadlines: &DeadlineTable,
    query: Option<&Query>,
) -> anyhow::Result<Index> {
    match (input, store) {
        (Some(path), _) => {
            let path = path.to_owned();
            let deadlines = deadlines.clone();
            let read = query.and_then(|q| Some((fields_needed(q)?, RowTest::new(q))));
            tokio::task::spawn_blocking(move || {
                let format = format_of(&path, None);
                match read {
                    Some((fields, test)) => index_from_file(&path, format, &fields, &test),
                    None => crate::analytics::from_file(&path, format, &deadlines),
                }
            })
            .await?
        }
        (None, Some(store)) => crate::analytics::from_store(store, deadlines).await,
        (None, None) => anyhow::bail!("give --input FILE or --database URL"),
    }
}

pub fn query(args: &StatsArgs) -> anyhow::Result<Query> {
    let scope = match &args.scope {
        Some(code) => RegionCode::parse(code).context("--scope")?,
        None => RegionCode::NATIONAL,
    };
    let mut params: Vec<(&str, &str)> = vec![("group_by", args.group_by.as_str())];
    if let Some(measure) = &args.measure {
        params.push(("measure", measure.as_str()));
    }
    for filter in &args.filters {
        let (key, value) = filter
            .split_once('=')
            .with_context(|| format!("--filter {filter:?}: expected KEY=VALUE"))?;
        params.push((key, value));
    }
    Query::from_params(scope, chrono::Utc::now(), params).map_err(|e| {
        let flag = match e.field.as_str() {
            "group_by" => "--group-by".to_owned(),
            "measure" => "--measure".to_owned(),
            other => format!("--filter {other}"),
        };
        anyhow::anyhow!("{flag}: {}", e.error)
    })
}

pub async fn run(
    args: &StatsArgs,
    store: Option<&Store>,
    deadlines: &DeadlineTable,
) -> anyhow::Result<()> {
    let query = query(args)?;
    let index = index(args.input.as_deref(), store, deadlines, Some(&query)).await?;
    let result = index.query(&query)?;
    let body = match args.format {
        StatsFormat::Csv => to_csv(&result)?,
        StatsFormat::Json => serde_json::to_vec_pretty(&StatsResult::new(&result))?,
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, body).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(&body)?,
    }
    Ok(())
}
