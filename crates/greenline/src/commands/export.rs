//! `greenline export`: cases as records, oldest first, a page at a time.

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};

use anyhow::{Context, bail};
use chrono::Utc;
use greenline_app::App;
use greenline_app::masking::mask_case;
use greenline_domain::CaseRecord;
use greenline_store::{CaseFilter, ExportRow};
use greenline_text::pii::Identity;

use crate::cli::{ExportArgs, RecordFormat};
use crate::records::{RecordWriter, format_of};

pub async fn run(app: &App, args: &ExportArgs) -> anyhow::Result<()> {
    let store = &app.store;
    let now = Utc::now();
    let pairs: Vec<(&str, &str)> = args
        .filters
        .iter()
        .map(|f| {
            f.split_once('=')
                .with_context(|| format!("--filter {f:?}: expected KEY=VALUE"))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut filter = CaseFilter::from_params(pairs, now)
        .map_err(|e| anyhow::anyhow!("--filter {}: {}", e.field, e.message))?;
    if filter.before_id.is_some() {
        bail!("--filter before: export always runs from the oldest case");
    }
    let reader = match (&args.include_pii, &args.user) {
        (true, Some(user)) => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let (caller, reader) = app
                .pii_exporter(user, password)
                .await
                .map_err(|e| anyhow::anyhow!("--include-pii: {}", super::message(e)))?;
            // Identities only of the exporter's jurisdiction, as on a case page.
            filter.within = Some(caller.unit.region);
            Some((caller, reader))
        }
        _ => None,
    };
    app.record_export(reader.as_ref().map(|(caller, _)| caller), &args.filters)
        .await
        .map_err(super::message)?;
    let reader = reader.map(|(_, reader)| reader);
    let format = match &args.out {
        Some(path) => format_of(path, args.format),
        None => args.format.unwrap_or(RecordFormat::Jsonl),
    };
    let out: Box<dyn Write + Send> = match &args.out {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout())),
    };
    let mut writer = RecordWriter::new(format, out)?;
    let progress = crate::progress::Progress::count("exporting");
    // Pages are read here and written on a thread of their own, so that reading the next page
    // and encoding this one overlap.
    let (pages, to_write) = tokio::sync::mpsc::channel::<Vec<ExportRow>>(2);
    let encoder = tokio::task::spawn_blocking(move || -> anyhow::Result<RecordWriter<_>> {
        let mut to_write = to_write;
        while let Some(page) = to_write.blocking_recv() {
            for row in &page {
                writer.write(&CaseRecord::from_case(
                    &row.case,
                    row.published_at,
                    Some(&row.reporter),
                ))?;
            }
        }
        Ok(writer)
    });
    filter.after_id = Some(0);
    let mut written = 0u64;
    loop {
        let mut page = store.export_page(&filter, reader.as_ref(), now).await?;
        let Some(last) = page.last() else { break };
        let last_id = last.case.id;
        // Where the reporter's identity is not exported (no --include-pii, or a case held
        // outside the exporter's units), what they typed into the texts (a phone, their name)
        // is masked too.
        let hidden: std::collections::HashSet<i64> = page
            .iter()
            .filter(|row| {
                reader
                    .as_ref()
                    .is_none_or(|r| !r.units.contains(&row.case.unit_id))
            })
            .map(|row| row.case.id)
            .collect();
        if !hidden.is_empty() {
            let ids: Vec<i64> = hidden.iter().copied().collect();
            let known = store.identities_to_mask(&ids).await?;
            for row in &mut page {
                if let Some((name, phone)) = known.get(&row.case.id).cloned() {
                    mask_case(&mut row.case, &Identity { name, phone });
                } else if hidden.contains(&row.case.id) {
                    mask_case(&mut row.case, &Identity::default());
                }
            }
        }
        filter.after_id = Some(last_id);
        written += page.len() as u64;
        if pages.send(page).await.is_err() {
            // The encoder stopped: its error is reported below.
            break;
        }
        progress.set(written);
    }
    drop(pages);
    encoder.await??.finish()?;
    progress.finish();
    if let Some(path) = &args.out {
        eprintln!("{written} cases written to {}", path.display());
    }
    Ok(())
}
