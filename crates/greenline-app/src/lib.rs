//! # greenline-app
//!
//! The application core: every use case of Greenline as a plain async method of [`App`], taking
//! a typed caller and typed input and answering a typed result or a [`ServiceError`]. The doors
//! — the JSON API and the pages (`greenline-web`), the command line (`greenline`) — parse their
//! input, call one method here and render its answer; none holds a rule of its own.
//!
//! Where each use case lives:
//!
//! | use case | module |
//! |---|---|
//! | register a case from any channel (intake) | [`cases::intake`] |
//! | the call-taker's desk: suggestions while typing, a save that may link a repeat | [`cases::desk`] |
//! | take a step (accept, assign, extend, reply, submit, approve or return a draft, …) | [`cases::steps`] |
//! | a unit's approval setting (审核) | [`cases::approval`] |
//! | callbacks (回访) from staff and reporters' ratings; their figures per unit (满意率) | [`cases::callback`] |
//! | route several cases at once from the work queue | [`cases::bulk`] |
//! | confirm or correct a case's types | [`cases::review`] |
//! | merge a repeat into its source's group; a case's group | [`cases::merge`] |
//! | urge or supervise a case (催办, 督办) | [`cases::oversight`] |
//! | read a case, its history, its reporter (recorded) | [`cases::read`] |
//! | list the cases of a jurisdiction under filters | [`cases::list`] |
//! | the work queue (待办): cases awaiting the caller's step, by time left | [`cases::queue`] |
//! | same-source candidates of a case | [`cases::same_source`] |
//! | the reporter's tracking view; one-time codes by SMS; a new secret | [`cases::track`] |
//! | information-disclosure requests (依申请公开): apply, steps, turn into a complaint, read, the annual report | [`disclosure`] |
//! | published results (办理结果公开) and public monthly figures | [`public`] |
//! | Open311 GeoReport v2: services, requests read and submitted, client keys | [`open311`] |
//! | the 12345 hand-over: centres, transfers in, the status feed, signed callbacks | [`transfers`] |
//! | notices to reporters (SMS, e-mail) and their sender | [`notices`] |
//! | full-text search | [`search`] |
//! | masking reporters' identities in case texts for roles that may not read them | [`masking`] |
//! | statistics, trends, spike alerts | [`stats`] |
//! | hot topics | [`topics`] |
//! | the bulletin (决策参考) | [`reports`] |
//! | a city's air quality | [`air`] |
//! | plain answers (通俗解说): written, reviewed, published, searched, offered while typing | [`answers`] |
//! | public participation in EIA (环评公众参与): projects, notices, comments, answers, figures | [`eia`] |
//! | sign-in, sessions, passwords, API tokens, units and accounts | [`accounts`] |
//! | administration: units, dispatch rules (自动分派), reply templates, the deadline table | [`admin`] |
//! | the audit trail: what is recorded, the auditor's search | [`audit`] |
//! | who may export reporters' identities; the record of exports | [`export`] |
//! | what an operator watches: case figures, view lag, audit-event counts | [`operations`] |
//!
//! The derived views (statistics, same-source, full-text) are [`projections`], kept by one
//! supervisor from the store's event feed.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod admin;
pub mod air;
pub mod answers;
pub mod audit;
mod caller;
pub mod cases;
mod clock;
pub mod dashboard;
pub mod disclosure;
pub mod eia;
mod error;
pub mod export;
pub mod files;
mod limiter;
pub mod masking;
pub mod network;
pub mod notices;
pub mod open311;
pub mod operations;
mod params;
pub mod photos;
pub mod projections;
pub mod public;
pub mod reports;
pub mod search;
pub mod stats;
mod suggest;
pub mod topics;
pub mod transfers;
pub mod views;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use greenline_domain::DeadlineTable;
use greenline_store::Store;
use serde::{Deserialize, Serialize};

pub use caller::{Caller, Origin};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ServiceError, ServiceResult, describe};
pub use files::Files;
pub use limiter::PublicLimiter;
pub use network::TrustedProxies;
pub use operations::count_audit_event;
pub use projections::Projections;

