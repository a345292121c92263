//! What the simulator knows and a real record does not.

use serde::{Deserialize, Serialize};

/// Which source a case is about, and which injected event (if any) produced it. Written beside
/// the records, never imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub external_id: String,
    pub source_id: u64,
    pub event_id: Option<u32>,
}
