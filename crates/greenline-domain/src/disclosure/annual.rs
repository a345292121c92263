//! The annual report's table of requests (政府信息公开工作年度报告, part 三 "收到和处理政府信息
//! 公开申请情况", in the General Office's 2019 format, 国办公开办函〔2019〕60号): received by kind
//! of applicant, carried over from last year, the year's outcomes by kind of answer with the
//! grounds of refusal broken down, carried over to next year; and part 四, reconsideration and
//! litigation about disclosure, which the platform does not link to requests and reports as
//! zero, saying so.
//!
//! A request counts in the outcome rows of the year it was answered (carried-over ones
//! included); one received in the year and unanswered at its end is carried over.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AnswerKind, ApplicantKind, Redirect, WithholdingGround};

/// What the report counts of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub applicant_kind: ApplicantKind,
    pub received_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub answer_kind: Option<AnswerKind>,
    pub ground: Option<WithholdingGround>,
    pub redirect: Option<Redirect>,
}

/// One row of the table: its wording in the format, and the count per kind of applicant (in
/// the order of [`ApplicantKind::ALL`]) with the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportRow {
    /// A stable code for the row (`received`, `withheld.state_secret`, …).
    pub code: String,
    /// The row's wording in the format, with its numbering.
    pub label: String,
    /// Counts by kind of applicant: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.
    pub counts: [u64; 6],
    pub total: u64,
}

/// The tables of one agency's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AnnualReport {
    pub year: i32,
    pub rows: Vec<ReportRow>,
    /// Part 四: reconsideration and litigation about disclosure, each row with its five
    /// columns (维持, 纠正, 其他结果, 尚未审结, 总计).
    pub review_rows: Vec<ReviewRow>,
    /// Why part 四 is zero.
    pub review_note: String,
}

/// A row of part 四.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReviewRow {
    pub label: String,
    /// 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
    pub counts: [u64; 5],
}

/// Where an answered request falls among the outcome rows.
fn outcome_row(t: &Tally) -> Option<&'static str> {
    Some(match t.answer_kind? {
        AnswerKind::Disclosed | AnswerKind::AlreadyPublic => "disclosed",
        AnswerKind::PartlyDisclosed => "partly_disclosed",
        AnswerKind::Withheld => match t.ground? {
            WithholdingGround::StateSecret => "withheld.state_secret",
            WithholdingGround::ProhibitedByLaw => "withheld.prohibited_by_law",
            WithholdingGround::Security => "withheld.security",
            WithholdingGround::ThirdPartyRights => "withheld.third_party_rights",
            WithholdingGround::InternalAffairs => "withheld.internal_affairs",
            WithholdingGround::ProcessInformation => "withheld.process_information",
            WithholdingGround::EnforcementFile => "withheld.enforcement_file",
        },
        AnswerKind::NotExist | AnswerKind::NotHeld => "unavailable.not_held",
        AnswerKind::Repeated => "not_processed.repeated",
        AnswerKind::Redirected => match t.redirect {
            Some(Redirect::Complaint | Redirect::Petition) => "not_processed.complaint",
            _ => "other",
        },
    })
}

