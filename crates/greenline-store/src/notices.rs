//! Notices to reporters (the outbox) and the one-time codes of tracking by phone.
//!
//! A notice is written in the transaction of the step it tells of ([`Store::record_change_noticed`]),
//! one row per channel the reporter left (an SMS for a phone, an e-mail for an address; none for
//! an anonymous report). A row holds the message and nothing that identifies the reporter: the
//! sender reads the phone or address when it delivers ([`Store::due_notices`]), so a reporter's
//! later correction is honoured and the outbox is no second copy of identities.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::cases::{StepEvent, append_event};
use crate::convert::{instant, millis};
use crate::{Result, Store, StoreError};

/// The channels a notice goes by.
pub const CHANNEL_SMS: &str = "sms";
pub const CHANNEL_EMAIL: &str = "email";

/// A notice to write with a step: what happened, in the words of each channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// `accepted`, `rejected`, `concluded`, `replied`.
    pub kind: String,
    /// The e-mail's subject.
    pub subject: String,
    /// The SMS text; `None`: no SMS (no gateway is set up).
    pub sms: Option<String>,
    /// The e-mail's text; `None`: no e-mail.
    pub email: Option<String>,
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeStatus {
    Pending,
    Sent,
    /// Given up after the last retry.
    Failed,
}

impl NoticeStatus {
    pub fn code(self) -> &'static str {
        match self {
            NoticeStatus::Pending => "pending",
            NoticeStatus::Sent => "sent",
            NoticeStatus::Failed => "failed",
        }
    }

    fn parse(code: &str) -> Result<Self> {
        match code {
            "pending" => Ok(NoticeStatus::Pending),
            "sent" => Ok(NoticeStatus::Sent),
            "failed" => Ok(NoticeStatus::Failed),
            other => Err(crate::convert::corrupt("notice status", other)),
        }
    }
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub case_id: i64,
    pub channel: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub status: NoticeStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A notice claimed for delivery, with where it goes (read from the reporter now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotice {
    pub notice: Notice,
    /// The reporter's phone (SMS) or e-mail address; `None` if the reporter has none any more.
    pub to: Option<String>,
}

/// One delivery attempt of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub error: Option<String>,
}

/// A one-time code of tracking by phone, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingCode {
    pub id: i64,
    pub case_id: i64,
    pub phone_key: String,
    /// Absent when the phone did not match and nothing was sent.
    pub code_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub failures: i64,
    pub used_at: Option<DateTime<Utc>>,
}

const NOTICE_COLUMNS: &str = "n.id, n.case_id, n.channel, n.kind, n.subject, n.body, \
     n.created_at, n.status, n.attempts, n.next_attempt_at, n.sent_at, n.last_error";

fn notice_from_row(row: &sqlx::any::AnyRow) -> Result<Notice> {
    Ok(Notice {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        channel: row.try_get("channel")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        created_at: instant(row.try_get("created_at")?)?,
        status: NoticeStatus::parse(&row.try_get::<String, _>("status")?)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: instant(row.try_get("next_attempt_at")?)?,
        sent_at: row
            .try_get::<Option<i64>, _>("sent_at")?
            .map(instant)
            .transpose()?,
        last_error: row.try_get("last_error")?,
    })
}

fn code_from_row(row: &sqlx::any::AnyRow) -> Result<TrackingCode> {
    Ok(TrackingCode {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        phone_key: row.try_get("phone_key")?,
        code_hash: row.try_get("code_hash")?,
        created_at: instant(row.try_get("created_at")?)?,
        expires_at: instant(row.try_get("expires_at")?)?,
        failures: row.try_get("failures")?,
        used_at: row
            .try_get::<Option<i64>, _>("used_at")?
            .map(instant)
            .transpose()?,
    })
}

