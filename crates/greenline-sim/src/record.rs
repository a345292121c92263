//! The case record: one flat row per case, as the simulator writes it and as import and export
//! read and write it (CSV with a header, or JSON Lines). Reporter fields are personal data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One case with its history flattened into timestamps. Optional fields are empty in CSV and
/// absent or `null` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// A stable identifier from the source system; re-importing it creates no duplicate.
    pub external_id: String,
    /// `report`, `petition` or `reconsideration`.
    pub kind: String,
    pub channel: String,
    pub primary_type: String,
    /// Every type the case carries, the primary first, separated by `;` (`noise;air`).
    pub types: String,
    pub sub_type: Option<String>,
    pub industry: Option<String>,
    /// Six-digit region code, the most precise known.
    pub region: String,
    pub address: String,
    pub description: String,
    pub received_at: DateTime<Utc>,
    /// The stage reached by the end of the record's history.
    pub stage: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub extension_days: Option<u32>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
}

/// What the simulator knows and a real record does not: which source a case is about, and
/// which injected event (if any) produced it. Written beside the records, never imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub external_id: String,
    pub source_id: u64,
    pub event_id: Option<u32>,
}
