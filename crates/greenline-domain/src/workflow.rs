//! The kinds of case and the state machines of those held as a [`crate::Case`].
//!
//! A fourth kind, the information-disclosure request (依申请公开), has a workflow of its own
//! whose clock stops and restarts (see [`crate::disclosure`]); the table below is the
//! workflow of the other three, [`CaseKind::CASES`].
//!
//! | kind | stages |
//! |---|---|
//! | report (举报件) | registered → accepted → handling → concluded → replied → published → closed; or rejected |
//! | petition (信访事项) | registered → routed → accepted → handling → concluded → replied → review_requested → reviewed → re_review_requested → re_reviewed; or rejected, closed |
//! | reconsideration (行政复议) | registered → accepted → handling → concluded → replied → closed; or rejected |
//!
//! Where the holding unit's conclusions need approval (审核, a unit setting), the handler does
//! not conclude and reply: they `submit` both as a draft (handling → pending_approval), which a
//! supervisor `approve`s (pending_approval → replied: the conclusion and the reply take effect)
//! or `return_draft`s with a reason (back to handling, the draft kept). A report whose reporter
//! says at the callback (回访) that the problem is not solved is `reopen`ed (replied or
//! published → handling); that step is only taken through a callback.
//!
//! `assign` (转办/交办) moves a case to a unit lower down and keeps its stage, except that a
//! petition's first routing moves it from `registered` to `routed`. `extend` keeps the stage.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kind of case, each with its own workflow and time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 举报件 — a tip-off about pollution, handled by enforcement.
    Report,
    /// 信访事项 — a petition under 信访工作条例.
    Petition,
    /// 行政复议 — an application for administrative reconsideration.
    Reconsideration,
    /// 依申请公开 — a request for government information (政府信息公开条例, 2019), kept as
    /// a [`crate::disclosure::Request`] with its own workflow rather than a [`crate::Case`].
    Disclosure,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Report,
        CaseKind::Petition,
        CaseKind::Reconsideration,
        CaseKind::Disclosure,
    ];

    /// The kinds held as a [`crate::Case`]: intake, the stage workflow of [`transitions`], the
    /// calendar-day limits, the work queue and the statistics are theirs. Disclosure requests
    /// are not among them.
    pub const CASES: [CaseKind; 3] = [
        CaseKind::Report,
        CaseKind::Petition,
        CaseKind::Reconsideration,
    ];

    /// A kind held as a [`crate::Case`], from its code (`disclosure` is not one).
    pub fn parse_case(code: &str) -> Option<CaseKind> {
        Self::CASES.into_iter().find(|k| k.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Report => "report",
            CaseKind::Petition => "petition",
            CaseKind::Reconsideration => "reconsideration",
            CaseKind::Disclosure => "disclosure",
        }
    }

    pub fn parse(code: &str) -> Option<CaseKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CaseKind::Report => "举报件",
            CaseKind::Petition => "信访事项",
            CaseKind::Reconsideration => "行政复议",
            CaseKind::Disclosure => "依申请公开",
        }
    }
}