/// Settings of the service (the `[web]` table of the configuration file). Every field is
/// described, with its default and environment variable, in `docs/settings.md`; a test keeps
/// the two in step.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Public (not signed-in) intake and tracking requests allowed per client address and
    /// minute; 0 turns the limit off.
    pub public_requests_per_minute: u32,
    /// How long a staff session lasts.
    pub session_hours: u32,
    /// Mark cookies `Secure`: browsers then send them only over HTTPS (and to
    /// `http://localhost`). Turn off only for a plain-HTTP intranet deployment.
    pub secure_cookies: bool,
    /// The service is reached over HTTPS (directly or through a proxy that terminates TLS):
    /// every answer tells browsers to use HTTPS only (`Strict-Transport-Security`).
    pub https: bool,
    /// Reverse proxies whose `X-Forwarded-For` or `Forwarded` header names the client, as
    /// addresses or networks; empty: the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// A token that `/metrics` then requires (`Authorization: Bearer …`) from any address;
    /// unset: only direct loopback requests may read it.
    pub metrics_token: Option<MetricsToken>,
    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish before the
    /// server stops anyway.
    pub shutdown_grace_seconds: u64,
    /// Requests one node serves at once; more are refused at once with 503 and `Retry-After`
    /// (probes and metrics excepted) rather than queued until they time out. 0: no limit.
    pub max_requests_in_flight: u32,
    /// Where the full-text search index lives; in memory (built at every start) if unset.
    pub search_dir: Option<std::path::PathBuf>,
    /// The file the statistics index's snapshot is kept in, so that a restart reads it and
    /// catches up from the feed instead of reading every case; unset: built at every start.
    pub stats_snapshot: Option<std::path::PathBuf>,
    /// The file the same-source index's snapshot is kept in (the window's cases' features,
    /// not their texts), so that a restart reads it instead of every text of the window;
    /// unset: built at every start.
    pub sources_snapshot: Option<std::path::PathBuf>,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: u32,
    /// Sign-in attempts allowed per client address and minute (apart from public requests);
    /// 0 turns the limit off.
    pub sign_in_attempts_per_minute: u32,
    /// Failed sign-ins in a row that lock an account.
    pub lock_after_failures: u32,
    /// How long a locked account stays locked.
    pub lock_minutes: u32,
    /// Days a password lasts before it must be changed; 0: it does not expire.
    pub password_max_age_days: u32,
    /// A new password must differ from this many of the account's last passwords.
    pub password_history: u32,
    /// The longest life of an API token, in days.
    pub api_token_days: u32,
    /// The folder where case files (photos, letters) are kept; beside the SQLite file by
    /// default. Unset on PostgreSQL: uploads are then refused.
    pub files_dir: Option<std::path::PathBuf>,
    /// Keep case files in this S3-compatible bucket instead of `files_dir`. The credentials
    /// come from the environment only (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
    pub files_s3_bucket: Option<String>,
    /// The S3-compatible service's URL (MinIO, Ceph, OSS …); unset: AWS.
    pub files_s3_endpoint: Option<String>,
    /// The bucket's region; unset: `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub files_s3_region: Option<String>,
    /// The map tiles of the report form's and the case page's map: a URL template with `{z}`,
    /// `{x}`, `{y}` (and `{s}` for subdomains), e.g. the agency's own tile server or 天地图 with
    /// its browser key. Unset: no map; the form takes coordinates and "use my location" only.
    pub map_tiles: Option<String>,
    /// The credit the tile provider requires, shown on the map (审图号 and the provider's name).
    pub map_attribution: Option<String>,
    /// The datum the tiles are drawn in: `wgs84` (own servers, 天地图's CGCS2000) or `gcj02`
    /// (高德 and other Chinese commercial maps). Points are stored in WGS-84 either way.
    pub map_datum: String,
    /// The `jurisdiction_id` Open311 clients may send (`/open311/v2/`); an empty one counts as
    /// absent. Unset: only an absent or empty one is accepted, any other is 404.
    pub open311_jurisdiction_id: Option<String>,
    /// Submissions one Open311 client key may make per minute (reading needs no key); 0 turns
    /// the limit off.
    pub open311_requests_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_requests_per_minute: 30,
            session_hours: 12,
            secure_cookies: true,
            https: false,
            trusted_proxies: TrustedProxies::default(),
            metrics_token: None,
            shutdown_grace_seconds: 30,
            max_requests_in_flight: 256,
            search_dir: None,
            stats_snapshot: None,
            sources_snapshot: None,
            session_idle_minutes: 30,
            sign_in_attempts_per_minute: 10,
            lock_after_failures: 5,
            lock_minutes: 15,
            password_max_age_days: 90,
            password_history: 5,
            api_token_days: 90,
            files_dir: None,
            files_s3_bucket: None,
            files_s3_endpoint: None,
            files_s3_region: None,
            map_tiles: None,
            map_attribution: None,
            map_datum: "wgs84".to_owned(),
            open311_jurisdiction_id: None,
            open311_requests_per_minute: 60,
        }
    }
}

/// The token that opens `/metrics`; never shown in logs or debug output.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

