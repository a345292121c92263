//! Notices to reporters (告知): what they say, how they go out, and the sender that delivers the
//! outbox.
//!
//! A step that a reporter should hear of (acceptance, rejection with its reason, conclusion,
//! reply) writes its notices in its own transaction ([`greenline_store::NewNotice`]), one per
//! channel the reporter left: an SMS for a phone, an e-mail for an address, nothing for an
//! anonymous report. [`App::deliver_notices`] then sends what is due, records every attempt, and
//! tries a failed one again later, waiting twice as long each time, until
//! [`NoticeSettings::max_attempts`]; a started node runs it every
//! [`NoticeSettings::poll_seconds`]. Messages carry the tracking number, what happened and a
//! link to the portal's tracking page: never the tracking secret, never a staff member's name.
//!
//! SMS goes through an [`SmsGateway`]: the [`WebhookSms`] sender posts JSON to a provider
//! adapter with an HMAC signature (docs/notices.md), [`RecordingSms`] keeps messages for tests.
//! E-mail goes through a [`Mailer`]: [`SmtpMailer`] (lettre, over TLS where the URL says so), or
//! [`RecordingMailer`].

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, Utc};
use greenline_domain::{Action, Case, RejectionReason};
use greenline_store::{CHANNEL_SMS, DueNotice, NewNotice};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// Settings of notices (the `[notices]` table of the configuration file; docs/settings.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct NoticeSettings {
    /// The portal's address as reporters reach it; messages link to its `/track` page.
    pub portal_url: String,
    /// Where the SMS webhook sender posts (a provider adapter); unset: no SMS.
    pub sms_webhook_url: Option<String>,
    /// The key the webhook's requests are signed with (HMAC-SHA256).
    pub sms_webhook_secret: Option<SecretText>,
    /// The SMTP server of e-mail notices: `smtps://user:password@host:465`,
    /// `smtp://host:587?tls=required`, or `smtp://host:25` (plain, a local relay); unset: no
    /// e-mail.
    pub smtp_url: Option<SecretText>,
    /// The sender of e-mail notices.
    pub email_from: String,
    /// Attempts at one notice before it is given up.
    pub max_attempts: u32,
    /// The wait before the first retry; each later wait is twice the one before, at most six
    /// hours.
    pub retry_seconds: u64,
    /// How often a node looks for notices to send.
    pub poll_seconds: u64,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        NoticeSettings {
            portal_url: "http://127.0.0.1:8080".to_owned(),
            sms_webhook_url: None,
            sms_webhook_secret: None,
            smtp_url: None,
            email_from: "12369 <noreply@localhost>".to_owned(),
            max_attempts: 8,
            retry_seconds: 60,
            poll_seconds: 10,
        }
    }
}

/// A setting that is a secret (a key, a URL with a password): never shown in logs or debug
/// output.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Failed(String),
}

/// Sends a text message. Implementations must be safe to call from several tasks.
#[async_trait]
pub trait SmsGateway: Send + Sync + fmt::Debug {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError>;
}

/// Sends an e-mail.
#[async_trait]
pub trait Mailer: Send + Sync + fmt::Debug {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError>;
}

/// The header carrying a webhook request's signature: `sha256=` and the hex HMAC-SHA256, under
/// the shared secret, of the timestamp header's value, a dot, and the body.
pub const SIGNATURE_HEADER: &str = "x-greenline-signature";
/// The header carrying when a webhook request was made (Unix seconds), signed with the body so
/// that an adapter can refuse old requests played again.
pub const TIMESTAMP_HEADER: &str = "x-greenline-timestamp";

/// The signature of a webhook request (see [`SIGNATURE_HEADER`]).
pub fn webhook_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The body of a webhook request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookMessage {
    /// The phone number as the reporter gave it.
    pub to: String,
    /// The message, in Chinese.
    pub text: String,
}

/// Sends SMS by posting [`WebhookMessage`] as JSON to a provider adapter, signed (see
/// [`SIGNATURE_HEADER`]). A 2xx answer means the adapter took the message.
pub struct WebhookSms {
    url: String,
    secret: SecretText,
    http: reqwest::Client,
}

