//! Public participation in environmental impact assessment (环境影响评价公众参与): a building
//! project (建设项目) under assessment, the notices (公示) published about it in their order, the
//! periods each must stay up, and the windows in which the public may send opinions (意见).
//!
//! The notices and their periods are data (`data/eia/notices.tsv`, from 环境影响评价公众参与办法,
//! 生态环境部令第4号). Periods are counted in working days with [`WorkingCalendar`], the way the
//! rest of the system counts them: the day a notice goes up is not counted, the N-th working day
//! after it is its last day — so a notice never stays up for less than the measures ask.
//!
//! Nothing here stores or sends anything: [`NewProject::parse`] and [`plan_notice`] check input
//! and name the field at fault, [`Schedule`] answers whether a day falls in a comment window and
//! when the next one opens.

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::{check_optional_text, check_text};
use crate::{DomainError, FieldError, RegionCode, WorkingCalendar};

const NOTICES: &str = include_str!("../data/eia/notices.tsv");

/// The kinds of notice, in the order a project goes through them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 首次公示: the developer's first notice, after appointing the consultant.
    First,
    /// 征求意见稿公示: the draft report, open for comment.
    Draft,
    /// 受理公示: the agency has accepted the report for review; opinions are taken.
    Acceptance,
    /// 拟作出审批意见公示: the decision the agency intends to make.
    Intended,
    /// 审批决定公告: the decision.
    Decision,
}

/// Who publishes a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Publisher {
    /// 建设单位.
    Developer,
    /// 生态环境主管部门.
    Agency,
}

/// What the measures ask of one kind of notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NoticeRule {
    pub kind: NoticeKind,
    pub name_zh: String,
    pub publisher: Publisher,
    /// The shortest period it stays up, in working days (0: the measures set none).
    pub min_working_days: u32,
    /// It must go up within this many working days of the date it is counted from (the
    /// consultant's appointment for the first notice, the decision for the decision notice).
    pub within_working_days: Option<u32>,
    /// The public may send opinions while it is up.
    pub takes_comments: bool,
    /// Where the rule stands in the measures.
    pub article: String,
}

static RULES: LazyLock<Vec<NoticeRule>> = LazyLock::new(|| {
    parse_rules(NOTICES).unwrap_or_else(|e| unreachable!("the shipped notice table loads: {e}"))
});

fn parse_rules(text: &str) -> Result<Vec<NoticeRule>, DomainError> {
    let bad = |line: usize, what: &str| {
        DomainError::BadDeadlineTable(format!("eia notices line {line}: {what}"))
    };
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("kind\t") {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, name, publisher, min, within, comments, article] = cols.as_slice() else {
            return Err(bad(n, "expected seven columns"));
        };
        let kind = NoticeKind::parse(kind).ok_or_else(|| bad(n, "unknown kind"))?;
        let publisher = match *publisher {
            "developer" => Publisher::Developer,
            "agency" => Publisher::Agency,
            _ => return Err(bad(n, "publisher is developer or agency")),
        };
        let min_working_days = min.parse().map_err(|_| bad(n, "min_days is a number"))?;
        let within_working_days = match *within {
            "-" => None,
            days => Some(
                days.parse()
                    .map_err(|_| bad(n, "within_days is a number or -"))?,
            ),
        };
        let takes_comments = match *comments {
            "yes" => true,
            "no" => false,
            _ => return Err(bad(n, "comments is yes or no")),
        };
        rules.push(NoticeRule {
            kind,
            name_zh: (*name).to_owned(),
            publisher,
            min_working_days,
            within_working_days,
            takes_comments,
            article: (*article).to_owned(),
        });
    }
    let kinds: Vec<NoticeKind> = rules.iter().map(|r| r.kind).collect();
    if kinds != NoticeKind::ALL {
        return Err(DomainError::BadDeadlineTable(
            "eia notices: each kind once, in order".to_owned(),
        ));
    }
    Ok(rules)
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::First,
        NoticeKind::Draft,
        NoticeKind::Acceptance,
        NoticeKind::Intended,
        NoticeKind::Decision,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::First => "first",
            NoticeKind::Draft => "draft",
            NoticeKind::Acceptance => "acceptance",
            NoticeKind::Intended => "intended",
            NoticeKind::Decision => "decision",
        }
    }

    pub fn parse(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What the measures ask of this kind.
    pub fn rule(self) -> &'static NoticeRule {
        RULES
            .iter()
            .find(|r| r.kind == self)
            .unwrap_or_else(|| unreachable!("the table has every kind"))
    }

    pub fn zh(self) -> &'static str {
        match self {
            NoticeKind::First => "首次公示",
            NoticeKind::Draft => "征求意见稿公示",
            NoticeKind::Acceptance => "受理公示",
            NoticeKind::Intended => "拟作出审批意见公示",
            NoticeKind::Decision => "审批决定公告",
        }
    }

    /// The kind that follows this one.
    pub fn next(self) -> Option<NoticeKind> {
        NoticeKind::ALL
            .into_iter()
            .skip_while(|k| *k != self)
            .nth(1)
    }
}