/// The rows of part 三, in the format's order: (code, label, counted in the total of 三).
const ROWS: &[(&str, &str)] = &[
    ("received", "一、本年新收政府信息公开申请数量"),
    ("carried_in", "二、上年结转政府信息公开申请数量"),
    ("disclosed", "三、本年度办理结果 （一）予以公开"),
    (
        "partly_disclosed",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ),
    ("withheld.state_secret", "（三）不予公开 1.属于国家秘密"),
    ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld.security", "3.危及“三安全一稳定”"),
    ("withheld.third_party_rights", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("withheld.process_information", "6.属于四类过程性信息"),
    ("withheld.enforcement_file", "7.属于行政执法案卷"),
    ("withheld.inquiry", "8.属于行政查询事项"),
    (
        "unavailable.not_held",
        "（四）无法提供 1.本机关不掌握相关政府信息",
    ),
    ("unavailable.needs_making", "2.没有现成信息需要另行制作"),
    ("unavailable.still_unclear", "3.补正后申请内容仍不明确"),
    (
        "not_processed.complaint",
        "（五）不予处理 1.信访举报投诉类申请",
    ),
    ("not_processed.repeated", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请"),
    (
        "not_processed.confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
    ),
    ("other", "（六）其他处理"),
    ("answered_total", "（七）总计"),
    ("carried_out", "四、结转下年度继续办理"),
];

fn column(kind: ApplicantKind) -> usize {
    ApplicantKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(ApplicantKind::ALL.len() - 1)
}

/// Fills the tables of `year` from the requests of one agency received up to its end.
pub fn annual_report(year: i32, tallies: &[Tally]) -> AnnualReport {
    let mut rows: Vec<ReportRow> = ROWS
        .iter()
        .map(|(code, label)| ReportRow {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            counts: [0; 6],
            total: 0,
        })
        .collect();
    let mut add = |code: &str, kind: ApplicantKind| {
        if let Some(row) = rows.iter_mut().find(|r| r.code == code) {
            row.counts[column(kind)] += 1;
            row.total += 1;
        }
    };
    let answered_in = |t: &Tally, y: i32| t.answered_on.is_some_and(|d| d.year() == y);
    let open_at_end_of =
        |t: &Tally, y: i32| t.received_on.year() <= y && t.answered_on.is_none_or(|d| d.year() > y);
    for t in tallies {
        if t.received_on.year() > year {
            continue;
        }
        if t.received_on.year() == year {
            add("received", t.applicant_kind);
        } else if open_at_end_of(t, year - 1) {
            add("carried_in", t.applicant_kind);
        }
        if answered_in(t, year) {
            if let Some(code) = outcome_row(t) {
                add(code, t.applicant_kind);
            }
            add("answered_total", t.applicant_kind);
        }
        if open_at_end_of(t, year) {
            add("carried_out", t.applicant_kind);
        }
    }
    let review = |label: &str| ReviewRow {
        label: label.to_owned(),
        counts: [0; 5],
    };
    AnnualReport {
        year,
        rows,
        review_rows: vec![
            review("行政复议"),
            review("行政诉讼（未经复议直接起诉）"),
            review("行政诉讼（复议后起诉）"),
        ],
        review_note: "本平台未将行政复议、行政诉讼案件与政府信息公开申请关联，此部分数据为零，\
                      请按实际情况另行填报"
            .to_owned(),
    }
}

impl AnnualReport {
    /// A row by its code.
    pub fn row(&self, code: &str) -> Option<&ReportRow> {
        self.rows.iter().find(|r| r.code == code)
    }

    /// The table as CSV: a header of the applicant kinds, a line per row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("项目,自然人");
        for kind in &ApplicantKind::ALL[1..] {
            out.push(',');
            out.push_str(kind.zh());
        }
        out.push_str(",总计\n");
        for row in &self.rows {
            out.push('"');
            out.push_str(&row.label.replace('"', "\"\""));
            out.push('"');
            for n in row.counts {
                out.push_str(&format!(",{n}"));
            }
            out.push_str(&format!(",{}\n", row.total));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn tally(kind: ApplicantKind, received: NaiveDate, answered: Option<NaiveDate>) -> Tally {
        Tally {
            applicant_kind: kind,
            received_on: received,
            answered_on: answered,
            answer_kind: answered.map(|_| AnswerKind::Disclosed),
            ground: None,
            redirect: None,
        }
    }

    #[test]
    fn requests_are_received_carried_in_answered_and_carried_out_in_their_years() {
        let tallies = [
            // Received late 2024, answered in 2025: carried in, answered in 2025.
            tally(
                ApplicantKind::LawFirm,
                d(2024, 12, 20),
                Some(d(2025, 1, 10)),
            ),
            // Received and answered in 2025.
            Tally {
                answer_kind: Some(AnswerKind::PartlyDisclosed),
                ground: Some(WithholdingGround::ThirdPartyRights),
                ..tally(
                    ApplicantKind::NaturalPerson,
                    d(2025, 3, 3),
                    Some(d(2025, 3, 20)),
                )
            },
            Tally {
                answer_kind: Some(AnswerKind::Withheld),
                ground: Some(WithholdingGround::ProcessInformation),
                ..tally(
                    ApplicantKind::ResearchBody,
                    d(2025, 4, 1),
                    Some(d(2025, 4, 20)),
                )
            },
            Tally {
                answer_kind: Some(AnswerKind::Redirected),
                redirect: Some(Redirect::Complaint),
                ..tally(
                    ApplicantKind::NaturalPerson,
                    d(2025, 5, 1),
                    Some(d(2025, 5, 2)),
                )
            },
            // Received in December 2025, answered in 2026: carried out.
            tally(
                ApplicantKind::CommercialEnterprise,
                d(2025, 12, 28),
                Some(d(2026, 1, 5)),
            ),
            // Answered in 2024: nothing in 2025.
            tally(
                ApplicantKind::NaturalPerson,
                d(2024, 6, 1),
                Some(d(2024, 6, 5)),
            ),
        ];
        let report = annual_report(2025, &tallies);
        let row = |code: &str| report.row(code).expect(code).clone();
        assert_eq!(row("received").total, 4);
        assert_eq!(row("received").counts, [2, 1, 1, 0, 0, 0]);
        assert_eq!(row("carried_in").counts, [0, 0, 0, 0, 1, 0]);
        assert_eq!(row("disclosed").total, 1);
        assert_eq!(row("partly_disclosed").counts, [1, 0, 0, 0, 0, 0]);
        assert_eq!(
            row("withheld.process_information").counts,
            [0, 0, 1, 0, 0, 0]
        );
        assert_eq!(row("not_processed.complaint").total, 1);
        assert_eq!(row("answered_total").total, 4);
        assert_eq!(row("carried_out").counts, [0, 1, 0, 0, 0, 0]);
        // Received + carried in = answered + carried out.
        assert_eq!(
            row("received").total + row("carried_in").total,
            row("answered_total").total + row("carried_out").total
        );
        assert!(report.review_rows.iter().all(|r| r.counts == [0; 5]));
        assert!(
            report
                .to_csv()
                .starts_with("项目,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计\n")
        );
    }
}
