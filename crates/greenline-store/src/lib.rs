//! # greenline-store
//!
//! Durable storage of cases, their append-only events, reporters, units, staff and sessions;
//! of information-disclosure requests with their events and applicants; of air-quality
//! stations with their hourly measurements; and of the projects, notices, comments and
//! answers of public participation in environmental impact assessment.
//!
//! One [`Store`] type serves both backends: SQLite, the embedded default (a single file, WAL,
//! `synchronous=FULL` so an acknowledged write survives power loss), and PostgreSQL, the
//! production backend. The queries are written once in the SQL both understand and run through
//! sqlx's `Any` driver; what differs — connecting, pragmas, the migrations — lives in
//! [`sqlite`] and [`postgres`]. The same behaviour suite (`tests/`) runs against both.
//!
//! Every change of a case is written together with its event in one transaction, and a change
//! computed from an older version of the case is refused ([`StoreError::Conflict`]), so the
//! current state and the history never disagree. Nothing here decides what a change means:
//! that is `greenline-domain`'s job.
#![forbid(unsafe_code)]

mod accounts;
mod admin;
mod air;
mod answers;
mod attachments;
mod audit;
pub mod backup;
mod callbacks;
mod cases;
mod convert;
mod disclosure;
mod eia;
mod feed;
mod import;
mod intake;
mod notices;
mod open311;
mod place;
pub mod postgres;
mod queue;
mod review;
pub mod sqlite;
mod texts;
mod transfers;

use sqlx::AnyPool;

pub use accounts::{ApiToken, Login, NewApiToken, NewStaff, Staff, Unit};
pub use admin::{RuleRecord, StoredRule, StoredTemplate, TemplateRecord, UnitEntry};
pub use air::{
    AIR_POLLUTANTS, AirImportSummary, AirMessage, AirRow, AirStation, NewAirStation, StoredHour,
};
pub use answers::{AnswerChange, AnswerEvent, Publication, StoredAnswer};
pub use attachments::{Attachment, NewAttachment, NewEvidence, PublicCopy};
pub use audit::{AuditCheck, AuditEntry, AuditOutcome, AuditQuery, AuditRecord, GENESIS_HASH};
pub use callbacks::{Callback, CallbackCount, CallbackQuery, CallbackSource, NewCallback};
pub use cases::{
    Actor, CaseFilter, Event, ExportReader, ExportRow, IdempotencyKey, IntakeReceipt, IntakeRecord,
    NewEvent, PublishedRow, StepEvent,
};
pub use disclosure::{
    DisclosureChange, DisclosureEvent, DisclosureFilter, NewDisclosure, StoredDisclosure,
};
pub use eia::{
    EiaAnswer, EiaComment, EiaCommentFact, EiaEvent, EiaNotice, EiaProject, NewEiaComment,
};
pub use feed::{AHEAD_REMEMBERED, Changes, FeedPosition, FeedReader, FeedTarget};
pub use import::{ImportItem, ImportMessage, ImportOptions, ImportSummary};
pub use intake::{AutoRouting, DISPATCH_ACTOR};
pub use notices::{
    CHANNEL_EMAIL, CHANNEL_SMS, DueNotice, NewNotice, Notice, NoticeAttempt, NoticeStatus,
    TrackingCode,
};
pub use open311::{NewOpen311Client, Open311Client, RequestQuery, RequestRow};
pub use queue::{DueBand, HeldCase, QueueCount, QueueOrder, QueueQuestion};
pub use texts::SourceText;
pub use transfers::{
    CallbackAttempt, DueCallback, NewTransferCallback, NewTransferCentre, TransferCallback,
    TransferCentre, TransferStep,
};

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("the case changed meanwhile; reload it and try again")]
    Conflict,
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the case was not stored: {0}")]
    NotCommitted(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    fn unique_as(error: sqlx::Error, what: &'static str) -> StoreError {
        match &error {
            sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Database(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The case store. Cheap to clone: it holds connection pools.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Takes every write but intake's. On SQLite it has one connection, so these writers queue
    /// here; the intake writer's connection waits for the file lock (busy_timeout) beside it.
    writer: AnyPool,
    /// Serves reads; on SQLite, WAL lets them run beside the writer.
    reader: AnyPool,
    /// Intake goes through one writer task that commits submissions in batches.
    intake_queue: tokio::sync::mpsc::Sender<intake::Job>,
    /// The database file, on SQLite: bulk writers open their own connection to it.
    sqlite_path: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    fn new(
        backend: Backend,
        writer: AnyPool,
        reader: AnyPool,
        intake: intake::Writer,
        sqlite_path: Option<std::path::PathBuf>,
    ) -> Store {
        let intake_queue = intake::start_writer(intake);
        Store {
            backend,
            writer,
            reader,
            intake_queue,
            sqlite_path,
        }
    }

    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let store = if url.starts_with("sqlite:") {
            sqlite::open(url).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres::open(url).await?
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlite::MIGRATOR.run(&self.writer).await?,
            Backend::Postgres => postgres::MIGRATOR.run(&self.writer).await?,
        }
        Ok(())
    }

    /// The database file, on SQLite (derived files such as the search index go beside it).
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    /// Closes the pools, waiting for work in flight.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