impl fmt::Debug for WebhookSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSms")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl WebhookSms {
    pub fn new(url: &str, secret: SecretText) -> anyhow::Result<WebhookSms> {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "notices.sms_webhook_url must be an http:// or https:// URL"
        );
        anyhow::ensure!(
            !secret.0.is_empty(),
            "notices.sms_webhook_secret must not be empty"
        );
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .no_proxy()
            .build()?;
        Ok(WebhookSms {
            url: url.to_owned(),
            secret,
            http,
        })
    }
}

#[async_trait]
impl SmsGateway for WebhookSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let body = serde_json::to_vec(&WebhookMessage {
            to: to.to_owned(),
            text: text.to_owned(),
        })
        .map_err(|e| SendError::Failed(e.to_string()))?;
        let timestamp = Utc::now().timestamp().to_string();
        let signature = webhook_signature(&self.secret.0, &timestamp, &body);
        let answer = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            // The error names the URL, never the message.
            .map_err(|e| SendError::Failed(format!("SMS webhook: {}", e.without_url())))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(SendError::Failed(format!(
                "SMS webhook answered {}",
                answer.status()
            )))
        }
    }
}

/// One message a recording sender kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Keeps the messages it is given (tests); can be told to fail the next few.
#[derive(Debug, Default)]
pub struct Recorder {
    sent: Mutex<Vec<Sent>>,
    failures: Mutex<u32>,
}

impl Recorder {
    /// The messages sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The next `n` sends fail.
    pub fn fail_next(&self, n: u32) {
        *self.failures.lock().unwrap_or_else(|e| e.into_inner()) = n;
    }

    fn take(&self, to: &str, subject: &str, text: &str) -> Result<(), SendError> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if *failures > 0 {
            *failures -= 1;
            return Err(SendError::Failed(
                "the recording sender was told to fail".into(),
            ));
        }
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Sent {
                to: to.to_owned(),
                subject: subject.to_owned(),
                text: text.to_owned(),
            });
        Ok(())
    }
}

/// An SMS gateway that records (tests).
#[derive(Debug, Default)]
pub struct RecordingSms(pub Recorder);

#[async_trait]
impl SmsGateway for RecordingSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        self.0.take(to, "", text)
    }
}

/// A mailer that records (tests).
#[derive(Debug, Default)]
pub struct RecordingMailer(pub Recorder);

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        self.0.take(to, subject, body)
    }
}

