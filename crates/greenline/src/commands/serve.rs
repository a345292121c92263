//! `greenline serve`

use std::sync::Arc;

use anyhow::Context;
use greenline_app::{App, SystemClock};
use greenline_domain::DeadlineTable;
use greenline_store::Store;

use crate::config::Config;

pub async fn run(store: Store, config: Config) -> anyhow::Result<()> {
    let deadlines = DeadlineTable::new(config.deadlines.clone())?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let address = listener.local_addr()?;
    if store.staff_count().await? == 0 {
        println!(
            "No staff accounts yet. Create the first administrator with:\n  \
             greenline user add --username admin --name 管理员 --unit 生态环境部 --region 000000 --role admin\n\
             and units and staff for each office (greenline unit add, greenline user add --help)."
        );
    }
    println!(
        "Greenline is serving on http://{address} (public portal: http://{address}/, staff \
         console: http://{address}/console, API: http://{address}/api/v1/openapi.json)"
    );
    let mut web = config.web;
    let beside_the_database = |suffix: &str| {
        store
            .sqlite_path()
            .filter(|file| *file != std::path::Path::new(":memory:"))
            .map(|file| {
                let mut dir = file.as_os_str().to_owned();
                dir.push(suffix);
                std::path::PathBuf::from(dir)
            })
    };
    if web.search_dir.is_none() {
        // Beside the SQLite file, so a restart catches up instead of rebuilding; in memory
        // for PostgreSQL unless `web.search_dir` names a directory.
        web.search_dir = beside_the_database(".search");
    }
    if web.stats_snapshot.is_none() {
        // Likewise the statistics snapshot.
        web.stats_snapshot = beside_the_database(".stats");
    }
    if web.sources_snapshot.is_none() {
        // And the same-source index's.
        web.sources_snapshot = beside_the_database(".sources");
    }
    if web.files_dir.is_none() {
        // Case files beside the SQLite file; on PostgreSQL only where `web.files_dir` says
        // (uploads are refused until it does).
        web.files_dir = beside_the_database(".files");
    }
    let files = match (&web.files_s3_bucket, &web.files_dir) {
        (Some(bucket), _) => greenline_app::Files::in_s3(
            bucket,
            web.files_s3_endpoint.as_deref(),
            web.files_s3_region.as_deref(),
        )?,
        (None, Some(dir)) => greenline_app::Files::in_folder(dir)?,
        (None, None) => greenline_app::Files::default(),
    };
    let notices = greenline_app::notices::Notices::from_settings(config.notices.clone())?;
    if notices.sms.is_none() && notices.mail.is_none() {
        println!(
            "Notices to reporters are off: set notices.sms_webhook_url or notices.smtp_url \
             (docs/notices.md)."
        );
    }
    // The notice sender starts with the other background tasks.
    let app = App::new(store, Arc::new(SystemClock), deadlines, web)
        .with_files(files)
        .with_notices(notices);
    // A new installation starts with the shipped plain answers (通俗解说), published.
    let installed = app.install_shipped_answers().await?;
    if installed > 0 {
        println!(
            "Published the {installed} shipped plain answers (通俗解说); staff keep them in the console."
        );
    }
    app.start();
    greenline_web::serve(listener, app.clone(), shutdown_signal()).await?;
    app.projections.stop().await;
    println!("Greenline stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
