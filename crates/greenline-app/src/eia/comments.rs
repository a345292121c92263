//! The public's comments (意见) on a project: taken only while a comment window is open (the
//! draft report's, the acceptance notice's), refused outside with the day the next one opens;
//! each given a theme at once — the name of the pollution type the shipped classifier reads in
//! it — which staff may change (regroup); each theme's phrases found with the hot-topics code
//! against every other comment. A commenter's identity is optional and kept like a reporter's:
//! never in any output but the audited read of [`App::eia_commenter`], and every text shown
//! is masked (the public masker for the public, the staff masker for roles that may not read
//! identities), the commenter's own name and phone included.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::eia::{CommentForm, Commenter, NewComment, check_theme};
use greenline_store::{AuditOutcome, EiaComment, EiaProject, NewEiaComment};
use greenline_text::pii::Identity;
use greenline_text::topics::is_filler;
use greenline_text::{Classifier, DocFreq, Tokenizer, TopicOptions, hot_topics};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::answers::AnswerView;
use super::schedule;
use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::masking::{mask_text, mask_text_public};
use crate::{App, Caller};

/// The theme of a comment the classifier could not read.
pub const OTHER_THEME: &str = "其他意见";
/// Phrases listed per theme at most.
const PHRASES: usize = 5;

/// A comment as staff read it (its text masked for roles that may not read identities).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    /// The window it came in: `draft` or `acceptance`.
    pub window: String,
    pub text: String,
    /// The pollution type the classifier read in it.
    pub suggested_type: Option<String>,
    pub theme: String,
    /// The commenter gave a name, phone or e-mail (read it with the commenter endpoint).
    pub identified: bool,
}

/// One theme of a project's comments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemeGroup {
    pub theme: String,
    pub count: usize,
    /// The words and phrases that stand out in this theme's comments.
    pub phrases: Vec<String>,
    pub comments: Vec<CommentView>,
    /// The agency's answer, if given.
    pub answer: Option<AnswerView>,
}

/// What a commenter is told when their comment is taken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentReceipt {
    pub id: i64,
    /// The window it came in: `draft` or `acceptance`.
    pub window: String,
    /// The window's last day.
    pub closes_on: NaiveDate,
    pub theme: String,
}

/// Staff moving comments to another theme.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegroupForm {
    pub comment_ids: Vec<i64>,
    pub theme: String,
}

/// The theme the shipped classifier gives a text: its pollution type's name.
fn theme_of(text: &str) -> (Option<String>, String) {
    match Classifier::shipped() {
        Ok(model) => {
            let p = model.predict(Tokenizer::shared(), text);
            (
                Some(p.category.code().to_owned()),
                p.category.zh().to_owned(),
            )
        }
        Err(error) => {
            tracing::error!("the shipped classifier does not load: {error}");
            (None, OTHER_THEME.to_owned())
        }
    }
}

/// The names and phones given with a project's comments, to mask them in its texts.
pub(crate) type Identities = HashMap<i64, Identity>;

impl App {
    /// A comment from the public on a project, taken while a comment window is open.
    pub async fn comment_on_eia_project(
        &self,
        client: Option<IpAddr>,
        project_id: i64,
        form: CommentForm,
    ) -> ServiceResult<CommentReceipt> {
        if let Some(ip) = client {
            self.limiter.check(ip)?;
        }
        self.store.eia_project(project_id).await?;
        let notices = self.store.eia_notices(project_id).await?;
        let today = self.today();
        // A project is public from its first notice's day: before it, it does not exist for
        // the public, and its schedule is not told.
        if !notices.iter().any(|n| n.start <= today) {
            return Err(ServiceError::NotFound("project"));
        }
        let comment = NewComment::parse(&form)?;
        let window = schedule(&notices).accept_comment(today)?;
        let text = comment.text.clone();
        let (suggested_type, theme) = tokio::task::spawn_blocking(move || theme_of(&text)).await?;
        let id = self
            .store
            .add_eia_comment(
                project_id,
                &NewEiaComment {
                    text: comment.text,
                    notice_kind: window.kind,
                    suggested_type,
                    theme: theme.clone(),
                    commenter: comment.commenter,
                },
                self.now(),
            )
            .await?;
        Ok(CommentReceipt {
            id,
            window: window.kind.code().to_owned(),
            closes_on: window.last_day,
            theme,
        })
    }

    /// Who sent a comment, if they said: for staff of the reviewing unit's chain whose role
    /// reads identities; every read (and every refusal) is recorded.
    pub async fn eia_commenter(
        &self,
        caller: &Caller,
        project_id: i64,
        comment_id: i64,
    ) -> ServiceResult<Option<Commenter>> {
        let project = self.visible_project(caller, project_id).await?;
        let unit = self.store.unit(project.unit_id).await?;
        let target = format!("eia comment {comment_id}");
        if !caller.scope().can_read_reporter(unit.region) {
            self.record(
                caller,
                AuditAction::ReadCommenter,
                target,
                AuditOutcome::Denied,
                serde_json::json!({ "project": project_id }),
            )
            .await?;
            return Err(ServiceError::Forbidden(
                "a commenter's identity is only for the reviewing unit's chain, in roles that need it"
                    .to_owned(),
            ));
        }
        let comments = self.store.eia_comments(project_id).await?;
        if !comments.iter().any(|c| c.id == comment_id) {
            return Err(ServiceError::NotFound("comment"));
        }
        let audit = self.audit_entry(
            caller,
            AuditAction::ReadCommenter,
            target,
            AuditOutcome::Ok,
            serde_json::json!({ "project": project_id }),
        );
        Ok(self
            .store
            .read_eia_commenter(comment_id, &caller.actor(), &audit)
            .await?)
    }

