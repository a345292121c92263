//! What a case ends with: investigation findings, petition decisions, rejection reasons and
//! enforcement actions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::CaseKind;

/// The finding or decision that concludes a case. Which ones fit depends on the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 属实 — the report is substantiated (reports).
    Substantiated,
    /// 部分属实 — partly substantiated (reports).
    PartlySubstantiated,
    /// 不属实 — not substantiated (reports).
    Unsubstantiated,
    /// 支持 — the request is supported (petitions).
    Supported,
    /// 解释说明 — answered with an explanation (petitions).
    Explained,
    /// 不予支持 — not supported (petitions).
    NotSupported,
    /// 维持 — the act is upheld (reconsideration).
    Upheld,
    /// 撤销 — the act is revoked (reconsideration).
    Revoked,
    /// 变更 — the act is altered (reconsideration).
    Altered,
    /// 确认违法 — the act is confirmed unlawful (reconsideration).
    ConfirmedUnlawful,
    /// 驳回 — the application is dismissed (reconsideration).
    Dismissed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Substantiated => "substantiated",
            Outcome::PartlySubstantiated => "partly_substantiated",
            Outcome::Unsubstantiated => "unsubstantiated",
            Outcome::Supported => "supported",
            Outcome::Explained => "explained",
            Outcome::NotSupported => "not_supported",
            Outcome::Upheld => "upheld",
            Outcome::Revoked => "revoked",
            Outcome::Altered => "altered",
            Outcome::ConfirmedUnlawful => "confirmed_unlawful",
            Outcome::Dismissed => "dismissed",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Outcome::Substantiated => "属实",
            Outcome::PartlySubstantiated => "部分属实",
            Outcome::Unsubstantiated => "不属实",
            Outcome::Supported => "支持",
            Outcome::Explained => "解释说明",
            Outcome::NotSupported => "不予支持",
            Outcome::Upheld => "维持",
            Outcome::Revoked => "撤销",
            Outcome::Altered => "变更",
            Outcome::ConfirmedUnlawful => "确认违法",
            Outcome::Dismissed => "驳回",
        }
    }

    /// The outcomes a case of this kind may end with (a disclosure request ends with an
    /// answer of its own, [`crate::disclosure::Answer`], not one of these).
    pub fn for_kind(kind: CaseKind) -> &'static [Outcome] {
        match kind {
            CaseKind::Report => &[
                Outcome::Substantiated,
                Outcome::PartlySubstantiated,
                Outcome::Unsubstantiated,
            ],
            CaseKind::Petition => &[
                Outcome::Supported,
                Outcome::Explained,
                Outcome::NotSupported,
            ],
            CaseKind::Reconsideration => &[
                Outcome::Upheld,
                Outcome::Revoked,
                Outcome::Altered,
                Outcome::ConfirmedUnlawful,
                Outcome::Dismissed,
            ],
            CaseKind::Disclosure => &[],
        }
    }
}

/// Why a case is not accepted (不予受理), as the rules list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// 不属于生态环境部门职责范围 — outside the agency's remit (say which authority in the note).
    OutsideRemit,
    /// 举报线索不详 — too little information to act on.
    InsufficientDetail,
    /// 应通过诉讼、仲裁、行政复议等途径解决 — a matter for litigation, arbitration or reconsideration.
    OtherProcedure,
    /// 已受理或正在办理的重复举报 — already accepted and reported again (tell them how to follow it).
    AlreadyAccepted,
    /// 对答复不服重复举报 — dissatisfied with a reply and re-reporting the same facts (point to 复查/复核).
    DissatisfiedWithReply,
    /// 复核后同一事实和理由不再受理 — the same facts after re-review.
    AfterReReview,
}

impl RejectionReason {
    pub const ALL: [RejectionReason; 6] = [
        RejectionReason::OutsideRemit,
        RejectionReason::InsufficientDetail,
        RejectionReason::OtherProcedure,
        RejectionReason::AlreadyAccepted,
        RejectionReason::DissatisfiedWithReply,
        RejectionReason::AfterReReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectionReason::OutsideRemit => "outside_remit",
            RejectionReason::InsufficientDetail => "insufficient_detail",
            RejectionReason::OtherProcedure => "other_procedure",
            RejectionReason::AlreadyAccepted => "already_accepted",
            RejectionReason::DissatisfiedWithReply => "dissatisfied_with_reply",
            RejectionReason::AfterReReview => "after_re_review",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            RejectionReason::OutsideRemit => "不属于生态环境部门职责范围",
            RejectionReason::InsufficientDetail => "举报线索不详",
            RejectionReason::OtherProcedure => "应通过诉讼、仲裁、行政复议等法定途径解决",
            RejectionReason::AlreadyAccepted => "已受理或正在办理，请通过原件查询办理进展",
            RejectionReason::DissatisfiedWithReply => "对处理意见不服，请依法申请复查或复核",
            RejectionReason::AfterReReview => "已经复核，同一事实和理由不再受理",
        }
    }

    /// The short label bulletins and statistics name the reason by (the reporter is told
    /// [`RejectionReason::zh`]).
    pub fn zh_short(self) -> &'static str {
        match self {
            RejectionReason::OutsideRemit => "不属于生态环境部门职责范围",
            RejectionReason::InsufficientDetail => "举报线索不详",
            RejectionReason::OtherProcedure => "应通过其他法定途径解决",
            RejectionReason::AlreadyAccepted => "重复举报（已受理）",
            RejectionReason::DissatisfiedWithReply => "对处理意见不服重复举报",
            RejectionReason::AfterReReview => "复核后不再受理",
        }
    }
}

/// An enforcement action taken as a result of the investigation (查处措施).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EnforcementAction {
    /// 责令整改 — ordered to rectify.
    OrderedToRectify,
    /// 罚款 — fined, with the amount in yuan.
    Fine { amount_yuan: u64 },
    /// 查封扣押 — sealed up or seized.
    SealedOrSeized,
    /// 责令停产整治 — ordered to stop production.
    ProductionHalted,
    /// 移送公安 — referred to the police.
    ReferredToPolice,
    /// 移送其他部门 — referred to another authority.
    ReferredToOtherAuthority,
    /// 其他 — anything else, described.
    Other { description: String },
}

impl EnforcementAction {
    pub fn zh(&self) -> String {
        match self {
            EnforcementAction::OrderedToRectify => "责令整改".to_owned(),
            EnforcementAction::Fine { amount_yuan } => format!("罚款{amount_yuan}元"),
            EnforcementAction::SealedOrSeized => "查封扣押".to_owned(),
            EnforcementAction::ProductionHalted => "责令停产整治".to_owned(),
            EnforcementAction::ReferredToPolice => "移送公安机关".to_owned(),
            EnforcementAction::ReferredToOtherAuthority => "移送其他部门".to_owned(),
            EnforcementAction::Other { description } => description.clone(),
        }
    }
}
