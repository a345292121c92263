//! Plain answers (通俗解说): short answers in plain Chinese to what people ask the hotline most
//! (how loud a building site may be at night, whether the base station on the roof is safe),
//! each resting on a standard or a law and its clause, with the date someone last checked it.
//!
//! An answer is written and changed by staff as a draft, sent for review (送审), and published
//! (发布) or returned (退回) by a reviewer other than the one who sent it. While a changed draft
//! waits, the public keeps reading the version last published; withdrawing (撤下) takes it off
//! the public side. [`next_state`] holds these rules; [`AnswerContent::check`] what an answer
//! must carry.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{DomainError, FieldError};
use crate::text::check_text;

/// The longest question (the answer's title).
pub const MAX_QUESTION_CHARS: usize = 60;
/// The longest answer text.
pub const MAX_ANSWER_CHARS: usize = 1500;
/// The shortest answer text: a plain answer says something.
pub const MIN_ANSWER_CHARS: usize = 20;
/// The most standards or laws one answer cites.
pub const MAX_BASIS: usize = 6;
/// The most words that offer an answer when a citizen's text contains one of them.
pub const MAX_KEYWORDS: usize = 20;
/// The longest such word.
pub const MAX_KEYWORD_CHARS: usize = 16;
/// The longest department name.
pub const MAX_DEPARTMENT_CHARS: usize = 40;

/// A standard or law an answer rests on, and the clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Basis {
    /// The instrument with its number: `GB 3096-2008《声环境质量标准》`.
    pub standard: String,
    /// Where in it: `表1`, `第四十三条`.
    pub clause: String,
}

/// What an answer says, as staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnswerContent {
    /// The question as people ask it: `楼顶装了手机基站，辐射会不会超标？`.
    pub question: String,
    /// The answer in plain Chinese; paragraphs separated by blank lines.
    pub answer: String,
    /// The standards and laws it rests on (at least one).
    pub basis: Vec<Basis>,
    /// Words that, found in what a citizen or an operator types, offer this answer
    /// (`基站`, `信号塔`).
    pub keywords: Vec<String>,
    /// The department that usually handles the matter, when it is not the environment agency.
    #[serde(default)]
    pub department: Option<String>,
    /// The day someone last checked the answer against its sources.
    pub checked_on: NaiveDate,
}

impl AnswerContent {
    /// Trims every text and drops empty keywords and repeated ones, keeping their order.
    pub fn tidy(mut self) -> AnswerContent {
        self.question = self.question.trim().to_owned();
        self.answer = self.answer.trim().replace("\r\n", "\n");
        for basis in &mut self.basis {
            basis.standard = basis.standard.trim().to_owned();
            basis.clause = basis.clause.trim().to_owned();
        }
        let mut seen = Vec::<String>::new();
        for keyword in self.keywords {
            let keyword = keyword.trim().to_lowercase();
            if !keyword.is_empty() && !seen.contains(&keyword) {
                seen.push(keyword);
            }
        }
        self.keywords = seen;
        self.department = self
            .department
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        self
    }

