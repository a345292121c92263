//! Cases by place: the earlier reports a citizen is shown before submitting one of their own
//! ("已有人反映过此问题？").

use greenline_domain::{Case, CaseKind, PollutionType, RegionCode, Stage};

use crate::cases::{CaseFilter, held_sql};
use crate::convert::{Arg, CASE_COLUMNS, Sql, case_from_row};
use crate::{Result, Store};

impl Store {
    /// Reports (not petitions) placed in `region` (its subtree) that carry `pollution_type`,
    /// stand in one of `stages` and are no repeat of another case (a group's first case stands
    /// for the group), newest first, at most `limit` (1 to 500).
    pub async fn reports_in_stages(
        &self,
        region: RegionCode,
        pollution_type: PollutionType,
        stages: &[Stage],
        limit: u32,
    ) -> Result<Vec<Case>> {
        if stages.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!("SELECT {CASE_COLUMNS} FROM cases c WHERE 1 = 1"));
        let filter = CaseFilter {
            region: Some(region),
            kind: Some(CaseKind::Report),
            pollution_type: Some(pollution_type),
            ..CaseFilter::default()
        };
        held_sql(&mut sql, RegionCode::NATIONAL, stages, &filter);
        sql.push(" AND c.repeat_of IS NULL ORDER BY c.received_at DESC, c.id DESC LIMIT ")
            .bind(Arg::int(i64::from(limit.clamp(1, 500))));
        let rows = sql.query().fetch_all(&self.reader).await?;
        rows.iter().map(case_from_row).collect()
    }
}