/// Where a case stands in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 已登记
    Registered,
    /// 已转送/交办 (petitions)
    Routed,
    /// 已受理
    Accepted,
    /// 不予受理 (final)
    Rejected,
    /// 办理中
    Handling,
    /// 待审核 — a conclusion and reply drafted, awaiting a supervisor's approval.
    PendingApproval,
    /// 已办结 — findings recorded, reply not yet sent.
    Concluded,
    /// 已答复
    Replied,
    /// 已公开 — the result is published (reports).
    Published,
    /// 复查中 (petitions)
    ReviewRequested,
    /// 已复查 (petitions)
    Reviewed,
    /// 复核中 (petitions)
    ReReviewRequested,
    /// 已复核 (petitions, final: the same facts are not accepted again)
    ReReviewed,
    /// 已归档 (final)
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 14] = [
        Stage::Registered,
        Stage::Routed,
        Stage::Accepted,
        Stage::Rejected,
        Stage::Handling,
        Stage::PendingApproval,
        Stage::Concluded,
        Stage::Replied,
        Stage::Published,
        Stage::ReviewRequested,
        Stage::Reviewed,
        Stage::ReReviewRequested,
        Stage::ReReviewed,
        Stage::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::Routed => "routed",
            Stage::Accepted => "accepted",
            Stage::Rejected => "rejected",
            Stage::Handling => "handling",
            Stage::PendingApproval => "pending_approval",
            Stage::Concluded => "concluded",
            Stage::Replied => "replied",
            Stage::Published => "published",
            Stage::ReviewRequested => "review_requested",
            Stage::Reviewed => "reviewed",
            Stage::ReReviewRequested => "re_review_requested",
            Stage::ReReviewed => "re_reviewed",
            Stage::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Stage::Registered => "已登记",
            Stage::Routed => "已转送",
            Stage::Accepted => "已受理",
            Stage::Rejected => "不予受理",
            Stage::Handling => "办理中",
            Stage::PendingApproval => "待审核",
            Stage::Concluded => "已办结",
            Stage::Replied => "已答复",
            Stage::Published => "已公开",
            Stage::ReviewRequested => "复查中",
            Stage::Reviewed => "已复查",
            Stage::ReReviewRequested => "复核中",
            Stage::ReReviewed => "已复核",
            Stage::Closed => "已归档",
        }
    }

    /// The stages in which a case whose result was published (公开) still shows it: published,
    /// and the stages a published case can move on to without being handled again (a
    /// petition's review and re-review, archiving). A report reopened after its callback goes
    /// back to handling and leaves the published list until it is published again.
    pub const PUBLISHED_RESULT: [Stage; 6] = [
        Stage::Published,
        Stage::ReviewRequested,
        Stage::Reviewed,
        Stage::ReReviewRequested,
        Stage::ReReviewed,
        Stage::Closed,
    ];

    /// The status word that public outputs show (待受理 / 办理中 / 已办结 / 不受理).
    pub fn public_status(self) -> PublicStatus {
        match self {
            Stage::Registered | Stage::Routed => PublicStatus::NotYetAccepted,
            Stage::Accepted
            | Stage::Handling
            | Stage::PendingApproval
            | Stage::ReviewRequested
            | Stage::ReReviewRequested => PublicStatus::InProgress,
            Stage::Concluded
            | Stage::Replied
            | Stage::Published
            | Stage::Reviewed
            | Stage::ReReviewed
            | Stage::Closed => PublicStatus::Concluded,
            Stage::Rejected => PublicStatus::NotAccepted,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The status shown to the public, mapped from the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    /// 待受理: waiting for the decision to accept (not 未受理, which in the bulletins means turned down)
    NotYetAccepted,
    /// 办理中: accepted and being handled
    InProgress,
    /// 已办结
    Concluded,
    /// 不受理
    NotAccepted,
}

impl PublicStatus {
    pub fn zh(self) -> &'static str {
        match self {
            PublicStatus::NotYetAccepted => "待受理",
            PublicStatus::InProgress => "办理中",
            PublicStatus::Concluded => "已办结",
            PublicStatus::NotAccepted => "不受理",
        }
    }

    /// Open311 GeoReport v2 `status`.
    pub fn open311(self) -> &'static str {
        match self {
            PublicStatus::NotYetAccepted | PublicStatus::InProgress => "open",
            PublicStatus::Concluded | PublicStatus::NotAccepted => "closed",
        }
    }
}