    /// Every problem with the content, each naming its field (`basis[1].clause`); `today` bounds
    /// the checked date.
    pub fn check(&self, today: NaiveDate) -> Result<(), DomainError> {
        let mut errors: Vec<FieldError> = Vec::new();
        if let Err(e) = check_text("question", &self.question, MAX_QUESTION_CHARS) {
            errors.push(e);
        } else if self.question.chars().count() < 4 {
            errors.push(FieldError::new("question", "at least 4 characters"));
        }
        if let Err(e) = check_text("answer", &self.answer, MAX_ANSWER_CHARS) {
            errors.push(e);
        } else if self.answer.chars().count() < MIN_ANSWER_CHARS {
            errors.push(FieldError::new(
                "answer",
                format!("at least {MIN_ANSWER_CHARS} characters"),
            ));
        }
        if self.basis.is_empty() {
            errors.push(FieldError::new(
                "basis",
                "name at least one standard or law the answer rests on",
            ));
        } else if self.basis.len() > MAX_BASIS {
            errors.push(FieldError::new(
                "basis",
                format!("at most {MAX_BASIS} entries"),
            ));
        }
        for (i, basis) in self.basis.iter().enumerate() {
            for (field, text, max) in [
                ("standard", &basis.standard, 80),
                ("clause", &basis.clause, 60),
            ] {
                let name = format!("basis[{i}].{field}");
                if let Err(e) = check_text(&name, text, max) {
                    errors.push(e);
                } else if text.is_empty() {
                    errors.push(FieldError::new(name, "required"));
                }
            }
        }
        if self.keywords.is_empty() {
            errors.push(FieldError::new(
                "keywords",
                "name at least one word that offers the answer",
            ));
        } else if self.keywords.len() > MAX_KEYWORDS {
            errors.push(FieldError::new(
                "keywords",
                format!("at most {MAX_KEYWORDS} words"),
            ));
        }
        for (i, keyword) in self.keywords.iter().enumerate() {
            let chars = keyword.chars().count();
            if chars == 0
                || chars > MAX_KEYWORD_CHARS
                || keyword
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || ",，、;；".contains(c))
            {
                errors.push(FieldError::new(
                    format!("keywords[{i}]"),
                    format!("one word of 1 to {MAX_KEYWORD_CHARS} characters, no spaces or commas"),
                ));
            }
        }
        if let Some(department) = &self.department
            && let Err(e) = check_text("department", department, MAX_DEPARTMENT_CHARS)
        {
            errors.push(e);
        }
        let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
        if self.checked_on > today {
            errors.push(FieldError::new("checked_on", "a day in the future"));
        } else if self.checked_on < earliest {
            errors.push(FieldError::new("checked_on", "before 2000"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// Where an answer's working version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerState {
    /// 草稿 — being written or changed.
    Draft,
    /// 待审核 — sent for review.
    InReview,
    /// 已发布 — the working version is the published one.
    Published,
    /// 已撤下 — off the public side.
    Withdrawn,
}

impl AnswerState {
    pub const ALL: [AnswerState; 4] = [
        AnswerState::Draft,
        AnswerState::InReview,
        AnswerState::Published,
        AnswerState::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AnswerState::Draft => "draft",
            AnswerState::InReview => "in_review",
            AnswerState::Published => "published",
            AnswerState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<AnswerState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AnswerState::Draft => "草稿",
            AnswerState::InReview => "待审核",
            AnswerState::Published => "已发布",
            AnswerState::Withdrawn => "已撤下",
        }
    }

    /// Whether staff may change the text in this state (not while it waits for review: the
    /// reviewer must read what they publish).
    pub fn editable(self) -> bool {
        !matches!(self, AnswerState::InReview)
    }
}

/// A step in an answer's life besides editing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStep {
    /// 送审 — send the draft for review.
    Submit,
    /// 发布 — approve and publish it (a reviewer).
    Publish,
    /// 退回 — return it to its writers with a note (a reviewer).
    Return,
    /// 撤下 — take the published version off the public side (a reviewer).
    Withdraw,
}

impl AnswerStep {
    pub const ALL: [AnswerStep; 4] = [
        AnswerStep::Submit,
        AnswerStep::Publish,
        AnswerStep::Return,
        AnswerStep::Withdraw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AnswerStep::Submit => "submit",
            AnswerStep::Publish => "publish",
            AnswerStep::Return => "return",
            AnswerStep::Withdraw => "withdraw",
        }
    }

    pub fn parse(code: &str) -> Option<AnswerStep> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AnswerStep::Submit => "送审",
            AnswerStep::Publish => "审核发布",
            AnswerStep::Return => "退回修改",
            AnswerStep::Withdraw => "撤下",
        }
    }

    /// Whether the step is a reviewer's (审核) rather than a writer's.
    pub fn is_review(self) -> bool {
        !matches!(self, AnswerStep::Submit)
    }
}