    /// Moves comments of a project to another theme.
    pub async fn regroup_eia_comments(
        &self,
        caller: &Caller,
        project_id: i64,
        form: RegroupForm,
    ) -> ServiceResult<u64> {
        let project = self.managed_project(caller, project_id).await?;
        if project.statement_published_at.is_some() {
            return Err(ServiceError::conflict(
                "the participation statement is published; its themes are final",
            ));
        }
        let theme = check_theme("theme", &form.theme)?;
        if form.comment_ids.is_empty() {
            return Err(ServiceError::field(
                "comment_ids",
                "name at least one comment",
            ));
        }
        let moved = self
            .store
            .regroup_eia_comments(
                project_id,
                &form.comment_ids,
                &theme,
                &caller.actor(),
                self.now(),
            )
            .await
            .map_err(|e| match e {
                greenline_store::StoreError::NotFound(_) => ServiceError::field(
                    "comment_ids",
                    "a comment named is not one of this project's",
                ),
                other => other.into(),
            })?;
        Ok(moved)
    }

    /// The names and phones given with a project's comments, for masking only.
    pub(crate) async fn comment_identities(&self, project_id: i64) -> ServiceResult<Identities> {
        Ok(self
            .store
            .eia_comment_identities(project_id)
            .await?
            .into_iter()
            .map(|(id, name, phone)| (id, Identity { name, phone }))
            .collect())
    }

    /// A project's comments by theme (most comments first), each with its phrases and answer;
    /// texts masked when `masked`.
    pub(crate) async fn theme_groups(
        &self,
        project: &EiaProject,
        masked: bool,
    ) -> ServiceResult<Vec<ThemeGroup>> {
        let comments = self.store.eia_comments(project.id).await?;
        let identities = self.comment_identities(project.id).await?;
        let mut answers: HashMap<String, AnswerView> = self
            .store
            .eia_answers(project.id)
            .await?
            .into_iter()
            .map(|a| (a.theme.clone(), AnswerView::from(a)))
            .collect();
        let mut by_theme: BTreeMap<String, Vec<EiaComment>> = BTreeMap::new();
        for c in comments {
            by_theme.entry(c.theme.clone()).or_default().push(c);
        }
        let mut groups = Vec::with_capacity(by_theme.len());
        for (theme, comments) in by_theme {
            let background = self
                .store
                .eia_comment_texts_besides(project.id, &theme)
                .await?;
            let texts: Vec<(i64, String)> = comments
                .iter()
                .map(|c| (c.id, staff_text(&c.text, identities.get(&c.id))))
                .collect();
            let phrases = tokio::task::spawn_blocking(move || phrases(&texts, &background)).await?;
            let views = comments
                .into_iter()
                .map(|c| CommentView {
                    text: if masked {
                        staff_text(&c.text, identities.get(&c.id))
                    } else {
                        c.text
                    },
                    id: c.id,
                    received_at: c.received_at,
                    window: c.notice_kind.code().to_owned(),
                    suggested_type: c.suggested_type,
                    theme: c.theme,
                    identified: c.identified,
                })
                .collect::<Vec<_>>();
            groups.push(ThemeGroup {
                answer: answers.remove(&theme),
                count: views.len(),
                theme,
                phrases,
                comments: views,
            });
        }
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.theme.cmp(&b.theme)));
        Ok(groups)
    }
}

/// A comment's text as staff who may not read identities see it.
fn staff_text(text: &str, known: Option<&Identity>) -> String {
    mask_text(text, known.unwrap_or(&Identity::default()))
}

/// A comment's text as the public sees it.
pub(crate) fn public_text(text: &str, known: Option<&Identity>) -> String {
    mask_text_public(text, known.unwrap_or(&Identity::default()))
}

/// The terms that stand out in a theme's (masked) texts against every other comment.
fn phrases(texts: &[(i64, String)], background: &[(i64, String)]) -> Vec<String> {
    let tokenizer = Tokenizer::shared();
    let mut now = DocFreq::new();
    for (id, text) in texts {
        now.add(tokenizer, *id, text);
    }
    let mut before = DocFreq::new();
    let unknown = Identity::default();
    for (id, text) in background {
        before.add(tokenizer, *id, &mask_text(text, &unknown));
    }
    // A project has tens of comments, not thousands of complaints: a phrase that two of a
    // theme's comments share already says something, and no significance level is asked.
    let options = TopicOptions {
        min_count: if texts.len() >= 4 { 2 } else { 1 },
        min_g2: 0.0,
        limit: PHRASES * 3,
    };
    hot_topics(&now, &before, &options)
        .into_iter()
        .map(|t| t.term)
        .filter(|t| !is_filler(t))
        .take(PHRASES)
        .collect()
}