/// Sends e-mail through an SMTP server.
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server at `url` (see [`NoticeSettings::smtp_url`]) sending as `from`.
    pub fn new(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("notices.smtp_url: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("notices.email_from {from:?}: {e}"))?;
        Ok(SmtpMailer { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        use lettre::AsyncTransport;
        let to: lettre::message::Mailbox = to
            .parse()
            .map_err(|e| SendError::Failed(format!("the address is not usable: {e}")))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| SendError::Failed(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Failed(format!("SMTP: {e}")))
    }
}

/// How this node sends notices: the settings and the channels set up.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    pub settings: NoticeSettings,
    pub sms: Option<Arc<dyn SmsGateway>>,
    pub mail: Option<Arc<dyn Mailer>>,
}

impl Notices {
    /// The channels `settings` names: the webhook SMS sender and the SMTP mailer.
    pub fn from_settings(settings: NoticeSettings) -> anyhow::Result<Notices> {
        let sms: Option<Arc<dyn SmsGateway>> = match &settings.sms_webhook_url {
            Some(url) => {
                let secret = settings.sms_webhook_secret.clone().ok_or_else(|| {
                    anyhow::anyhow!("notices.sms_webhook_url needs notices.sms_webhook_secret")
                })?;
                Some(Arc::new(WebhookSms::new(url, secret)?))
            }
            None => None,
        };
        let mail: Option<Arc<dyn Mailer>> = match &settings.smtp_url {
            Some(url) => Some(Arc::new(SmtpMailer::new(&url.0, &settings.email_from)?)),
            None => None,
        };
        Ok(Notices {
            settings,
            sms,
            mail,
        })
    }

    /// The link messages give: the portal's tracking page.
    pub fn track_link(&self) -> String {
        format!("{}/track", self.settings.portal_url.trim_end_matches('/'))
    }

    /// The wait before attempt `done + 1` after `done` failed ones.
    pub(crate) fn backoff(&self, done: u32) -> Duration {
        let base = i64::try_from(self.settings.retry_seconds.max(1)).unwrap_or(60);
        let factor = 1_i64 << done.saturating_sub(1).min(20);
        Duration::seconds(base.saturating_mul(factor).min(6 * 3600))
    }
}

/// The metric counting delivery attempts, by `channel` (`sms`, `email`) and `outcome` (`sent`,
/// `failed`).
pub const NOTICE_ATTEMPTS: &str = "greenline_notice_attempts_total";

/// The SMS signature the messages start with (providers in China require one; an adapter
/// may replace it with the one registered with the carrier).
const SIGNATURE: &str = "【12369】";

/// What a change tells the reporter, for the actions of its events (in order): the last of
/// acceptance, rejection, conclusion, reply. An approval, which concludes and replies at once,
/// tells of the reply. `note` is the step's note: for a rejection, where to turn instead.
pub fn notice_for(
    case: &Case,
    actions: &[Action],
    note: Option<&str>,
    link: &str,
) -> Option<NoticeText> {
    let no = case.tracking_no();
    let kind = actions.iter().rev().find_map(|a| match a {
        Action::Accept => Some("accepted"),
        Action::Reject => Some("rejected"),
        Action::Reply => Some("replied"),
        Action::Conclude => Some("concluded"),
        _ => None,
    })?;
    let (subject, what) = match kind {
        "accepted" => ("您的举报已受理", "已受理，正在办理。".to_owned()),
        "rejected" => {
            let reason = case.rejection.map_or("", RejectionReason::zh);
            (
                "您的举报不予受理",
                format!("不予受理。原因：{reason}。{}", where_to_go(case, note)),
            )
        }
        "concluded" => (
            "您的举报已办结调查",
            "已调查办结，答复意见将另行告知。".to_owned(),
        ),
        _ => (
            "您的举报已答复",
            "已答复。请查看答复意见，并对办理结果作出评价。".to_owned(),
        ),
    };
    let sms = format!("{SIGNATURE}您反映的问题（受理编号 {no}）{what}查询进展：{link}");
    let email = format!(
        "您好：\n\n您反映的问题（受理编号 {no}）{what}\n\n\
         请在 {link} 输入受理编号和提交时得到的查询码查看办理情况。\
         查询码遗失的，可在该页面用举报时留下的手机号码接收验证码后重新获取。\n\n\
         本邮件由系统自动发送，请勿直接回复。\n12369 生态环境投诉举报"
    );
    Some(NoticeText {
        kind,
        subject: format!("{subject}（{no}）"),
        sms,
        email,
    })
}

/// Where a rejected report may turn: the authority the handler named, or what the reason
/// itself points to.
fn where_to_go(case: &Case, note: Option<&str>) -> String {
    let named = note.map(str::trim).filter(|n| !n.is_empty());
    match (case.rejection, named) {
        (_, Some(note)) => format!("建议：{note}。"),
        (Some(RejectionReason::OutsideRemit), None) => {
            "请向有管辖权的部门反映，或拨打 12345 政务服务便民热线。".to_owned()
        }
        (Some(RejectionReason::OtherProcedure), None) => {
            "请依法通过诉讼、仲裁或行政复议等途径解决。".to_owned()
        }
        _ => String::new(),
    }
}

/// A notice's words, before the store writes it per channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub kind: &'static str,
    pub subject: String,
    pub sms: String,
    pub email: String,
}

impl App {
    /// The notices a change of `case` by `actions` writes with it: none if it tells the
    /// reporter nothing or no channel is set up; per channel set up otherwise (the store
    /// writes each only where the reporter left a phone or an address).
    pub(crate) fn notices_for(
        &self,
        case: &Case,
        actions: &[Action],
        note: Option<&str>,
    ) -> Vec<NewNotice> {
        let notices = &self.notices;
        if notices.sms.is_none() && notices.mail.is_none() {
            return Vec::new();
        }
        notice_for(case, actions, note, &notices.track_link())
            .map(|text| NewNotice {
                kind: text.kind.to_owned(),
                subject: text.subject,
                sms: notices.sms.is_some().then_some(text.sms),
                email: notices.mail.is_some().then_some(text.email),
            })
            .into_iter()
            .collect()
    }

