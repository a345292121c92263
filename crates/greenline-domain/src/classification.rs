//! A case's pollution types after intake: the suggestion a model made from the text (分类建议),
//! staff's review of the types (确认 or 更正), and the grouping of repeat reports of one source
//! (重复举报归并).
//!
//! The model only suggests: the case carries the types the reporter or operator gave (or the
//! suggestion when they gave none) until staff review them. A review either confirms the types
//! as they are or corrects them; both are events, and reviewed cases are what a model is
//! trained on next.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::Case;
use crate::error::FieldError;
use crate::{DomainError, PollutionType, Stage, SubType};

/// What a classifier proposed for a case's text, with how sure it was.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TypeSuggestion {
    pub primary_type: PollutionType,
    pub sub_type: Option<SubType>,
    /// 0 to 1.
    pub confidence: f64,
}

/// Staff's verdict on a case's types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TypeReview {
    /// 确认: the types stand as they were.
    Confirmed,
    /// 更正: staff changed them.
    Corrected,
}

impl TypeReview {
    pub fn code(self) -> &'static str {
        match self {
            TypeReview::Confirmed => "confirmed",
            TypeReview::Corrected => "corrected",
        }
    }

    /// The review's state in Chinese (a case not yet reviewed reads 未审核).
    pub fn zh(self) -> &'static str {
        match self {
            TypeReview::Confirmed => "已确认",
            TypeReview::Corrected => "已更正",
        }
    }

    pub fn parse(code: &str) -> Option<TypeReview> {
        [TypeReview::Confirmed, TypeReview::Corrected]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// The event's action name.
    pub fn action(self) -> &'static str {
        match self {
            TypeReview::Confirmed => "confirm_types",
            TypeReview::Corrected => "correct_types",
        }
    }
}

/// A case's types: the primary one, all of them (primary first) and the sub-type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Types {
    pub primary_type: PollutionType,
    pub types: Vec<PollutionType>,
    pub sub_type: Option<SubType>,
}

impl Types {
    pub fn of(case: &Case) -> Types {
        Types {
            primary_type: case.primary_type,
            types: case.types.clone(),
            sub_type: case.sub_type,
        }
    }
}

/// The types staff send when they review a case, as loose codes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypesForm {
    pub primary_type: String,
    #[serde(default)]
    pub other_types: Vec<String>,
    pub sub_type: Option<String>,
    /// Why, in a word or two (recorded with the event).
    pub note: Option<String>,
}

