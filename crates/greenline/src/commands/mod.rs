//! One module per command; `run` dispatches.

pub mod air;
pub mod aqi;
mod backup;
mod demo;
mod disclosure;
mod dispatch;
mod export;
mod import;
mod open311;
mod report;
mod serve;
mod simulate;
mod stats;
pub mod text;
pub mod train;
mod transfer;
mod unit;
mod user;

use anyhow::Context;
use greenline_store::Store;

use crate::cli::{Cli, Command};
use crate::config::Config;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Openapi => {
            println!("{}", greenline_web::openapi().to_pretty_json()?);
            return Ok(());
        }
        Command::Simulate(args) if !args.to_database => return simulate::run(args),
        Command::Aqi(args) => return aqi::run(args),
        Command::Text(command) => return text::run(command),
        Command::Train(args) if !args.reviewed => return train::run(args, Vec::new()),
        // Offline, on a file: no database needed.
        Command::Stats(args) if args.input.is_some() => {
            let deadlines = greenline_domain::DeadlineTable::statutory();
            return stats::run(args, None, &deadlines).await;
        }
        Command::Report(args) if args.input.is_some() => {
            let deadlines = greenline_domain::DeadlineTable::statutory();
            return report::run(args, None, &deadlines).await;
        }
        _ => {}
    }
    let mut overrides = Vec::new();
    match (&cli.database, &cli.command) {
        (Some(database), _) => overrides.push(("database", database.as_str())),
        (None, Command::Demo(_)) => overrides.push(("database", "sqlite://greenline-demo.db")),
        (None, _) => {}
    }
    if let Command::Serve(args) | Command::Demo(args) = &cli.command
        && let Some(listen) = &args.listen
    {
        overrides.push(("listen", listen.as_str()));
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    // These copy the database file itself: opening a store would migrate it, or hold it open.
    match &cli.command {
        Command::Backup(args) => return backup::backup(&config.database, args).await,
        Command::Restore(args) => return backup::restore(&config.database, args).await,
        _ => {}
    }
    let store = Store::open(&config.database)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database)))?;
    let result = match cli.command {
        Command::Serve(_) => serve::run(store.clone(), config).await,
        Command::Demo(_) => demo::run(store.clone(), config).await,
        Command::Unit(command) => unit::run(&core(&store, &config)?, command).await,
        Command::Dispatch(command) => dispatch::run(&core(&store, &config)?, command).await,
        Command::Open311(command) => open311::run(&core(&store, &config)?, command).await,
        Command::Disclosure(command) => disclosure::run(&core(&store, &config)?, command).await,
        Command::Transfer(command) => transfer::run(&core(&store, &config)?, command).await,
        Command::Import(args) if args.profile.is_some() => {
            transfer::import(&core(&store, &config)?, &args).await
        }
        Command::Export(args) => export::run(&core(&store, &config)?, &args).await,
        // These two hand the store to the import, which closes it to have the file alone.
        Command::Import(args) => {
            let deadlines = greenline_domain::DeadlineTable::new(config.deadlines.clone())?;
            return import::run(store, &args, &deadlines, config.import.options()).await;
        }
        Command::Simulate(args) => {
            let deadlines = greenline_domain::DeadlineTable::new(config.deadlines.clone())?;
            return simulate::run_into(store, &args, &deadlines, config.import.options()).await;
        }
        Command::Stats(args) => {
            let deadlines = greenline_domain::DeadlineTable::new(config.deadlines.clone())?;
            stats::run(&args, Some(&store), &deadlines).await
        }
        Command::Report(args) => {
            let deadlines = greenline_domain::DeadlineTable::new(config.deadlines.clone())?;
            report::run(&args, Some(&store), &deadlines).await
        }
        Command::Train(args) => match train::reviewed(&store).await {
            Ok(texts) => train::run(&args, texts),
            Err(e) => Err(e),
        },
        Command::User(command) => user::run(&core(&store, &config)?, command).await,
        Command::Audit(crate::cli::AuditCommand::Verify) => {
            let check = core(&store, &config)?
                .verify_audit(None)
                .await
                .map_err(message)?;
            match (check.first_broken, check.head_matches) {
                (None, true) => {
                    println!("audit trail intact: {} records", check.records);
                    Ok(())
                }
                (Some(seq), _) => Err(anyhow::anyhow!(
                    "audit trail broken at record {seq} ({} records): a record was changed, removed or inserted",
                    check.records
                )),
                (None, false) => Err(anyhow::anyhow!(
                    "audit trail's end does not match its last record ({} records): records were removed from the end",
                    check.records
                )),
            }
        }
        Command::Air(command) => air::run(&store, command).await,
        // Opening the store ran the migrations.
        Command::Migrate => {
            println!("database {} is up to date", redact(&config.database));
            Ok(())
        }
        // Answered above, without a store.
        Command::Openapi
        | Command::Aqi(_)
        | Command::Text(_)
        | Command::Backup(_)
        | Command::Restore(_) => Ok(()),
    };
    store.close().await;
    result
}

/// The one mapping of the core's errors to command-line messages: fields become the flags that
/// carry them (`--unit: …`).
pub fn message(error: greenline_app::ServiceError) -> anyhow::Error {
    use greenline_app::ServiceError;
    let flag = |field: &str| format!("--{}", field.replace('_', "-"));
    match error {
        ServiceError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", flag(&e.field), e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ServiceError::BadParameter { field, message } => {
            anyhow::anyhow!("{}: {message}", flag(&field))
        }
        other => anyhow::Error::new(other),
    }
}

/// The application core over `store`, for the commands that act as an administrator would
/// (its views are not started: these commands only write).
fn core(store: &Store, config: &Config) -> anyhow::Result<greenline_app::App> {
    // With the notice channels, so that a step taken here writes its notices to the outbox
    // (a serving node sends them).
    Ok(greenline_app::App::new(
        store.clone(),
        std::sync::Arc::new(greenline_app::SystemClock),
        greenline_domain::DeadlineTable::new(config.deadlines.clone())?,
        config.web.clone(),
    )
    .with_notices(greenline_app::notices::Notices::from_settings(
        config.notices.clone(),
    )?))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden_in_database_urls() {
        assert_eq!(
            super::redact("postgres://gl:secret@db:5432/greenline"),
            "postgres://gl:***@db:5432/greenline"
        );
        assert_eq!(
            super::redact("sqlite://greenline.db"),
            "sqlite://greenline.db"
        );
    }
}