    /// The channels notices go by on this node.
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// Sends the notices due now, at most `limit`: each attempt recorded, a failure tried again
    /// later (see the module doc). How many were delivered.
    pub async fn deliver_notices(&self, limit: u32) -> ServiceResult<usize> {
        let now = self.now();
        // A claimed notice is left alone this long by every other sender.
        let lease = now + Duration::minutes(5);
        let due = self.store.due_notices(now, lease, limit).await?;
        let mut delivered = 0;
        for DueNotice { notice, to } in due {
            let result = match (to.as_deref(), notice.channel.as_str()) {
                (None, _) => Err(SendError::Failed(
                    "the reporter left no phone or address for this channel".into(),
                )),
                (Some(to), CHANNEL_SMS) => match &self.notices.sms {
                    Some(sms) => sms.send(to, &notice.body).await,
                    None => Err(SendError::Failed("no SMS gateway is set up".into())),
                },
                (Some(to), _) => match &self.notices.mail {
                    Some(mail) => mail.send(to, &notice.subject, &notice.body).await,
                    None => Err(SendError::Failed("no SMTP server is set up".into())),
                },
            };
            let at = self.now();
            let done = u32::try_from(notice.attempts).unwrap_or(u32::MAX) + 1;
            let outcome = if result.is_ok() { "sent" } else { "failed" };
            metrics::counter!(NOTICE_ATTEMPTS, "channel" => notice.channel.clone(), "outcome" => outcome)
                .increment(1);
            match result {
                Ok(()) => {
                    delivered += 1;
                    self.store
                        .record_notice_attempt(notice.id, at, None, None)
                        .await?;
                }
                Err(SendError::Failed(why)) => {
                    let retry = (to.is_some() && done < self.notices.settings.max_attempts)
                        .then(|| at + self.notices.backoff(done));
                    tracing::warn!(
                        notice = notice.id,
                        case = notice.case_id,
                        attempt = done,
                        "a notice was not delivered: {why}"
                    );
                    self.store
                        .record_notice_attempt(notice.id, at, Some(&why), retry)
                        .await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Starts the sender: every [`NoticeSettings::poll_seconds`], the notices due are sent.
    /// Started with the other background tasks of a serving node when a channel is set up.
    pub(crate) fn start_notice_sender(&self) {
        if self.notices.sms.is_none() && self.notices.mail.is_none() {
            return;
        }
        let app = self.clone();
        let pause = std::time::Duration::from_secs(self.notices.settings.poll_seconds.max(1));
        self.projections.spawn(async move {
            loop {
                loop {
                    match app.deliver_notices(50).await {
                        // A full batch: more may be waiting.
                        Ok(50) => continue,
                        Ok(_) => break,
                        Err(error) => {
                            tracing::warn!("sending notices: {error}");
                            break;
                        }
                    }
                }
                tokio::time::sleep(pause).await;
            }
        });
    }

    /// Sends one SMS now, outside the outbox (one-time codes, a reissued secret: these are not
    /// kept anywhere).
    pub(crate) async fn send_sms_now(&self, to: &str, text: &str) -> ServiceResult<()> {
        let sms = self.notices.sms.as_ref().ok_or_else(no_sms)?;
        sms.send(to, text).await.map_err(|e| {
            tracing::warn!("an SMS was not sent: {e}");
            ServiceError::Unavailable("the text message could not be sent; try again later".into())
        })
    }
}

pub(crate) fn no_sms() -> ServiceError {
    ServiceError::Unavailable(
        "text messages cannot be sent: no SMS gateway is set up (notices.sms_webhook_url)".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_and_body() {
        // RFC 4231 style check against an independent computation of the same construction.
        let a = webhook_signature("key", "1700000000", b"{}");
        let b = webhook_signature("key", "1700000001", b"{}");
        let c = webhook_signature("other", "1700000000", b"{}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64);
        assert_ne!(a, b);
        assert_ne!(a, c);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").expect("key");
        mac.update(b"1700000000.{}");
        assert_eq!(
            a,
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        );
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        let notices = Notices::default();
        assert_eq!(notices.backoff(1), Duration::seconds(60));
        assert_eq!(notices.backoff(2), Duration::seconds(120));
        assert_eq!(notices.backoff(3), Duration::seconds(240));
        assert_eq!(notices.backoff(40), Duration::hours(6));
    }
}
