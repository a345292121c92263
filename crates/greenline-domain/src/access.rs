//! Roles and jurisdiction: who may see and do what.
//!
//! Staff belong to a unit, and a unit to a region. A staff member sees the cases whose place
//! lies in their unit's region, and acts on those currently held by a unit in that region (their
//! own or one below). Routing (转办) only moves a case down.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Action, RegionCode};

/// What a staff member does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 话务员/登记员 — takes calls and letters, registers cases.
    Operator,
    /// 承办人 — accepts, investigates, concludes, replies.
    Handler,
    /// 审核/督办 — everything a handler does, plus routing and approving extensions.
    Supervisor,
    /// 分析员 — reads cases and figures, never reporters' identities.
    Analyst,
    /// 系统管理员 — manages units and accounts.
    Admin,
    /// 审计员 — reads the audit trail; nothing else. Kept apart from the administrator, as
    /// level-3 protection (等级保护) separates the duties of administration and audit.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Operator,
        Role::Handler,
        Role::Supervisor,
        Role::Analyst,
        Role::Admin,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Handler => "handler",
            Role::Supervisor => "supervisor",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role may take `action` on a case. Approving or returning a draft (审核) is
    /// a supervisor's, as is an extension; reopening is no one's step (a callback reopens).
    pub fn may_take(self, action: Action) -> bool {
        match self {
            _ if action == Action::Reopen => false,
            Role::Handler => !matches!(
                action,
                Action::Extend | Action::Approve | Action::ReturnDraft
            ),
            Role::Supervisor => true,
            Role::Operator | Role::Analyst | Role::Admin | Role::Auditor => false,
        }
    }

    /// Whether this role keys in cases from staffed channels (phone, letter, visit, …).
    pub fn may_register(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }

    /// Whether this role confirms or corrects a case's types (分类审核).
    pub fn may_review_types(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }

    /// Whether this role merges repeat reports of one source (重复件归并).
    pub fn may_merge(self) -> bool {
        matches!(self, Role::Handler | Role::Supervisor)
    }

    /// Whether this role's work needs the reporter's name and phone.
    pub fn may_read_reporter(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }

    pub fn may_manage_accounts(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Whether this role keeps the EIA participation of its unit's projects: schedules their
    /// notices, groups the public's comments and answers them (环评公众参与).
    pub fn may_manage_eia(self) -> bool {
        matches!(self, Role::Handler | Role::Supervisor)
    }

    /// Whether this role urges and supervises cases (催办, 督办).
    pub fn may_oversee(self) -> bool {
        matches!(self, Role::Supervisor)
    }

    /// Whether this role records callbacks (回访): the reporter's satisfaction with a reply.
    pub fn may_call_back(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }

    /// Whether this role reads cases and the figures made of them: every role but the
    /// auditor's, whose duty is the audit trail alone.
    pub fn may_read_cases(self) -> bool {
        !matches!(self, Role::Auditor)
    }

    /// Whether the console offers this role the dashboard (数据分析) among its first links:
    /// analysts, and supervisors, whose accounts leaders also hold. Every role that reads
    /// cases may open it, as it may ask the statistics API the same questions.
    pub fn leads_with_figures(self) -> bool {
        matches!(self, Role::Analyst | Role::Supervisor)
    }

    /// Whether this role writes and changes plain answers (通俗解说): those who answer the
    /// public's questions every day.
    pub fn may_write_answers(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }

    /// Whether this role reviews plain answers: publishes, returns or withdraws them.
    pub fn may_review_answers(self) -> bool {
        matches!(self, Role::Supervisor)
    }

    /// Whether this role reads the audit trail (安全审计).
    pub fn may_read_audit(self) -> bool {
        matches!(self, Role::Auditor)
    }

    /// The role's name in the interface.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Operator => "话务登记员",
            Role::Handler => "承办人",
            Role::Supervisor => "审核督办",
            Role::Analyst => "分析员",
            Role::Admin => "系统管理员",
            Role::Auditor => "审计员",
        }
    }
}

/// A staff member's roles and the region of their unit: what the access rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffScope {
    pub region: RegionCode,
    pub roles: Vec<Role>,
}

impl StaffScope {
    fn any(&self, test: impl Fn(Role) -> bool) -> bool {
        self.roles.iter().copied().any(test)
    }

    /// Sees a case filed in `case_region` (and the figures of that region).
    pub fn can_see(&self, case_region: RegionCode) -> bool {
        case_region.is_within(self.region) && self.any(Role::may_read_cases)
    }

    /// Acts on a case currently held by a unit in `holding_region`.
    pub fn can_act_on(&self, holding_region: RegionCode, action: Action) -> bool {
        holding_region.is_within(self.region) && self.any(|r| r.may_take(action))
    }

    /// Takes some step on cases (a work queue is theirs): handlers and supervisors.
    pub fn takes_steps(&self) -> bool {
        self.any(|r| Action::ALL.into_iter().any(|a| r.may_take(a)))
    }

    /// Reads the reporter's identity of a case held in `holding_region`: only staff of the
    /// holding unit's chain (that unit's region or above it) whose role needs it.
    pub fn can_read_reporter(&self, holding_region: RegionCode) -> bool {
        holding_region.is_within(self.region) && self.any(Role::may_read_reporter)
    }

    /// Reviews the types of a case held in `holding_region`.
    pub fn can_review_types(&self, holding_region: RegionCode) -> bool {
        holding_region.is_within(self.region) && self.any(Role::may_review_types)
    }

