//! Word.
use crate::{Bulletin, ReportError};
pub(crate) fn render(b: &Bulletin) -> Result<Vec<u8>, ReportError> {
    Ok(b.title.clone().into_bytes())
}
