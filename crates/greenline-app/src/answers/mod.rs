//! Plain answers (通俗解说): short answers in plain Chinese to what people ask the hotline
//! most, each with the standard and clause it rests on and the day it was checked.
//!
//! - [`edit`]: staff write and change answers, send them for review; a reviewer other than the
//!   sender publishes, returns or withdraws them. Every change is an event.
//! - [`public`]: the portal's list and search, one answer (its views counted), "this helped",
//!   and the answers a text calls for — offered on the report form as a citizen types and to
//!   operators at the desk.
//! - [`shipped`]: the answers a new installation starts with (`data/plain_answers.json`).

pub mod edit;
mod matching;
pub mod public;
pub mod shipped;

use std::sync::Arc;
use std::time::{Duration, Instant};

use greenline_store::StoredAnswer;
use tokio::sync::RwLock;

use crate::App;
use crate::error::ServiceResult;
use matching::AnswerIndex;

pub use edit::{AnswerEventView, AnswerRecord, AnswerStepInput};
pub use public::{AnswerHint, PublicAnswer, PublicAnswers};

/// How long a node trusts its copy of the published answers: a change published on another
/// node is seen within this time (on this node at once).
const CACHE_FOR: Duration = Duration::from_secs(60);

/// The published answers and their index, as last read.
#[derive(Debug, Default)]
pub(crate) struct AnswerCache(RwLock<Option<Arc<Published>>>);

#[derive(Debug)]
pub(crate) struct Published {
    read_at: Instant,
    answers: Vec<StoredAnswer>,
    index: AnswerIndex,
}

impl Published {
    fn get(&self, id: i64) -> Option<&StoredAnswer> {
        self.answers.iter().find(|a| a.id == id)
    }
}

impl AnswerCache {
    pub(crate) async fn forget(&self) {
        *self.0.write().await = None;
    }
}

impl App {
    /// The published answers, read again when older than [`CACHE_FOR`].
    pub(crate) async fn published_answers(&self) -> ServiceResult<Arc<Published>> {
        if let Some(published) = self.answers.0.read().await.as_ref()
            && published.read_at.elapsed() < CACHE_FOR
        {
            return Ok(published.clone());
        }
        let answers = self.store.published_answers().await?;
        let index = AnswerIndex::new(
            answers
                .iter()
                .filter_map(|a| a.published.as_ref().map(|p| (a.id, p))),
        );
        let published = Arc::new(Published {
            read_at: Instant::now(),
            answers,
            index,
        });
        *self.answers.0.write().await = Some(published.clone());
        Ok(published)
    }
}
