//! Oversight of a case by a supervisor (催办, 督办): a recorded prompt to the unit that holds
//! it, which changes neither its stage nor its deadline.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::{MAX_TEXT_CHARS, check_text};
use crate::{DomainError, FieldError, Stage};

/// What kind of prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Oversight {
    /// 催办 — urge the holding unit to act.
    Urge,
    /// 督办 — put the case under the supervisor's watch until it is closed.
    Supervise,
}

impl Oversight {
    pub const ALL: [Oversight; 2] = [Oversight::Urge, Oversight::Supervise];

    /// The code of its event.
    pub fn code(self) -> &'static str {
        match self {
            Oversight::Urge => "urge",
            Oversight::Supervise => "supervise",
        }
    }

    pub fn parse(code: &str) -> Option<Oversight> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Oversight::Urge => "催办",
            Oversight::Supervise => "督办",
        }
    }

    /// Checks a prompt on a case at `stage`: an open case, and an opinion saying what is
    /// expected (required, a short text).
    pub fn check(self, stage: Stage, note: &str) -> Result<String, DomainError> {
        if stage == Stage::Closed {
            return Err(DomainError::invalid(
                "kind",
                format!("a closed case takes no {}", self.code()),
            ));
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "note",
                "required: what is expected of the holding unit",
            )]));
        }
        check_text("note", note, MAX_TEXT_CHARS).map_err(|e| DomainError::Invalid(vec![e]))?;
        Ok(note.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_needs_an_open_case_and_an_opinion() {
        assert!(
            Oversight::Urge
                .check(Stage::Handling, "请于本周内反馈")
                .is_ok()
        );
        assert!(Oversight::Urge.check(Stage::Handling, "  ").is_err());
        assert!(Oversight::Supervise.check(Stage::Closed, "请核查").is_err());
        assert!(
            Oversight::Urge
                .check(Stage::Accepted, "请\u{202E}核查")
                .is_err()
        );
        assert_eq!(Oversight::parse("supervise"), Some(Oversight::Supervise));
    }
}