/// Writes `notices` of case `case_id` in the transaction `tx`: a row per channel the reporter
/// left, none for an anonymous reporter.
pub(crate) async fn insert_notices(
    tx: &mut sqlx::AnyConnection,
    case_id: i64,
    notices: &[NewNotice],
    now: DateTime<Utc>,
) -> Result<()> {
    for notice in notices {
        for (channel, column, body) in [
            (CHANNEL_SMS, "phone", &notice.sms),
            (CHANNEL_EMAIL, "email", &notice.email),
        ] {
            let Some(body) = body else { continue };
            sqlx::query(&format!(
                "INSERT INTO notices (case_id, channel, kind, subject, body, created_at, \
                 next_attempt_at) SELECT r.case_id, $2, $3, $4, $5, $6, $7 FROM reporters r \
                 WHERE r.case_id = $1 AND r.anonymous = 0 AND r.{column} IS NOT NULL \
                 AND r.{column} <> ''"
            ))
            .bind(case_id)
            .bind(channel)
            .bind(notice.kind.clone())
            .bind(notice.subject.clone())
            .bind(body.clone())
            .bind(millis(now))
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// [`Store::record_change_as`] with the notices the change sends the reporter, written in
    /// the same transaction (the outbox).
    pub async fn record_change_noticed(
        &self,
        applied: &greenline_domain::Applied,
        due_at: Option<DateTime<Utc>>,
        steps: &[StepEvent<'_>],
        notices: &[NewNotice],
    ) -> Result<Vec<crate::Event>> {
        self.record_change_full(applied, due_at, steps, None, notices, None)
            .await
    }

    /// [`Store::record_change_noticed`] with the callback the change owes the 12345 centre that
    /// transferred the case, written in the same transaction (the outbox).
    pub async fn record_change_told(
        &self,
        applied: &greenline_domain::Applied,
        due_at: Option<DateTime<Utc>>,
        steps: &[StepEvent<'_>],
        notices: &[NewNotice],
        transfer: Option<&crate::NewTransferCallback>,
    ) -> Result<Vec<crate::Event>> {
        self.record_change_full(applied, due_at, steps, None, notices, transfer)
            .await
    }

    /// The notices of a case, oldest first.
    pub async fn notices_of(&self, case_id: i64) -> Result<Vec<Notice>> {
        sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notices n WHERE n.case_id = $1 ORDER BY n.id"
        ))
        .bind(case_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(notice_from_row)
        .collect()
    }

    /// Every attempt to deliver notice `id`, oldest first.
    pub async fn notice_attempts(&self, id: i64) -> Result<Vec<NoticeAttempt>> {
        sqlx::query("SELECT at, ok, error FROM notice_attempts WHERE notice_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(NoticeAttempt {
                    at: instant(row.try_get("at")?)?,
                    ok: row.try_get::<i64, _>("ok")? != 0,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }

    /// Claims at most `limit` pending notices due at `now` for delivery, each with where it
    /// goes. A claimed notice is not due again until `lease_until`, so that another node (or a
    /// sender that crashed midway) leaves it alone until then; recording the attempt settles
    /// it. A claim lost to another node is skipped.
    pub async fn due_notices(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueNotice>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS}, r.phone, r.email FROM notices n \
             JOIN reporters r ON r.case_id = n.case_id \
             WHERE n.status = 'pending' AND n.next_attempt_at <= $1 \
             ORDER BY n.next_attempt_at, n.id LIMIT $2"
        ))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            let notice = notice_from_row(row)?;
            let claimed = sqlx::query(
                "UPDATE notices SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending' \
                 AND next_attempt_at = $3",
            )
            .bind(millis(lease_until))
            .bind(notice.id)
            .bind(millis(notice.next_attempt_at))
            .execute(&self.writer)
            .await?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            let to: Option<String> = if notice.channel == CHANNEL_SMS {
                row.try_get("phone")?
            } else {
                row.try_get("email")?
            };
            due.push(DueNotice {
                notice: Notice {
                    next_attempt_at: lease_until,
                    ..notice
                },
                to: to.filter(|t| !t.trim().is_empty()),
            });
        }
        Ok(due)
    }

    /// Records an attempt to deliver notice `id` at `at`: delivered (`error` is `None`), or
    /// failed and tried again at `retry_at`, or (without `retry_at`) given up.
    pub async fn record_notice_attempt(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO notice_attempts (notice_id, at, ok, error) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(millis(at))
        .bind(i64::from(error.is_none()))
        .bind(error.map(str::to_owned))
        .execute(&mut *tx)
        .await?;
        let (status, next) = match (error, retry_at) {
            (None, _) => (NoticeStatus::Sent, at),
            (Some(_), Some(retry)) => (NoticeStatus::Pending, retry),
            (Some(_), None) => (NoticeStatus::Failed, at),
        };
        let updated = sqlx::query(
            "UPDATE notices SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
             sent_at = $3, last_error = $4 WHERE id = $5",
        )
        .bind(status.code())
        .bind(millis(next))
        .bind(error.is_none().then(|| millis(at)))
        .bind(error.map(str::to_owned))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound("notice"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Code requests since `since` for case `case_id` and for the phone `phone_key`, matched or
    /// not: the counts the limits per case and per phone read.
    pub async fn tracking_code_requests(
        &self,
        case_id: i64,
        phone_key: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM tracking_codes WHERE case_id = $1 AND created_at > $3) \
             AS by_case, \
             (SELECT COUNT(*) FROM tracking_codes WHERE phone_key = $2 AND created_at > $3) \
             AS by_phone",
        )
        .bind(case_id)
        .bind(phone_key.to_owned())
        .bind(millis(since))
        .fetch_one(&self.writer)
        .await?;
        Ok((row.try_get("by_case")?, row.try_get("by_phone")?))
    }

    /// Records a code request; `code_hash` only when a code was sent. Returns the row's id.
    pub async fn insert_tracking_code(
        &self,
        case_id: i64,
        phone_key: &str,
        code_hash: Option<&str>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO tracking_codes (case_id, phone_key, code_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(case_id)
        .bind(phone_key.to_owned())
        .bind(code_hash.map(str::to_owned))
        .bind(millis(now))
        .bind(millis(expires_at))
        .fetch_one(&self.writer)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The latest code sent for case `case_id` that was not used yet, expired or not.
    pub async fn latest_tracking_code(&self, case_id: i64) -> Result<Option<TrackingCode>> {
        sqlx::query(
            "SELECT id, case_id, phone_key, code_hash, created_at, expires_at, failures, used_at \
             FROM tracking_codes WHERE case_id = $1 AND code_hash IS NOT NULL \
             AND used_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(code_from_row)
        .transpose()
    }

    /// Counts a wrong try against code `id`.
    pub async fn fail_tracking_code(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE tracking_codes SET failures = failures + 1 WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Uses code `id` up; false if it was used already (by a request that came first).
    pub async fn use_tracking_code(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let used =
            sqlx::query("UPDATE tracking_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(millis(now))
                .bind(id)
                .execute(&self.writer)
                .await?;
        Ok(used.rows_affected() == 1)
    }

    /// Forgets code requests made before `before` (they count for no limit any more).
    pub async fn forget_tracking_codes(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM tracking_codes WHERE created_at < $1 AND expires_at < $1")
                .bind(millis(before))
                .execute(&self.writer)
                .await?
                .rows_affected(),
        )
    }

    /// Replaces the tracking secret of case `case_id` (the old one stops working), with its
    /// event, in one transaction.
    pub async fn replace_secret(
        &self,
        case_id: i64,
        secret_hash: &str,
        event: crate::NewEvent<'_>,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let updated = sqlx::query("UPDATE cases SET secret_hash = $1 WHERE id = $2")
            .bind(secret_hash.to_owned())
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound("case"));
        }
        append_event(&mut tx, case_id, "reissue_secret", None, None, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