/// A step staff can take on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 受理
    Accept,
    /// 不予受理
    Reject,
    /// 转办/交办 to a unit lower down
    Assign,
    /// 开始办理
    Handle,
    /// 延期 (once, with a reason)
    Extend,
    /// 办结 with findings and outcome
    Conclude,
    /// 答复 the reporter or petitioner
    Reply,
    /// 公开 the result
    Publish,
    /// 申请复查 (recorded for the petitioner)
    RequestReview,
    /// 复查决定
    DecideReview,
    /// 申请复核 (recorded for the petitioner)
    RequestReReview,
    /// 复核决定
    DecideReReview,
    /// 归档
    Close,
    /// 退回: a wrongly routed case goes back to the unit above, which routes it again
    SendBack,
    /// 提交审核: the conclusion and the reply as a draft, where the unit's conclusions need
    /// approval
    Submit,
    /// 审核通过: the draft takes effect (concluded and replied)
    Approve,
    /// 审核退回: the draft goes back to the handler, with a reason
    ReturnDraft,
    /// 重新办理: a report whose reporter said at the callback that the problem is not solved
    /// (taken through a callback, never offered as a step)
    Reopen,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::Accept,
        Action::Reject,
        Action::Assign,
        Action::Handle,
        Action::Extend,
        Action::Conclude,
        Action::Reply,
        Action::Publish,
        Action::RequestReview,
        Action::DecideReview,
        Action::RequestReReview,
        Action::DecideReReview,
        Action::Close,
        Action::SendBack,
        Action::Submit,
        Action::Approve,
        Action::ReturnDraft,
        Action::Reopen,
    ];

    pub fn parse(code: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Assign => "assign",
            Action::Handle => "handle",
            Action::Extend => "extend",
            Action::Conclude => "conclude",
            Action::Reply => "reply",
            Action::Publish => "publish",
            Action::RequestReview => "request_review",
            Action::DecideReview => "decide_review",
            Action::RequestReReview => "request_re_review",
            Action::DecideReReview => "decide_re_review",
            Action::Close => "close",
            Action::SendBack => "send_back",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::ReturnDraft => "return_draft",
            Action::Reopen => "reopen",
        }
    }

    /// Whether a case's stage alone decides that this step is open to it: every step but an
    /// extension (once per case), the petitioner's requests for review and re-review (each
    /// within its window) and reopening (never offered: a callback reopens). See `Case::actions_now`, which applies the other conditions, and
    /// the work queue, which counts cases by stage on this promise.
    pub fn stage_decides(self) -> bool {
        !matches!(
            self,
            Action::Extend | Action::RequestReview | Action::RequestReReview | Action::Reopen
        )
    }

    /// The action's name in Chinese, as the console and the case history show it.
    pub fn zh(self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Reject => "不予受理",
            Action::Assign => "转办",
            Action::Handle => "开始办理",
            Action::Extend => "延期",
            Action::Conclude => "办结",
            Action::Reply => "答复",
            Action::Publish => "公开结果",
            Action::RequestReview => "登记复查申请",
            Action::DecideReview => "复查决定",
            Action::RequestReReview => "登记复核申请",
            Action::DecideReReview => "复核决定",
            Action::Close => "归档",
            Action::SendBack => "退回",
            Action::Submit => "提交审核",
            Action::Approve => "审核通过",
            Action::ReturnDraft => "审核退回",
            Action::Reopen => "重新办理",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The workflow table: from `stage` of a `kind` of case, which actions are allowed and where
/// each leads.
pub fn transitions(kind: CaseKind, stage: Stage) -> &'static [(Action, Stage)] {
    use Action as A;
    use Stage as S;
    match (kind, stage) {
        (CaseKind::Report, S::Registered) => &[
            (A::Accept, S::Accepted),
            (A::Reject, S::Rejected),
            (A::Assign, S::Registered),
            (A::SendBack, S::Registered),
        ],
        (CaseKind::Report, S::Accepted) => &[
            (A::Assign, S::Accepted),
            (A::Handle, S::Handling),
            (A::SendBack, S::Accepted),
        ],
        (CaseKind::Report, S::Handling) => &[
            (A::Extend, S::Handling),
            (A::Conclude, S::Concluded),
            (A::Submit, S::PendingApproval),
        ],
        (CaseKind::Report, S::Concluded) => &[(A::Reply, S::Replied)],
        (CaseKind::Report, S::Replied) => &[
            (A::Publish, S::Published),
            (A::Close, S::Closed),
            (A::Reopen, S::Handling),
        ],
        (CaseKind::Report, S::Published) => &[(A::Close, S::Closed), (A::Reopen, S::Handling)],

        (CaseKind::Petition, S::Registered) => &[
            (A::Assign, S::Routed),
            (A::Accept, S::Accepted),
            (A::Reject, S::Rejected),
            (A::SendBack, S::Registered),
        ],
        (CaseKind::Petition, S::Routed) => &[
            (A::Assign, S::Routed),
            (A::Accept, S::Accepted),
            (A::Reject, S::Rejected),
            (A::SendBack, S::Routed),
        ],
        (CaseKind::Petition, S::Accepted) => &[
            (A::Assign, S::Accepted),
            (A::Handle, S::Handling),
            (A::SendBack, S::Accepted),
        ],
        (CaseKind::Petition, S::Handling) => &[
            (A::Extend, S::Handling),
            (A::Conclude, S::Concluded),
            (A::Submit, S::PendingApproval),
        ],
        (CaseKind::Petition, S::Concluded) => &[(A::Reply, S::Replied)],
        (CaseKind::Petition, S::Replied) => &[
            (A::RequestReview, S::ReviewRequested),
            (A::Publish, S::Published),
            (A::Close, S::Closed),
        ],
        (CaseKind::Petition, S::Published) => &[
            (A::RequestReview, S::ReviewRequested),
            (A::Close, S::Closed),
        ],
        (CaseKind::Petition, S::ReviewRequested) => &[(A::DecideReview, S::Reviewed)],
        (CaseKind::Petition, S::Reviewed) => &[
            (A::RequestReReview, S::ReReviewRequested),
            (A::Close, S::Closed),
        ],
        (CaseKind::Petition, S::ReReviewRequested) => &[(A::DecideReReview, S::ReReviewed)],

        (CaseKind::Reconsideration, S::Registered) => &[
            (A::Accept, S::Accepted),
            (A::Reject, S::Rejected),
            (A::Assign, S::Registered),
            (A::SendBack, S::Registered),
        ],
        (CaseKind::Reconsideration, S::Accepted) => &[(A::Handle, S::Handling)],
        (CaseKind::Reconsideration, S::Handling) => &[
            (A::Extend, S::Handling),
            (A::Conclude, S::Concluded),
            (A::Submit, S::PendingApproval),
        ],
        (CaseKind::Report | CaseKind::Petition | CaseKind::Reconsideration, S::PendingApproval) => {
            &[(A::Approve, S::Replied), (A::ReturnDraft, S::Handling)]
        }
        (CaseKind::Reconsideration, S::Concluded) => &[(A::Reply, S::Replied)],
        (CaseKind::Reconsideration, S::Replied) => &[(A::Close, S::Closed)],

        _ => &[],
    }
}