/// The rules of every kind of notice, in order.
pub fn notice_rules() -> &'static [NoticeRule] {
    &RULES
}

/// The sectors of 环境影响评价公众参与办法's scope (第二条), as a project's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectType {
    Industry,
    Agriculture,
    Livestock,
    Forestry,
    Energy,
    Water,
    Transport,
    Urban,
    Tourism,
    Resources,
    Other,
}

impl ProjectType {
    pub const ALL: [ProjectType; 11] = [
        ProjectType::Industry,
        ProjectType::Agriculture,
        ProjectType::Livestock,
        ProjectType::Forestry,
        ProjectType::Energy,
        ProjectType::Water,
        ProjectType::Transport,
        ProjectType::Urban,
        ProjectType::Tourism,
        ProjectType::Resources,
        ProjectType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProjectType::Industry => "industry",
            ProjectType::Agriculture => "agriculture",
            ProjectType::Livestock => "livestock",
            ProjectType::Forestry => "forestry",
            ProjectType::Energy => "energy",
            ProjectType::Water => "water",
            ProjectType::Transport => "transport",
            ProjectType::Urban => "urban",
            ProjectType::Tourism => "tourism",
            ProjectType::Resources => "resources",
            ProjectType::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ProjectType> {
        ProjectType::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ProjectType::Industry => "工业",
            ProjectType::Agriculture => "农业",
            ProjectType::Livestock => "畜牧业",
            ProjectType::Forestry => "林业",
            ProjectType::Energy => "能源",
            ProjectType::Water => "水利",
            ProjectType::Transport => "交通",
            ProjectType::Urban => "城市建设",
            ProjectType::Tourism => "旅游",
            ProjectType::Resources => "自然资源开发",
            ProjectType::Other => "其他",
        }
    }
}

/// A project as submitted: loose text, checked at once by [`NewProject::parse`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectForm {
    /// 项目名称.
    pub name: String,
    /// 建设单位.
    pub developer: String,
    /// 建设地点, as a street address.
    pub location: String,
    /// The region code (GB/T 2260) of the location.
    pub region: String,
    /// One of the sector codes (`industry`, `energy`, `transport`, …).
    pub project_type: String,
    /// The EIA consultant (环境影响报告书编制单位).
    pub consultant: String,
    /// The reviewing unit's id; absent: the caller's own unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// A checked project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub name: String,
    pub developer: String,
    pub location: String,
    pub region: RegionCode,
    pub project_type: ProjectType,
    pub consultant: String,
}

fn required(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim();
    if text.is_empty() {
        errors.push(FieldError::new(field, "required"));
    } else if let Err(e) = check_text(field, text, max) {
        errors.push(e);
    }
    text.to_owned()
}