impl TypesForm {
    /// Checks every code and that the sub-type belongs to one of the types.
    pub fn parse(&self) -> Result<Types, DomainError> {
        let mut errors = Vec::new();
        let primary = PollutionType::parse(&self.primary_type)
            .map_err(|e| errors.push(FieldError::new("primary_type", e.to_string())))
            .ok();
        let mut types: Vec<PollutionType> = primary.into_iter().collect();
        for (i, code) in self.other_types.iter().enumerate() {
            match PollutionType::parse(code) {
                Ok(t) if !types.contains(&t) => types.push(t),
                Ok(_) => {}
                Err(e) => errors.push(FieldError::new(format!("other_types[{i}]"), e.to_string())),
            }
        }
        let sub_type = match self.sub_type.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => SubType::parse(code)
                .map_err(|e| errors.push(FieldError::new("sub_type", e.to_string())))
                .ok(),
            _ => None,
        };
        if let Some(sub) = sub_type
            && primary.is_some()
            && !types.contains(&sub.pollution_type())
        {
            errors.push(FieldError::new(
                "sub_type",
                format!(
                    "sub-type {} belongs to type {}, which the case would not carry",
                    sub.code(),
                    sub.pollution_type().code()
                ),
            ));
        }
        if let Err(e) = crate::text::check_optional_text(
            "note",
            self.note.as_deref(),
            crate::text::MAX_TEXT_CHARS,
        ) {
            errors.push(e);
        }
        match primary {
            Some(primary_type) if errors.is_empty() => Ok(Types {
                primary_type,
                types,
                sub_type,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// What a review does to a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewed {
    pub case: Case,
    pub review: TypeReview,
    pub before: Types,
    pub after: Types,
}

/// Reviews the types of `case`: the same types confirm them, others correct them. The order of
/// the further types does not matter. The case's version is bumped.
pub fn review_types(case: &Case, types: Types) -> Reviewed {
    let before = Types::of(case);
    let same_set = before.types.len() == types.types.len()
        && types.types.iter().all(|t| before.types.contains(t));
    let review = if before.primary_type == types.primary_type
        && before.sub_type == types.sub_type
        && same_set
    {
        TypeReview::Confirmed
    } else {
        TypeReview::Corrected
    };
    let mut after_case = case.clone();
    after_case.primary_type = types.primary_type;
    after_case.types = types.types.clone();
    after_case.sub_type = types.sub_type;
    after_case.type_review = Some(review);
    after_case.version += 1;
    Reviewed {
        case: after_case,
        review,
        before,
        after: types,
    }
}

/// What merging a case into an earlier report of the same source means.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The case after the merge: `repeat_of` names the group's first case.
    pub case: Case,
    /// The group's first case (the one the others repeat).
    pub lead: i64,
    /// Whether the rules say the repeat is not accepted (不予受理): the lead case is already
    /// accepted or being handled and this one is still waiting for acceptance, so the reporter
    /// is pointed to the lead case instead.
    pub reject_as_repeat: bool,
}

/// Merges `case` into the group of `into` (其为同一污染源的重复举报).
///
/// `into_lead` is `into`'s own `repeat_of` resolved: the group's first case and its stage.
/// `has_repeats` says whether other cases already repeat `case`; such a case leads a group of its
/// own and is not merged (merge the other way).
pub fn merge(
    case: &Case,
    into: &Case,
    lead: (i64, Stage),
    has_repeats: bool,
) -> Result<Merge, DomainError> {
    let (lead_id, lead_stage) = lead;
    if case.id == into.id || case.id == lead_id {
        return Err(DomainError::invalid("into", "a case cannot repeat itself"));
    }
    if case.repeat_of == Some(lead_id) {
        return Err(DomainError::invalid(
            "into",
            format!("the case is already in the group of case {lead_id}"),
        ));
    }
    if has_repeats {
        return Err(DomainError::invalid(
            "into",
            "other cases repeat this one: merge them the other way, into this case",
        ));
    }
    let mut merged = case.clone();
    merged.repeat_of = Some(lead_id);
    merged.version += 1;
    let waiting = matches!(case.stage, Stage::Registered | Stage::Routed);
    let lead_in_hand = matches!(
        lead_stage,
        Stage::Accepted | Stage::Handling | Stage::Concluded
    );
    Ok(Merge {
        case: merged,
        lead: lead_id,
        reject_as_repeat: waiting && lead_in_hand,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IntakeForm, NewCase};
    use chrono::{TimeZone, Utc};

    fn case(id: i64) -> Case {
        let form = IntakeForm {
            channel: "phone".into(),
            primary_type: "noise".into(),
            other_types: vec!["air".into()],
            sub_type: Some("construction".into()),
            region: "110105".into(),
            description: "工地夜间施工".into(),
            anonymous: true,
            ..IntakeForm::default()
        };
        let new = NewCase::parse(&form).expect("valid form");
        Case::registered(
            id,
            &new,
            1,
            Utc.with_ymd_and_hms(2026, 5, 1, 2, 0, 0)
                .single()
                .expect("time"),
        )
    }

    fn form(primary: &str, others: &[&str], sub: Option<&str>) -> TypesForm {
        TypesForm {
            primary_type: primary.into(),
            other_types: others.iter().map(|s| (*s).to_owned()).collect(),
            sub_type: sub.map(str::to_owned),
            note: None,
        }
    }

    #[test]
    fn the_same_types_in_another_order_confirm() {
        let c = case(1);
        let types = form("noise", &["air", "noise"], Some("construction"))
            .parse()
            .expect("types");
        let reviewed = review_types(&c, types);
        assert_eq!(reviewed.review, TypeReview::Confirmed);
        assert_eq!(reviewed.case.type_review, Some(TypeReview::Confirmed));
        assert_eq!(reviewed.case.version, c.version + 1);
    }

    #[test]
    fn other_types_correct_and_change_the_case() {
        let c = case(1);
        let types = form("air", &[], Some("odor")).parse().expect("types");
        let reviewed = review_types(&c, types);
        assert_eq!(reviewed.review, TypeReview::Corrected);
        assert_eq!(reviewed.case.types.len(), 1);
        assert_eq!(reviewed.before.types.len(), 2);
        assert_eq!(reviewed.case.sub_type.map(|s| s.code()), Some("odor"));
    }

    #[test]
    fn a_sub_type_of_a_type_not_carried_is_refused_with_its_field() {
        let Err(DomainError::Invalid(errors)) = form("noise", &[], Some("odor")).parse() else {
            panic!("expected an invalid form");
        };
        assert_eq!(errors[0].field, "sub_type");
        let Err(DomainError::Invalid(errors)) = form("smog", &[], None).parse() else {
            panic!("expected an invalid form");
        };
        assert_eq!(errors[0].field, "primary_type");
    }

    #[test]
    fn a_waiting_repeat_of_a_case_in_hand_is_not_accepted() {
        let new = case(2);
        let lead = case(1);
        let merged = merge(&new, &lead, (1, Stage::Handling), false).expect("merge");
        assert_eq!(merged.case.repeat_of, Some(1));
        assert!(merged.reject_as_repeat);
        let merged = merge(&new, &lead, (1, Stage::Registered), false).expect("merge");
        assert!(!merged.reject_as_repeat, "the lead is not accepted yet");
        let merged = merge(&new, &lead, (1, Stage::Closed), false).expect("merge");
        assert!(
            !merged.reject_as_repeat,
            "the lead is finished: a new report"
        );
    }

    #[test]
    fn merges_that_make_no_sense_are_refused() {
        let a = case(1);
        let b = case(2);
        assert!(merge(&a, &a, (1, Stage::Registered), false).is_err());
        assert!(
            merge(&a, &b, (1, Stage::Registered), false).is_err(),
            "b repeats a"
        );
        assert!(
            merge(&a, &b, (2, Stage::Registered), true).is_err(),
            "a leads a group"
        );
        let mut in_group = b.clone();
        in_group.repeat_of = Some(3);
        assert!(merge(&in_group, &a, (3, Stage::Accepted), false).is_err());
    }
}