    /// Merges a case held in `holding_region` into another group.
    pub fn can_merge(&self, holding_region: RegionCode) -> bool {
        holding_region.is_within(self.region) && self.any(Role::may_merge)
    }

    /// Urges or supervises a case held in `holding_region` (its unit or one below).
    pub fn can_oversee(&self, holding_region: RegionCode) -> bool {
        holding_region.is_within(self.region) && self.any(Role::may_oversee)
    }

    /// Records a callback on a case filed in `case_region` (the hotline calls back whoever
    /// reported in its jurisdiction, whichever unit replied).
    pub fn can_call_back(&self, case_region: RegionCode) -> bool {
        self.can_see(case_region) && self.any(Role::may_call_back)
    }

    /// Keeps the EIA participation of a project reviewed by a unit in `unit_region`.
    pub fn can_manage_eia(&self, unit_region: RegionCode) -> bool {
        unit_region.is_within(self.region) && self.any(Role::may_manage_eia)
    }

    pub fn can_register(&self) -> bool {
        self.any(Role::may_register)
    }

    pub fn can_manage_accounts(&self) -> bool {
        self.any(Role::may_manage_accounts)
    }

    pub fn can_write_answers(&self) -> bool {
        self.any(Role::may_write_answers)
    }

    pub fn can_review_answers(&self) -> bool {
        self.any(Role::may_review_answers)
    }

    pub fn can_read_audit(&self) -> bool {
        self.any(Role::may_read_audit)
    }

    /// Whether the console links the dashboard in its navigation.
    pub fn leads_with_figures(&self) -> bool {
        self.any(Role::leads_with_figures)
    }
}

/// Checks a routing (转办): the target unit must lie strictly below the unit holding the case, and
/// the case's place must lie inside the target's region (or the target could not see it).
pub fn check_assignment(
    holding_region: RegionCode,
    target_region: RegionCode,
    case_region: RegionCode,
) -> Result<(), String> {
    if target_region == holding_region || !target_region.is_within(holding_region) {
        return Err(format!(
            "a case held at {} can only be routed to a unit below it; {} is not",
            holding_region.full_name(),
            target_region.full_name()
        ));
    }
    if !case_region.is_within(target_region) {
        return Err(format!(
            "the case is in {}, outside the target unit's region {}",
            case_region.full_name(),
            target_region.full_name()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).expect("region")
    }

    fn staff(region: &str, roles: &[Role]) -> StaffScope {
        StaffScope {
            region: code(region),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_county_handler_cannot_see_a_neighbouring_countys_case() {
        let nanshan = staff("440305", &[Role::Handler]);
        assert!(nanshan.can_see(code("440305")));
        assert!(!nanshan.can_see(code("440304")));
        assert!(staff("440300", &[Role::Analyst]).can_see(code("440304")));
    }

    #[test]
    fn a_county_cannot_act_on_a_case_still_held_above_it() {
        let nanshan = staff("440305", &[Role::Handler]);
        assert!(!nanshan.can_act_on(code("440000"), Action::Accept));
        assert!(nanshan.can_act_on(code("440305"), Action::Accept));
        assert!(staff("440000", &[Role::Supervisor]).can_act_on(code("440305"), Action::Extend));
    }

    #[test]
    fn only_supervisors_approve_extensions_and_analysts_do_nothing() {
        assert!(!staff("440305", &[Role::Handler]).can_act_on(code("440305"), Action::Extend));
        assert!(!staff("440305", &[Role::Analyst]).can_act_on(code("440305"), Action::Accept));
        assert!(!staff("440305", &[Role::Analyst]).can_read_reporter(code("440305")));
        assert!(staff("440300", &[Role::Handler]).can_read_reporter(code("440305")));
        assert!(!staff("440304", &[Role::Handler]).can_read_reporter(code("440305")));
    }

    #[test]
    fn only_supervisors_of_the_chain_approve_or_return_a_draft_and_no_one_reopens_by_hand() {
        let handler = staff("440305", &[Role::Handler]);
        let lead = staff("440305", &[Role::Handler, Role::Supervisor]);
        let city = staff("440300", &[Role::Supervisor]);
        let neighbour = staff("440304", &[Role::Supervisor]);
        for action in [Action::Approve, Action::ReturnDraft] {
            assert!(!handler.can_act_on(code("440305"), action));
            assert!(lead.can_act_on(code("440305"), action));
            assert!(city.can_act_on(code("440305"), action));
            assert!(!neighbour.can_act_on(code("440305"), action));
        }
        assert!(handler.can_act_on(code("440305"), Action::Submit));
        assert!(!lead.can_act_on(code("440305"), Action::Reopen));
        assert!(staff("440305", &[Role::Operator]).can_call_back(code("440305")));
        assert!(!staff("440305", &[Role::Analyst]).can_call_back(code("440305")));
        assert!(!handler.can_call_back(code("440304")));
    }

    #[test]
    fn routing_only_goes_down_and_towards_the_place() {
        assert!(check_assignment(code("440000"), code("440300"), code("440305")).is_ok());
        assert!(check_assignment(code("440300"), code("440000"), code("440305")).is_err());
        assert!(check_assignment(code("440300"), code("440300"), code("440305")).is_err());
        assert!(check_assignment(code("440000"), code("440100"), code("440305")).is_err());
    }
}