impl NewProject {
    /// Checks every field at once; the error lists each field at fault.
    pub fn parse(form: &ProjectForm) -> Result<NewProject, DomainError> {
        let mut errors = Vec::new();
        let name = required("name", &form.name, 200, &mut errors);
        let developer = required("developer", &form.developer, 200, &mut errors);
        let location = required("location", &form.location, 300, &mut errors);
        let consultant = required("consultant", &form.consultant, 200, &mut errors);
        let region = match RegionCode::parse(form.region.trim()) {
            Ok(region) => Some(region),
            Err(e) => {
                errors.push(FieldError::new("region", e.to_string()));
                None
            }
        };
        let project_type = ProjectType::parse(form.project_type.trim());
        if project_type.is_none() {
            errors.push(FieldError::new(
                "project_type",
                format!(
                    "one of {}",
                    ProjectType::ALL.map(ProjectType::code).join(", ")
                ),
            ));
        }
        match (region, project_type) {
            (Some(region), Some(project_type)) if errors.is_empty() => Ok(NewProject {
                name,
                developer,
                location,
                region,
                project_type,
                consultant,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A notice as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeForm {
    /// `first`, `draft`, `acceptance`, `intended` or `decision`.
    pub kind: String,
    /// The day it goes up, `YYYY-MM-DD` (China time).
    pub start: String,
    /// How long it stays up, in working days; absent: the least the measures allow.
    #[serde(default)]
    pub working_days: Option<u32>,
    /// The day its publication limit counts from, `YYYY-MM-DD`: the consultant's appointment
    /// (first notice) or the decision (decision notice). Required for those two kinds.
    #[serde(default)]
    pub counted_from: Option<String>,
    /// What the notice says.
    pub body: String,
}

/// A notice already scheduled for the project: its kind and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScheduledNotice {
    pub kind: NoticeKind,
    pub start: NaiveDate,
    /// The last day it stays up (the same as `start` for a notice with no period).
    pub last_day: NaiveDate,
}

/// A checked notice with its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedNotice {
    pub kind: NoticeKind,
    pub start: NaiveDate,
    pub working_days: u32,
    pub last_day: NaiveDate,
    pub counted_from: Option<NaiveDate>,
    pub body: String,
    /// Some day of the period lies past the last year of holiday arrangements loaded.
    pub assumed: bool,
}

/// The longest period a notice may be given, to catch a typing slip.
pub const MAX_NOTICE_WORKING_DAYS: u32 = 60;

fn date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, format!("{:?} is not a YYYY-MM-DD date", text.trim())))
}

/// Checks a notice against the project's notices so far (`earlier`, in order) and works out
/// its dates: the kinds in order, each once; it goes up after the previous one came down; its
/// period at least the measures' minimum; the first and decision notices within their limit of
/// the date they count from.
pub fn plan_notice(
    form: &NoticeForm,
    earlier: &[ScheduledNotice],
    calendar: &WorkingCalendar,
) -> Result<PlannedNotice, DomainError> {
    let kind = NoticeKind::parse(form.kind.trim()).ok_or_else(|| {
        DomainError::invalid(
            "kind",
            format!(
                "one of {}",
                NoticeKind::ALL.map(NoticeKind::code).join(", ")
            ),
        )
    })?;
    let last = earlier.last();
    let expected = match last {
        None => Some(NoticeKind::First),
        Some(previous) => previous.kind.next(),
    };
    if expected != Some(kind) {
        let message = match expected {
            Some(next) => format!(
                "notices go in order; the next for this project is {} ({})",
                next.code(),
                next.zh()
            ),
            None => "the decision is published; no notice follows it".to_owned(),
        };
        return Err(DomainError::invalid("kind", message));
    }
    let rule = kind.rule();
    let mut errors = Vec::new();
    let start = date("start", &form.start).map_err(|e| errors.push(e)).ok();
    let working_days = form.working_days.unwrap_or(rule.min_working_days);
    if working_days < rule.min_working_days {
        errors.push(FieldError::new(
            "working_days",
            format!(
                "at least {} working days for {} ({} of 环境影响评价公众参与办法)",
                rule.min_working_days,
                kind.code(),
                rule.article
            ),
        ));
    } else if working_days > MAX_NOTICE_WORKING_DAYS {
        errors.push(FieldError::new(
            "working_days",
            format!("at most {MAX_NOTICE_WORKING_DAYS}"),
        ));
    }
    let counted_from = match form.counted_from.as_deref().map(str::trim) {
        None | Some("") => {
            if rule.within_working_days.is_some() {
                errors.push(FieldError::new(
                    "counted_from",
                    match kind {
                        NoticeKind::First => "required: the day the consultant was appointed",
                        _ => "required: the day the decision was made",
                    },
                ));
            }
            None
        }
        Some(text) => date("counted_from", text).map_err(|e| errors.push(e)).ok(),
    };
    if let Err(e) = check_text("body", form.body.trim(), 5000) {
        errors.push(e);
    } else if form.body.trim().is_empty() {
        errors.push(FieldError::new("body", "required"));
    }
    if let Some(start) = start {
        if let Some(previous) = last
            && start <= previous.last_day
        {
            errors.push(FieldError::new(
                "start",
                format!(
                    "must be after the {} notice's last day {}",
                    previous.kind.code(),
                    previous.last_day
                ),
            ));
        }
        if let (Some(within), Some(from)) = (rule.within_working_days, counted_from) {
            let limit = calendar.add_working_days(from, within).last_day;
            if start < from {
                errors.push(FieldError::new(
                    "start",
                    format!("cannot be before counted_from {from}"),
                ));
            } else if start > limit {
                errors.push(FieldError::new(
                    "start",
                    format!(
                        "must be within {within} working days of {from}, by {limit} ({} of 环境影响评价公众参与办法)",
                        rule.article
                    ),
                ));
            }
        }
    }
    let (Some(start), true) = (start, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let due = calendar.add_working_days(start, working_days);
    Ok(PlannedNotice {
        kind,
        start,
        working_days,
        last_day: due.last_day,
        counted_from,
        body: form.body.trim().to_owned(),
        assumed: due.assumed,
    })
}

/// A project's notices, in order: when the public may comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub notices: Vec<ScheduledNotice>,
}

