//! The annual report's tables (年度报告) of one agency's year, filled from its requests.

use chrono::NaiveDate;
use greenline_domain::disclosure::{AnnualReport, ApplicantKind, annual_report};
use greenline_report::{Document, Section, Table};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The tables with the agency they are for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitAnnualReport {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(flatten)]
    pub report: AnnualReport,
}

fn year_end(year: i32) -> ServiceResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .filter(|_| (2008..=9999).contains(&year))
        .ok_or_else(|| ServiceError::parameter("year", "a year from 2008 on"))
}

impl UnitAnnualReport {
    /// The tables as a document (HTML or Word through the bulletin's writers).
    pub fn to_document(&self) -> Document {
        let mut header = vec!["项目".to_owned()];
        header.extend(ApplicantKind::ALL.iter().map(|k| k.zh().to_owned()));
        header.push("总计".to_owned());
        let rows = self
            .report
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.label.clone()];
                cells.extend(r.counts.iter().map(u64::to_string));
                cells.push(r.total.to_string());
                cells
            })
            .collect();
        let review_rows = self
            .report
            .review_rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.label.clone()];
                cells.extend(r.counts.iter().map(u64::to_string));
                cells
            })
            .collect();
        Document {
            title: format!("{}{}年政府信息公开工作年度报告（表格部分）", self.unit_name, self.report.year),
            meta: "按《中华人民共和国政府信息公开工作年度报告格式》（2019年）填列".to_owned(),
            sections: vec![
                Section {
                    heading: "三、收到和处理政府信息公开申请情况".to_owned(),
                    paragraphs: vec![
                        "申请人情况：自然人；法人或其他组织（商业企业、科研机构、社会公益组织、法律服务机构、其他）。"
                            .to_owned(),
                    ],
                    tables: vec![Table {
                        caption: "收到和处理政府信息公开申请情况".to_owned(),
                        header,
                        rows,
                    }],
                    charts: Vec::new(),
                },
                Section {
                    heading: "四、政府信息公开行政复议、行政诉讼情况".to_owned(),
                    paragraphs: vec![self.report.review_note.clone()],
                    tables: vec![Table {
                        caption: "行政复议、行政诉讼情况".to_owned(),
                        header: ["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
                            .iter()
                            .map(|h| (*h).to_owned())
                            .collect(),
                        rows: review_rows,
                    }],
                    charts: Vec::new(),
                },
            ],
        }
    }
}

impl App {
    /// The tables of `year` for the unit named `unit` (its name or number), on the command
    /// line, which reads the database directly.
    pub async fn disclosure_annual_report_locally(
        &self,
        unit: &str,
        year: i32,
    ) -> ServiceResult<UnitAnnualReport> {
        let end = year_end(year)?;
        let unit = unit.trim();
        let found = self
            .store
            .unit_entries()
            .await?
            .into_iter()
            .map(|e| e.unit)
            .find(|u| u.name == unit || u.id.to_string() == unit)
            .ok_or_else(|| ServiceError::field("unit", format!("no unit named {unit:?}")))?;
        let tallies = self.store.disclosure_tallies(found.id, end).await?;
        Ok(UnitAnnualReport {
            unit_id: found.id,
            unit_name: found.name,
            report: annual_report(year, &tallies),
        })
    }

    /// The tables of `year` for unit `unit_id`, which must lie in the caller's jurisdiction.
    pub async fn disclosure_annual_report(
        &self,
        caller: &Caller,
        unit_id: i64,
        year: i32,
    ) -> ServiceResult<UnitAnnualReport> {
        let region = caller.jurisdiction()?;
        let Some(end) =
            NaiveDate::from_ymd_opt(year, 12, 31).filter(|_| (2008..=9999).contains(&year))
        else {
            return Err(ServiceError::parameter("year", "a year from 2008 on"));
        };
        let unit = match self.store.unit(unit_id).await {
            Ok(unit) if unit.region.is_within(region) => unit,
            Ok(_) | Err(greenline_store::StoreError::NotFound(_)) => {
                return Err(ServiceError::NotFound("unit"));
            }
            Err(other) => return Err(other.into()),
        };
        let tallies = self.store.disclosure_tallies(unit.id, end).await?;
        Ok(UnitAnnualReport {
            unit_id: unit.id,
            unit_name: unit.name,
            report: annual_report(year, &tallies),
        })
    }
}
