//! Reporters' identities in what staff read: the one place where the core masks free text
//! (`greenline_text::pii`) for a caller whose roles may not read the reporter (an analyst).
//!
//! The rule is by role, as [`Role::may_read_reporter`] states it, not by the holding unit's
//! chain: a handler reads descriptions as written (they may need to call back), an analyst
//! never sees a phone or name, whichever case it is. Every use case that hands out case texts to
//! staff — the case view, the case file, the history, the case list, search — goes through
//! here; the search index keeps a masked copy of its texts for the same callers (see
//! `greenline_search`), exports without personal data and the public tracking view mask with
//! the same masker. Comments on EIA projects are masked with [`mask_text`] and
//! [`mask_text_public`] (`crate::eia`).
//!
//! Each case's own reporter (name and phone, read from the store without an audit event since
//! nothing read is shown) is masked verbatim too, so that "陈小姐说…" is hidden even without a cue
//! word.

use std::collections::HashMap;

use greenline_domain::{Case, EnforcementAction, Role};
use greenline_text::pii::{Identity, mask, mask_public};

use crate::error::ServiceResult;
use crate::{App, Caller};

impl Caller {
    /// Whether the caller's roles let them read reporters' identities, and so the case texts as
    /// written.
    pub fn may_read_identities(&self) -> bool {
        self.roles.iter().copied().any(Role::may_read_reporter)
    }
}

/// A masker of free text: [`mask`] for staff, [`mask_public`] (plates too) for the public.
type Masker = for<'a> fn(&'a str, &Identity) -> std::borrow::Cow<'a, str>;

/// `text` masked in place.
fn mask_in_place(text: &mut String, known: &Identity) {
    mask_in_place_with(mask, text, known);
}

fn mask_in_place_with(masker: Masker, text: &mut String, known: &Identity) {
    if let std::borrow::Cow::Owned(masked) = masker(text, known) {
        *text = masked;
    }
}

/// Every free text of `case` masked: description, address, findings, reply, published
/// summary, the reason of an extension, a described enforcement action, and the same in a
/// draft awaiting approval.
pub fn mask_case(case: &mut Case, known: &Identity) {
    mask_case_with(mask, case, known);
}

/// [`mask_case`] with the public masker, which hides plate numbers too: for published results
/// and everything else the public reads.
pub fn mask_case_public(case: &mut Case, known: &Identity) {
    mask_case_with(mask_public, case, known);
}

fn mask_case_with(masker: Masker, case: &mut Case, known: &Identity) {
    let mask_in_place = |text: &mut String, known: &Identity| {
        mask_in_place_with(masker, text, known);
    };
    mask_in_place(&mut case.description, known);
    mask_in_place(&mut case.address, known);
    for text in [
        &mut case.findings,
        &mut case.reply,
        &mut case.public_summary,
    ]
    .into_iter()
    .flatten()
    {
        mask_in_place(text, known);
    }
    if let Some(extension) = &mut case.extension {
        mask_in_place(&mut extension.reason, known);
    }
    for action in &mut case.enforcement {
        if let EnforcementAction::Other { description } = action {
            mask_in_place(description, known);
        }
    }
    if let Some(draft) = &mut case.draft {
        mask_in_place(&mut draft.findings, known);
        mask_in_place(&mut draft.reply, known);
        for action in &mut draft.enforcement {
            if let EnforcementAction::Other { description } = action {
                mask_in_place(description, known);
            }
        }
    }
}

/// A free text (a comment on an EIA project, say) masked for staff who may not read
/// identities, with its author's own name and phone (`known`) masked wherever they appear.
pub fn mask_text(text: &str, known: &Identity) -> String {
    mask(text, known).into_owned()
}

/// [`mask_text`] with the public masker (plates too): for everything the public reads.
pub fn mask_text_public(text: &str, known: &Identity) -> String {
    mask_public(text, known).into_owned()
}

/// An event's note and every string inside its data (a step's data is the command, with its
/// texts) masked.
pub fn mask_event(note: &mut Option<String>, data: &mut serde_json::Value, known: &Identity) {
    if let Some(note) = note {
        mask_in_place(note, known);
    }
    mask_json(data, known);
}

fn mask_json(value: &mut serde_json::Value, known: &Identity) {
    match value {
        serde_json::Value::String(text) => mask_in_place(text, known),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| mask_json(v, known)),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(|v| mask_json(v, known)),
        _ => {}
    }
}

impl App {
    /// The reporters of the given cases, to mask them (see the module doc).
    pub(crate) async fn identities_to_mask(
        &self,
        ids: &[i64],
    ) -> ServiceResult<HashMap<i64, Identity>> {
        Ok(self
            .store
            .identities_to_mask(ids)
            .await?
            .into_iter()
            .map(|(id, (name, phone))| (id, Identity { name, phone }))
            .collect())
    }

    /// The reporter of one case, to mask them.
    pub(crate) async fn identity_to_mask(&self, id: i64) -> ServiceResult<Identity> {
        Ok(self
            .identities_to_mask(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default())
    }

    /// `cases` as `caller` may read them: masked unless their roles may read reporters.
    pub(crate) async fn readable_cases(
        &self,
        caller: &Caller,
        mut cases: Vec<Case>,
    ) -> ServiceResult<Vec<Case>> {
        if caller.may_read_identities() || cases.is_empty() {
            return Ok(cases);
        }
        let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
        let known = self.identities_to_mask(&ids).await?;
        let nobody = Identity::default();
        for case in &mut cases {
            mask_case(case, known.get(&case.id).unwrap_or(&nobody));
        }
        Ok(cases)
    }
}