impl Schedule {
    /// The comment window open on `day`, if any.
    pub fn open_window(&self, day: NaiveDate) -> Option<ScheduledNotice> {
        self.notices
            .iter()
            .copied()
            .find(|n| n.kind.rule().takes_comments && n.start <= day && day <= n.last_day)
    }

    /// The first comment window that opens after `day`, if one is scheduled.
    pub fn next_window(&self, day: NaiveDate) -> Option<ScheduledNotice> {
        self.notices
            .iter()
            .copied()
            .find(|n| n.kind.rule().takes_comments && n.start > day)
    }

    /// The window a comment sent on `day` falls in, or why it is refused.
    pub fn accept_comment(&self, day: NaiveDate) -> Result<ScheduledNotice, DomainError> {
        self.open_window(day)
            .ok_or_else(|| DomainError::CommentsClosed {
                next_opens: self.next_window(day).map(|n| n.start),
            })
    }

    /// The notices up on or before `day` (what the public sees that day).
    pub fn published_by(&self, day: NaiveDate) -> impl Iterator<Item = &ScheduledNotice> {
        self.notices.iter().filter(move |n| n.start <= day)
    }
}

/// A comment as submitted; the commenter's identity is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentForm {
    /// The opinion, in the commenter's words.
    pub text: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Who sent a comment, when they said; kept like a reporter's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Commenter {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A checked comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub text: String,
    pub commenter: Option<Commenter>,
}

impl NewComment {
    pub fn parse(form: &CommentForm) -> Result<NewComment, DomainError> {
        let mut errors = Vec::new();
        let text = required("text", &form.text, 2000, &mut errors);
        let optional = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let (name, phone, email) = (
            optional(&form.name),
            optional(&form.phone),
            optional(&form.email),
        );
        if let Err(e) = check_optional_text("name", name.as_deref(), 50) {
            errors.push(e);
        }
        if let Some(phone) = &phone
            && crate::phone_keys(phone).is_empty()
        {
            errors.push(FieldError::new("phone", "not a phone number"));
        }
        if let Some(email) = &email
            && !crate::is_email(email)
        {
            errors.push(FieldError::new("email", "not an e-mail address"));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let commenter = (name.is_some() || phone.is_some() || email.is_some())
            .then_some(Commenter { name, phone, email });
        Ok(NewComment { text, commenter })
    }
}

/// The agency's answer to one group of comments (采纳 or 不采纳, and why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Adoption {
    /// 采纳.
    Adopted,
    /// 部分采纳.
    Partly,
    /// 不采纳.
    NotAdopted,
}

