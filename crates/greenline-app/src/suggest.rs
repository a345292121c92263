//! The type suggestion made at intake (分类建议): the shipped classifier reads the description,
//! and its guess is kept with the case for staff to confirm or correct. When the reporter or
//! operator named no type, the guess stands in for it until then.

use greenline_domain::{IntakeForm, TypeSuggestion};
use greenline_text::{Classifier, Tokenizer};

/// The suggestion for `form`'s description, after filling in the form's primary type (and
/// sub-type) from it when the form names none. `None` if the model could not be loaded (the
/// form is then left as it is and fails on its missing type, naming the field).
pub(crate) fn suggest(form: &mut IntakeForm) -> Option<TypeSuggestion> {
    let model = match Classifier::shipped() {
        Ok(model) => model,
        Err(error) => {
            tracing::error!("the shipped classifier does not load: {error}");
            return None;
        }
    };
    let description = form.description.trim();
    if description.is_empty() {
        return None;
    }
    let p = model.predict(Tokenizer::shared(), description);
    let suggestion = TypeSuggestion {
        primary_type: p.category,
        sub_type: p.subcategory,
        // Thousandths, as the case keeps it.
        confidence: (p.confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
    };
    if form.primary_type.trim().is_empty() {
        form.primary_type = p.category.code().to_owned();
        if form.sub_type.as_deref().is_none_or(|s| s.trim().is_empty()) {
            form.sub_type = p.subcategory.map(|s| s.code().to_owned());
        }
    }
    Some(suggestion)
}