/// The state after `step` from `state`, where `live` says whether a published version is on
/// the public side; an error names the step when it does not apply.
pub fn next_state(
    state: AnswerState,
    live: bool,
    step: AnswerStep,
) -> Result<AnswerState, DomainError> {
    let next = match (step, state) {
        (AnswerStep::Submit, AnswerState::Draft) => Some(AnswerState::InReview),
        (AnswerStep::Publish, AnswerState::InReview) => Some(AnswerState::Published),
        (AnswerStep::Return, AnswerState::InReview) => Some(AnswerState::Draft),
        (AnswerStep::Withdraw, AnswerState::Withdrawn) => None,
        (AnswerStep::Withdraw, _) if live => Some(AnswerState::Withdrawn),
        _ => None,
    };
    next.ok_or_else(|| {
        DomainError::invalid(
            "step",
            format!(
                "cannot {} an answer that is {}{}",
                step.code(),
                state.code(),
                if live { "" } else { " and not published" }
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    fn content() -> AnswerContent {
        AnswerContent {
            question: " 楼顶装了手机基站，辐射会不会超标？ ".to_owned(),
            answer: "公众所处环境中，移动通信基站所用频段的功率密度限值为每平方米0.4瓦。"
                .to_owned(),
            basis: vec![Basis {
                standard: "GB 8702-2014《电磁环境控制限值》".to_owned(),
                clause: "表1".to_owned(),
            }],
            keywords: vec!["基站".into(), " 基站 ".into(), "".into(), "5G".into()],
            department: Some("  ".to_owned()),
            checked_on: day(2026, 12, 1),
        }
    }

    #[test]
    fn tidy_trims_and_drops_repeated_and_empty_keywords() {
        let c = content().tidy();
        assert_eq!(c.question, "楼顶装了手机基站，辐射会不会超标？");
        assert_eq!(c.keywords, vec!["基站", "5g"]);
        assert_eq!(c.department, None);
        assert!(c.check(day(2026, 12, 6)).is_ok());
    }

    #[test]
    fn check_names_every_field_at_fault() {
        let mut c = content().tidy();
        c.question = "基站".into();
        c.answer = "不会".into();
        c.basis.push(Basis {
            standard: "GB 3096-2008".into(),
            clause: String::new(),
        });
        c.keywords.push("基 站".into());
        c.checked_on = day(2027, 1, 1);
        let Err(DomainError::Invalid(errors)) = c.check(day(2026, 12, 6)) else {
            panic!("accepted")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "question",
                "answer",
                "basis[1].clause",
                "keywords[2]",
                "checked_on"
            ]
        );
    }

    #[test]
    fn an_answer_without_basis_or_keywords_is_refused() {
        let mut c = content().tidy();
        c.basis.clear();
        c.keywords.clear();
        let Err(DomainError::Invalid(errors)) = c.check(day(2026, 12, 6)) else {
            panic!("accepted")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["basis", "keywords"]);
    }

    #[test]
    fn review_steps_follow_the_states() {
        use AnswerState::*;
        use AnswerStep::*;
        assert_eq!(next_state(Draft, false, Submit), Ok(InReview));
        assert_eq!(next_state(InReview, false, Publish), Ok(Published));
        assert_eq!(next_state(InReview, true, Return), Ok(Draft));
        assert_eq!(next_state(Published, true, Withdraw), Ok(Withdrawn));
        // A changed draft of a published answer may be withdrawn with its live version.
        assert_eq!(next_state(Draft, true, Withdraw), Ok(Withdrawn));
        assert!(next_state(Draft, false, Publish).is_err());
        assert!(next_state(Published, true, Submit).is_err());
        assert!(next_state(Draft, false, Withdraw).is_err());
        assert!(next_state(Withdrawn, false, Withdraw).is_err());
        assert!(!InReview.editable());
        assert!(Published.editable() && Withdrawn.editable());
    }
}