impl Adoption {
    pub fn code(self) -> &'static str {
        match self {
            Adoption::Adopted => "adopted",
            Adoption::Partly => "partly",
            Adoption::NotAdopted => "not_adopted",
        }
    }

    pub fn parse(code: &str) -> Option<Adoption> {
        [Adoption::Adopted, Adoption::Partly, Adoption::NotAdopted]
            .into_iter()
            .find(|a| a.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Adoption::Adopted => "采纳",
            Adoption::Partly => "部分采纳",
            Adoption::NotAdopted => "不采纳",
        }
    }
}

/// A theme's name as staff give it when they regroup: short, no refused characters.
pub fn check_theme(field: &str, theme: &str) -> Result<String, DomainError> {
    let theme = theme.trim();
    if theme.is_empty() {
        return Err(DomainError::invalid(field, "required"));
    }
    check_text(field, theme, 40).map_err(|e| DomainError::Invalid(vec![e]))?;
    Ok(theme.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn form(kind: &str, start: &str) -> NoticeForm {
        NoticeForm {
            kind: kind.to_owned(),
            start: start.to_owned(),
            working_days: None,
            counted_from: None,
            body: "公示内容".to_owned(),
        }
    }

    fn field_of(e: DomainError) -> Vec<String> {
        match e {
            DomainError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("not an input error: {other}"),
        }
    }

    #[test]
    fn the_periods_are_those_of_the_measures() {
        assert_eq!(NoticeKind::Draft.rule().min_working_days, 10);
        assert!(NoticeKind::Draft.rule().takes_comments);
        assert_eq!(NoticeKind::Acceptance.rule().min_working_days, 10);
        assert!(NoticeKind::Acceptance.rule().takes_comments);
        assert_eq!(NoticeKind::Intended.rule().min_working_days, 5);
        assert!(!NoticeKind::Intended.rule().takes_comments);
        assert_eq!(NoticeKind::First.rule().within_working_days, Some(7));
        assert_eq!(NoticeKind::Decision.rule().within_working_days, Some(7));
        assert_eq!(notice_rules().len(), 5);
    }

    #[test]
    fn a_draft_window_over_national_day_2025_counts_working_days() {
        let c = WorkingCalendar::shipped();
        let earlier = [ScheduledNotice {
            kind: NoticeKind::First,
            start: d(2025, 9, 1),
            last_day: d(2025, 9, 1),
        }];
        let planned = plan_notice(&form("draft", "2025-09-26"), &earlier, c).expect("valid");
        // After 26 Sep (Friday): 28 Sep (Sunday worked), 29, 30, 9, 10, 11 (Saturday worked),
        // 13, 14, 15, 16 Oct.
        assert_eq!(planned.working_days, 10);
        assert_eq!(planned.last_day, d(2025, 10, 16));
        assert!(!planned.assumed);
    }

    #[test]
    fn notices_go_in_order_and_name_the_next_kind() {
        let c = WorkingCalendar::shipped();
        let e = plan_notice(&form("draft", "2025-09-01"), &[], c).expect_err("first comes first");
        assert!(
            e.to_string().contains("next for this project is first"),
            "{e}"
        );
        let earlier = [ScheduledNotice {
            kind: NoticeKind::First,
            start: d(2025, 9, 1),
            last_day: d(2025, 9, 5),
        }];
        let e = plan_notice(&form("draft", "2025-09-05"), &earlier, c).expect_err("overlaps");
        assert_eq!(field_of(e), ["start"]);
        let e = plan_notice(&form("nonsense", "2025-09-08"), &earlier, c).expect_err("kind");
        assert_eq!(field_of(e), ["kind"]);
    }

    #[test]
    fn a_short_period_and_a_bad_date_are_named() {
        let c = WorkingCalendar::shipped();
        let earlier = [ScheduledNotice {
            kind: NoticeKind::Draft,
            start: d(2025, 9, 1),
            last_day: d(2025, 9, 15),
        }];
        let mut short = form("acceptance", "2025-13-01");
        short.working_days = Some(9);
        let e = plan_notice(&short, &earlier, c).expect_err("short");
        let fields = field_of(e.clone());
        assert!(
            fields.contains(&"working_days".to_owned()) && fields.contains(&"start".to_owned())
        );
        assert!(e.to_string().contains("at least 10 working days"), "{e}");
    }

    #[test]
    fn the_first_notice_goes_up_within_seven_working_days_of_the_appointment() {
        let c = WorkingCalendar::shipped();
        let mut first = form("first", "2025-10-10");
        first.counted_from = Some("2025-09-29".to_owned());
        // 30 Sep (1), 9 Oct (2), 10 Oct (3): in time although two weeks have passed.
        assert!(plan_notice(&first, &[], c).is_ok());
        first.start = "2025-10-21".to_owned();
        // 11 (4, Saturday worked), 13, 14, 15 (7): the 21st is late.
        let e = plan_notice(&first, &[], c).expect_err("late");
        assert!(e.to_string().contains("by 2025-10-15"), "{e}");
        first.counted_from = None;
        assert_eq!(
            field_of(plan_notice(&first, &[], c).expect_err("required")),
            ["counted_from"]
        );
    }

    #[test]
    fn comments_are_taken_in_the_draft_and_acceptance_windows_only() {
        let schedule = Schedule {
            notices: vec![
                ScheduledNotice {
                    kind: NoticeKind::First,
                    start: d(2025, 3, 3),
                    last_day: d(2025, 3, 3),
                },
                ScheduledNotice {
                    kind: NoticeKind::Draft,
                    start: d(2025, 4, 1),
                    last_day: d(2025, 4, 16),
                },
                ScheduledNotice {
                    kind: NoticeKind::Acceptance,
                    start: d(2025, 6, 2),
                    last_day: d(2025, 6, 16),
                },
                ScheduledNotice {
                    kind: NoticeKind::Intended,
                    start: d(2025, 7, 1),
                    last_day: d(2025, 7, 8),
                },
            ],
        };
        assert_eq!(
            schedule.accept_comment(d(2025, 4, 16)).map(|n| n.kind),
            Ok(NoticeKind::Draft)
        );
        assert_eq!(
            schedule.accept_comment(d(2025, 4, 17)),
            Err(DomainError::CommentsClosed {
                next_opens: Some(d(2025, 6, 2))
            })
        );
        assert_eq!(
            schedule.accept_comment(d(2025, 6, 2)).map(|n| n.kind),
            Ok(NoticeKind::Acceptance)
        );
        assert_eq!(
            schedule.accept_comment(d(2025, 7, 2)),
            Err(DomainError::CommentsClosed { next_opens: None })
        );
        assert_eq!(schedule.published_by(d(2025, 4, 1)).count(), 2);
    }

    #[test]
    fn a_comment_may_be_anonymous_but_a_given_phone_must_be_one() {
        let anonymous = NewComment::parse(&CommentForm {
            text: "担心噪声扰民".to_owned(),
            ..CommentForm::default()
        })
        .expect("valid");
        assert_eq!(anonymous.commenter, None);
        let e = NewComment::parse(&CommentForm {
            text: " ".to_owned(),
            phone: Some("abc".to_owned()),
            ..CommentForm::default()
        })
        .expect_err("invalid");
        assert_eq!(field_of(e), ["text", "phone"]);
    }

    #[test]
    fn a_project_names_each_missing_field() {
        let e = NewProject::parse(&ProjectForm {
            name: "某化工园区扩建项目".to_owned(),
            region: "999999".to_owned(),
            project_type: "mining".to_owned(),
            ..ProjectForm::default()
        })
        .expect_err("invalid");
        assert_eq!(
            field_of(e),
            [
                "developer",
                "location",
                "consultant",
                "region",
                "project_type"
            ]
        );
    }
}
