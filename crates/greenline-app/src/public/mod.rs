//! What anyone may read without signing in, beyond their own case: the published results
//! (办理结果公开) with their Atom feed, and the public monthly figures. Nothing here identifies
//! a reporter: every text is masked with the public masker and the case's own reporter
//! ([`crate::masking::mask_case_public`]), the description as written is never handed out, the
//! address is cut after its road ([`place::public_place`]), and small figures are withheld
//! ([`figures::MIN_PUBLIC_COUNT`]).

pub mod figures;
pub mod place;
pub mod published;
