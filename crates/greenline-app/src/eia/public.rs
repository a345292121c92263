//! What anyone reads of EIA participation without signing in: the projects with a notice up,
//! a project's page (its notices up to today with their dates, whether a comment window is
//! open and until when, or when the next opens; its themes with their counts; and, once the
//! participation statement is published, the statement, the answer to each theme and the
//! comments masked with the public masker), and the feed of notices. No commenter's identity
//! is in any of it.

use greenline_store::EiaNotice;
use serde::Serialize;
use utoipa::ToSchema;

use super::answers::AnswerView;
use super::comments::public_text;
use super::projects::{NoticeView, ProjectView, WindowState};
use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// A comment as the public reads it: when it came and its text, masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicComment {
    pub received_on: chrono::NaiveDate,
    pub text: String,
}

/// One theme as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTheme {
    pub theme: String,
    pub count: usize,
    /// The agency's answer, once the statement is published.
    pub answer: Option<AnswerView>,
    /// The comments, masked, once the statement is published.
    pub comments: Vec<PublicComment>,
}

/// A project's public page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProject {
    pub project: ProjectView,
    /// The notices up to today, in order.
    pub notices: Vec<NoticeView>,
    pub window: WindowState,
    pub themes: Vec<PublicTheme>,
}

/// A project in the public list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProjectItem {
    pub project: ProjectView,
    /// The latest notice up today.
    pub latest_notice: NoticeView,
    pub window: WindowState,
}

/// A notice in the feed, with its project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedNotice {
    pub project_id: i64,
    pub project_name: String,
    pub region_name: String,
    pub notice: NoticeView,
}

impl App {
    /// The projects with at least one notice up today, the latest notice first.
    pub async fn public_eia_projects(&self) -> ServiceResult<Vec<PublicProjectItem>> {
        let today = self.today();
        let projects = self.store.eia_projects(None).await?;
        let mut items = Vec::new();
        for p in projects {
            let notices = self.store.eia_notices(p.id).await?;
            let window = WindowState::on(&notices, today);
            let Some(latest) = notices.iter().rev().find(|n| n.start <= today).cloned() else {
                continue;
            };
            let unit = self.store.unit(p.unit_id).await?;
            items.push(PublicProjectItem {
                project: ProjectView::new(p, unit.name),
                latest_notice: NoticeView::new(latest),
                window,
            });
        }
        items.sort_by(|a, b| {
            b.latest_notice
                .start
                .cmp(&a.latest_notice.start)
                .then(b.project.id.cmp(&a.project.id))
        });
        Ok(items)
    }

    /// A project's public page; "not found" until its first notice is up.
    pub async fn public_eia_project(&self, id: i64) -> ServiceResult<PublicProject> {
        let today = self.today();
        let project = self.store.eia_project(id).await?;
        let notices: Vec<EiaNotice> = self.store.eia_notices(id).await?;
        if !notices.iter().any(|n| n.start <= today) {
            return Err(ServiceError::NotFound("project"));
        }
        let window = WindowState::on(&notices, today);
        let published = project.statement_published_at.is_some();
        let identities = self.comment_identities(id).await?;
        let themes = self
            .theme_groups(&project, true)
            .await?
            .into_iter()
            .map(|g| PublicTheme {
                theme: g.theme,
                count: g.count,
                answer: if published { g.answer } else { None },
                comments: if published {
                    g.comments
                        .into_iter()
                        .map(|c| PublicComment {
                            received_on: greenline_domain::deadline::local_date(c.received_at),
                            // The staff-masked text masked again with the public masker
                            // (plates too), the commenter's own name and phone included.
                            text: public_text(&c.text, identities.get(&c.id)),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        let unit = self.store.unit(project.unit_id).await?;
        Ok(PublicProject {
            project: ProjectView::new(project, unit.name),
            notices: notices
                .into_iter()
                .filter(|n| n.start <= today)
                .map(NoticeView::new)
                .collect(),
            window,
            themes,
        })
    }

    /// The latest notices up today across all projects, newest first, at most `limit`.
    pub async fn eia_notice_feed(&self, limit: i64) -> ServiceResult<Vec<FeedNotice>> {
        let notices = self.store.eia_notices_up_by(self.today(), limit).await?;
        let mut items = Vec::with_capacity(notices.len());
        for n in notices {
            let project = self.store.eia_project(n.project_id).await?;
            items.push(FeedNotice {
                project_id: project.id,
                project_name: project.name,
                region_name: project.region.full_name(),
                notice: NoticeView::new(n),
            });
        }
        Ok(items)
    }
}
