//! HTML.
use crate::Bulletin;
pub(crate) fn render(b: &Bulletin) -> String {
    b.title.clone()
}