/// The application: the store, the time, the rules in force, and the views of this node.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub deadlines: Arc<DeadlineTable>,
    pub settings: Arc<Settings>,
    pub projections: Arc<Projections>,
    limiter: Arc<PublicLimiter>,
    sign_in_limiter: Arc<PublicLimiter>,
    /// Requests per Open311 client key.
    open311_limiter: Arc<limiter::ClientLimiter>,
    /// Failed tracking proofs per case, on this node.
    tracking_attempts: Arc<cases::track::TrackingAttempts>,
    /// Failed tracking proofs per disclosure request, on this node.
    disclosure_attempts: Arc<cases::track::TrackingAttempts>,
    topics: Arc<topics::TopicsCache>,
    /// The published plain answers and their index.
    answers: Arc<answers::AnswerCache>,
    /// Plain-answer look-ups per client address (apart from reports).
    answer_limiter: Arc<PublicLimiter>,
    /// Where case files' bytes are kept.
    files: Files,
    /// How notices and one-time codes reach reporters.
    notices: Arc<notices::Notices>,
}

impl App {
    /// The application over `store`, its views empty and not started (see [`App::start`]).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        deadlines: DeadlineTable,
        settings: Settings,
    ) -> App {
        let deadlines = Arc::new(deadlines);
        let projections = Projections::new(
            deadlines.clone(),
            clock.clone(),
            settings.search_dir.as_deref(),
            settings.stats_snapshot.as_deref(),
            settings.sources_snapshot.as_deref(),
        );
        App {
            limiter: Arc::new(PublicLimiter::new(settings.public_requests_per_minute)),
            sign_in_limiter: Arc::new(PublicLimiter::new(settings.sign_in_attempts_per_minute)),
            open311_limiter: Arc::new(limiter::ClientLimiter::new(
                settings.open311_requests_per_minute,
            )),
            // Look-ups come as a citizen types: more of them than of reports.
            answer_limiter: Arc::new(PublicLimiter::new(
                settings.public_requests_per_minute.saturating_mul(4),
            )),
            tracking_attempts: Arc::default(),
            disclosure_attempts: Arc::default(),
            store,
            clock,
            deadlines,
            settings: Arc::new(settings),
            projections: Arc::new(projections),
            topics: Arc::default(),
            answers: Arc::default(),
            files: Files::default(),
            notices: Arc::default(),
        }
    }

    /// The application sending notices (and one-time tracking codes) through `notices` (by
    /// default it sends none and refuses code requests).
    pub fn with_notices(mut self, notices: notices::Notices) -> App {
        self.notices = Arc::new(notices);
        self
    }

    /// Where case files' bytes are kept.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The application keeping case files in `files` (by default it keeps none and refuses
    /// uploads).
    pub fn with_files(mut self, files: Files) -> App {
        self.files = files;
        self
    }

    /// Starts building and following the views (inside a Tokio runtime). A node that serves
    /// calls it once; a command that only writes does not need to.
    pub fn start(&self) -> &App {
        self.projections.start(self.store.clone());
        // The deadline overrides administrators store: loaded at once, then every minute, so
        // that a change saved on another node is in force here within a minute.
        let app = self.clone();
        self.projections.spawn(async move {
            loop {
                if let Err(error) = app.reload_deadline_overrides().await {
                    tracing::warn!("loading the stored deadline overrides: {error}");
                }
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            }
        });
        // Retry keys are forgotten after a day, and ended sessions at once, checked every hour
        // (on every node: deleting what another node deleted already is harmless).
        let (store, clock) = (self.store.clone(), self.clock.clone());
        let idle = chrono::Duration::minutes(i64::from(self.settings.session_idle_minutes));
        self.projections.spawn(async move {
            loop {
                let now = clock.now();
                let before = now - cases::intake::RETRY_KEYS_KEPT;
                match store.forget_idempotency_keys(before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("forgot {n} retry keys older than a day"),
                    Err(error) => tracing::warn!("forgetting old retry keys: {error}"),
                }
                match store
                    .forget_tracking_codes(now - chrono::Duration::days(1))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("forgot {n} tracking code requests older than a day"),
                    Err(error) => tracing::warn!("forgetting old tracking codes: {error}"),
                }
                match store.purge_sessions(now, now - idle).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("forgot {n} ended sessions"),
                    Err(error) => tracing::warn!("forgetting ended sessions: {error}"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        });
        self.start_notice_sender();
        self.start_transfer_sender();
        self
    }

    /// Waits until every view holds every change committed before the call: a test, or a
    /// page that has just written, awaits it instead of polling.
    pub async fn caught_up(&self) -> ServiceResult<()> {
        self.projections
            .caught_up_with(&self.store, None)
            .await
            .map_err(ServiceError::Internal)
    }

    /// Waits until the statistics hold every change committed before the call.
    pub async fn statistics_caught_up(&self) -> ServiceResult<()> {
        self.projections
            .caught_up_with(&self.store, Some(projections::analytics::NAME))
            .await
            .map_err(ServiceError::Internal)
    }

    /// Each view's progress, for a readiness probe.
    pub async fn view_status(&self) -> ServiceResult<Vec<projections::ViewStatus>> {
        let latest = self.store.latest_event_id().await?;
        Ok(self.projections.status(latest))
    }

    /// Now, by the application's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