/// The actions allowed from a stage.
pub fn allowed_actions(kind: CaseKind, stage: Stage) -> Vec<Action> {
    transitions(kind, stage).iter().map(|(a, _)| *a).collect()
}

/// Where `action` leads from `stage`, if it is allowed there.
pub fn next_stage(kind: CaseKind, stage: Stage, action: Action) -> Option<Stage> {
    transitions(kind, stage)
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, to)| *to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_reached_by_a_kind_is_a_stage_it_can_leave_or_a_final_one() {
        for kind in CaseKind::CASES {
            for stage in Stage::ALL {
                for (_, to) in transitions(kind, stage) {
                    let leaves = !transitions(kind, *to).is_empty();
                    let is_final =
                        matches!(to, Stage::Rejected | Stage::Closed | Stage::ReReviewed);
                    assert!(leaves || is_final, "{kind:?}: {to:?} is a dead end");
                }
            }
        }
    }

    #[test]
    fn final_stages_allow_nothing() {
        for kind in CaseKind::ALL {
            for stage in [Stage::Rejected, Stage::Closed, Stage::ReReviewed] {
                assert!(allowed_actions(kind, stage).is_empty());
            }
        }
    }

    #[test]
    fn only_petitions_have_review_and_re_review() {
        assert_eq!(
            next_stage(CaseKind::Petition, Stage::Replied, Action::RequestReview),
            Some(Stage::ReviewRequested)
        );
        assert_eq!(
            next_stage(CaseKind::Report, Stage::Replied, Action::RequestReview),
            None
        );
        assert_eq!(
            next_stage(
                CaseKind::Reconsideration,
                Stage::Replied,
                Action::RequestReview
            ),
            None
        );
    }

    #[test]
    fn a_petitions_first_routing_marks_it_routed_while_a_reports_keeps_its_stage() {
        assert_eq!(
            next_stage(CaseKind::Petition, Stage::Registered, Action::Assign),
            Some(Stage::Routed)
        );
        assert_eq!(
            next_stage(CaseKind::Report, Stage::Registered, Action::Assign),
            Some(Stage::Registered)
        );
    }

    #[test]
    fn every_stage_after_publish_keeps_the_published_result_except_reopening() {
        // What publishing leads to, and where each of those leads without handling again.
        let mut reached = vec![];
        for kind in CaseKind::ALL {
            if let Some(to) = next_stage(kind, Stage::Replied, Action::Publish)
                && !reached.contains(&to)
            {
                reached.push(to);
            }
        }
        let mut i = 0;
        while i < reached.len() {
            for kind in CaseKind::ALL {
                for (action, to) in transitions(kind, reached[i]) {
                    if *action != Action::Reopen && !reached.contains(to) {
                        reached.push(*to);
                    }
                }
            }
            i += 1;
        }
        let mut want = Stage::PUBLISHED_RESULT.to_vec();
        want.sort_by_key(|s| s.code());
        reached.sort_by_key(|s| s.code());
        assert_eq!(reached, want);
    }

    #[test]
    fn stage_codes_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.code()), Some(stage));
        }
        for kind in CaseKind::ALL {
            assert_eq!(CaseKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(CaseKind::parse_case("disclosure"), None);
        for kind in CaseKind::CASES {
            assert_eq!(CaseKind::parse_case(kind.code()), Some(kind));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.code()), Some(action));
        }
    }
}
