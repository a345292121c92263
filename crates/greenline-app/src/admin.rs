//! A jurisdiction's administration (administrators only): its units, the dispatch rules that
//! route new public reports down the chain (自动分派), reply templates, and the deadline table.
//!
//! An administrator manages what lies in their unit's region: the units there, the rules owned
//! by those units (a city's administrator cannot write another city's rules), the templates of
//! regions inside it, and the deadline overrides of those regions. Every change is recorded in
//! the audit trail in the same transaction as the change.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::dispatch::{check_rule, dispatch_chain};
use greenline_domain::{
    Case, CaseKind, DispatchRule, DispatchUnit, LimitsOverride, PollutionType, RegionCode,
    RegionLevel, TimeLimits, statutory_limits,
};
use greenline_store::{RuleRecord, StoredRule, StoredTemplate, TemplateRecord, Unit, UnitEntry};
use greenline_text::pii::{Identity, mask};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{AuditAction, AuditOutcome};
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// How the event log names the automatic routings' actor (the history shows 自动分派).
pub use greenline_store::DISPATCH_ACTOR;

/// The longest reply template title and body, in characters.
pub const MAX_TITLE_CHARS: usize = 40;
pub const MAX_BODY_CHARS: usize = 2000;
/// The longest note of a dispatch rule.
pub const MAX_NOTE_CHARS: usize = 100;

/// The placeholders a template may use, and what each becomes.
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("{tracking_no}", "the case's tracking number"),
    ("{type}", "its primary pollution type"),
    ("{date}", "today's date"),
    ("{received_date}", "the day it was received"),
    ("{region}", "its place"),
    ("{unit}", "the unit holding it"),
];

/// A unit as the administration lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitAdminView {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    /// 全国, 省份, 地市, 区县.
    pub level: String,
    /// The nearest unit above it (by region), if any.
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub disabled: bool,
    /// Its conclusions and replies need a supervisor's approval (审核) before they take effect.
    pub approval: bool,
}

/// A dispatch rule as the administration and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: i64,
    pub owner_unit_id: i64,
    pub owner_unit: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    /// A pollution type code; absent: any type.
    pub pollution_type: Option<String>,
    pub target_unit_id: i64,
    pub target_unit: String,
    pub note: String,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// A dispatch rule to add or to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RuleForm {
    /// The unit whose cases the rule routes; the caller's own unit if absent.
    pub owner_unit_id: Option<i64>,
    /// A region code (six digits): cases whose place lies in it.
    pub region: String,
    /// A pollution type code, or empty for any type.
    #[serde(default)]
    pub pollution_type: Option<String>,
    pub target_unit_id: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// One step of where a report would go.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DispatchStepView {
    pub rule_id: i64,
    pub from_unit_id: i64,
    pub from_unit: String,
    pub to_unit_id: i64,
    pub to_unit: String,
}

/// Where a public report about a region (and type) would land, and by which rules.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DispatchTrial {
    pub received_by_id: i64,
    pub received_by: String,
    pub steps: Vec<DispatchStepView>,
    pub lands_at_id: i64,
    pub lands_at: String,
}

/// A reply template as the administration and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub pollution_type: Option<String>,
    pub title: String,
    pub body: String,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// A reply template to add or to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TemplateForm {
    /// The region whose cases it serves; the caller's jurisdiction if absent.
    #[serde(default)]
    pub region: Option<String>,
    /// A pollution type code, or empty for any type.
    #[serde(default)]
    pub pollution_type: Option<String>,
    pub title: String,
    pub body: String,
}

/// A template filled for one case: the text a reply starts from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilledTemplate {
    pub id: i64,
    pub title: String,
    pub text: String,
}

/// One row of the deadline table: a kind of case in a region, with the limits in force there
/// and where each override comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineRow {
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    #[schema(value_type = String)]
    pub kind: CaseKind,
    /// The limits in force for a case of this kind placed here.
    pub limits: TimeLimits,
    /// The statutory maxima of the kind (0: the kind has no such limit).
    pub maxima: TimeLimits,
    /// The override stored here by an administrator, if any.
    #[schema(value_type = Option<Object>)]
    pub stored: Option<LimitsOverride>,
    /// The configuration file's override here, if any.
    #[schema(value_type = Option<Object>)]
    pub configured: Option<LimitsOverride>,
}

fn level_zh(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::National => "全国",
        RegionLevel::Province => "省级",
        RegionLevel::Prefecture => "地市级",
        RegionLevel::County => "区县级",
    }
}

/// The nearest unit above `unit` by region (the unit of its parent region, or of the next one
/// up that has one).
fn parent_of<'a>(unit: &Unit, units: &'a [UnitEntry]) -> Option<&'a Unit> {
    let mut region = unit.region.parent();
    while let Some(area) = region {
        if let Some(found) = units.iter().find(|u| u.unit.region == area) {
            return Some(&found.unit);
        }
        region = area.parent();
    }
    None
}

fn dispatch_units(units: &[UnitEntry]) -> Vec<DispatchUnit> {
    units
        .iter()
        .map(|u| DispatchUnit {
            id: u.unit.id,
            region: u.unit.region,
            enabled: u.disabled_at.is_none(),
        })
        .collect()
}

fn dispatch_rules(rules: &[StoredRule]) -> Vec<DispatchRule> {
    rules
        .iter()
        .map(|r| DispatchRule {
            id: r.id,
            owner_unit_id: r.owner_unit_id,
            region: r.region,
            pollution_type: r.pollution_type,
            target_unit_id: r.target_unit_id,
            enabled: r.disabled_at.is_none(),
        })
        .collect()
}

fn names(units: &[UnitEntry]) -> HashMap<i64, String> {
    units
        .iter()
        .map(|u| (u.unit.id, u.unit.name.clone()))
        .collect()
}

fn rule_view(rule: StoredRule, names: &HashMap<i64, String>) -> RuleView {
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    RuleView {
        id: rule.id,
        owner_unit: name(rule.owner_unit_id),
        owner_unit_id: rule.owner_unit_id,
        region_name: rule.region.full_name(),
        region: rule.region,
        pollution_type: rule.pollution_type.map(|t| t.code().to_owned()),
        target_unit: name(rule.target_unit_id),
        target_unit_id: rule.target_unit_id,
        note: rule.note,
        enabled: rule.disabled_at.is_none(),
        updated_at: rule.updated_at,
    }
}

fn template_view(template: StoredTemplate) -> TemplateView {
    TemplateView {
        id: template.id,
        region_name: template.region.full_name(),
        region: template.region,
        pollution_type: template.pollution_type.map(|t| t.code().to_owned()),
        title: template.title,
        body: template.body,
        enabled: template.disabled_at.is_none(),
        updated_at: template.updated_at,
    }
}

/// An optional pollution type as a form gives it: empty means any.
fn parse_type(field: &str, code: Option<&str>) -> ServiceResult<Option<PollutionType>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => PollutionType::parse(code)
            .map(Some)
            .map_err(|_| ServiceError::field(field, "unknown pollution type")),
    }
}

fn parse_region(field: &str, code: &str) -> ServiceResult<RegionCode> {
    RegionCode::parse(code.trim())
        .map_err(|_| ServiceError::field(field, "a six-digit region code"))
}

/// How a rule is named in a case's history: `规则 3：广东省深圳市南山区（噪声）→ 南山局`.
pub fn rule_label(rule: &DispatchRule, target: &str) -> String {
    let kind = rule
        .pollution_type
        .map(|t| format!("（{}）", t.zh()))
        .unwrap_or_default();
    format!(
        "自动分派规则 {}：{}{kind} → {target}",
        rule.id,
        rule.region.full_name()
    )
}

/// `template` filled for `case` held by `unit`, on `today`.
pub fn fill_template(template: &str, case: &Case, unit: &str, today: chrono::NaiveDate) -> String {
    template
        .replace("{tracking_no}", &case.tracking_no().to_string())
        .replace("{type}", case.primary_type.zh())
        .replace("{date}", &today.format("%Y年%m月%d日").to_string())
        .replace(
            "{received_date}",
            &local_date(case.received_at)
                .format("%Y年%m月%d日")
                .to_string(),
        )
        .replace("{region}", &case.region.full_name())
        .replace("{unit}", unit)
}

impl App {
    /// The caller, if an administrator.
    fn administrator(caller: &Caller) -> ServiceResult<()> {
        if caller.scope().can_manage_accounts() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only administrators manage units, rules, templates and deadlines".to_owned(),
            ))
        }
    }

    /// Whether `region` lies in the administrator's jurisdiction.
    fn administers(caller: &Caller, region: RegionCode) -> bool {
        region.is_within(caller.unit.region)
    }

    /// Reloads the stored deadline overrides into the table in force: every deadline started
    /// afterwards follows them. Saving an override does this at once on its node; a started
    /// node also does it every minute, for changes made on other nodes.
    pub async fn reload_deadline_overrides(&self) -> ServiceResult<()> {
        let stored = self.store.deadline_overrides().await?;
        self.deadlines.replace_stored(stored);
        Ok(())
    }

    /// The units of the administrator's jurisdiction, with level, parent and state.
    pub async fn admin_units(&self, caller: &Caller) -> ServiceResult<Vec<UnitAdminView>> {
        Self::administrator(caller)?;
        let entries = self.store.unit_entries().await?;
        let approving = self.store.units_needing_approval().await?;
        let mut views: Vec<UnitAdminView> = entries
            .iter()
            .filter(|e| Self::administers(caller, e.unit.region))
            .map(|e| {
                let parent = parent_of(&e.unit, &entries);
                UnitAdminView {
                    id: e.unit.id,
                    name: e.unit.name.clone(),
                    region: e.unit.region,
                    region_name: e.unit.region.full_name(),
                    level: level_zh(e.unit.region.level()).to_owned(),
                    parent_id: parent.map(|p| p.id),
                    parent_name: parent.map(|p| p.name.clone()),
                    disabled: e.disabled_at.is_some(),
                    approval: approving.contains(&e.unit.id),
                }
            })
            .collect();
        views.sort_by_key(|v| (v.region.level(), v.region, v.id));
        Ok(views)
    }

    /// Creates a unit for a region of the administrator's jurisdiction; recorded.
    pub async fn create_unit(
        &self,
        caller: &Caller,
        name: &str,
        region: &str,
    ) -> ServiceResult<Unit> {
        Self::administrator(caller)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(ServiceError::field("name", "1 to 60 characters"));
        }
        let region = parse_region("region", region)?;
        if !Self::administers(caller, region) {
            return Err(ServiceError::field(
                "region",
                format!("{} is outside your jurisdiction", region.full_name()),
            ));
        }
        let entry = self.audit_entry(
            caller,
            AuditAction::AddUnit,
            name,
            AuditOutcome::Ok,
            json!({ "region": region.to_string() }),
        );
        match self.store.add_unit(name, region, self.now(), &entry).await {
            Err(greenline_store::StoreError::Duplicate(_)) => Err(ServiceError::field(
                "name",
                "a unit of this name exists already",
            )),
            other => Ok(other?),
        }
    }

    /// Disables a unit of the jurisdiction (it takes no new cases, and no routing or rule may
    /// name it) or enables it again; recorded. An administrator cannot disable their own unit.
    pub async fn set_unit_disabled(
        &self,
        caller: &Caller,
        id: i64,
        disabled: bool,
    ) -> ServiceResult<()> {
        Self::administrator(caller)?;
        let unit = self.store.unit(id).await?;
        if !Self::administers(caller, unit.region) {
            return Err(ServiceError::NotFound("unit"));
        }
        if disabled && unit.id == caller.unit.id {
            return Err(ServiceError::conflict("you cannot disable your own unit"));
        }
        let action = if disabled {
            AuditAction::DisableUnit
        } else {
            AuditAction::EnableUnit
        };
        let entry = self.audit_entry(caller, action, &unit.name, AuditOutcome::Ok, json!({}));
        self.store
            .set_unit_disabled(id, disabled, self.now(), &entry)
            .await?;
        Ok(())
    }

    /// The dispatch rules owned by units of the administrator's jurisdiction.
    pub async fn rules(&self, caller: &Caller) -> ServiceResult<Vec<RuleView>> {
        Self::administrator(caller)?;
        let units = self.store.unit_entries().await?;
        let names = names(&units);
        let region_of: HashMap<i64, RegionCode> =
            units.iter().map(|u| (u.unit.id, u.unit.region)).collect();
        let mut rules: Vec<RuleView> = self
            .store
            .dispatch_rules()
            .await?
            .into_iter()
            .filter(|r| {
                region_of
                    .get(&r.owner_unit_id)
                    .is_some_and(|region| Self::administers(caller, *region))
            })
            .map(|r| rule_view(r, &names))
            .collect();
        rules.sort_by_key(|r| (r.owner_unit_id, r.region, r.id));
        Ok(rules)
    }

    /// A rule of the jurisdiction, or "not found".
    async fn managed_rule(&self, caller: &Caller, id: i64) -> ServiceResult<StoredRule> {
        Self::administrator(caller)?;
        let rule = self.store.dispatch_rule(id).await?;
        let owner = self.store.unit(rule.owner_unit_id).await?;
        if !Self::administers(caller, owner.region) {
            return Err(ServiceError::NotFound("dispatch rule"));
        }
        Ok(rule)
    }

    /// Checks a rule form: its owner in the jurisdiction, its target an enabled unit strictly
    /// below the owner whose region holds the rule's region.
    async fn checked_rule(&self, caller: &Caller, form: &RuleForm) -> ServiceResult<RuleRecord> {
        self.checked_rule_within(caller.unit.region, Some(caller.unit.id), form)
            .await
    }

    /// [`App::checked_rule`] for a jurisdiction `within`, the owner defaulting to
    /// `default_owner`.
    async fn checked_rule_within(
        &self,
        within: RegionCode,
        default_owner: Option<i64>,
        form: &RuleForm,
    ) -> ServiceResult<RuleRecord> {
        let region = parse_region("region", &form.region)?;
        let pollution_type = parse_type("pollution_type", form.pollution_type.as_deref())?;
        let note = form.note.as_deref().unwrap_or("").trim().to_owned();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ServiceError::field(
                "note",
                format!("at most {MAX_NOTE_CHARS} characters"),
            ));
        }
        let units = self.store.unit_entries().await?;
        let owner_id = form
            .owner_unit_id
            .or(default_owner)
            .ok_or_else(|| ServiceError::field("owner_unit_id", "name the unit"))?;
        let owner = units
            .iter()
            .find(|u| u.unit.id == owner_id)
            .filter(|u| u.unit.region.is_within(within))
            .ok_or_else(|| {
                ServiceError::field("owner_unit_id", "no such unit in your jurisdiction")
            })?;
        let all = dispatch_units(&units);
        let owner_unit = all
            .iter()
            .find(|u| u.id == owner.unit.id)
            .copied()
            .ok_or(ServiceError::NotFound("unit"))?;
        let target = all.iter().find(|u| u.id == form.target_unit_id);
        check_rule(&owner_unit, target, region)
            .map_err(|problem| ServiceError::field(problem.field, problem.message))?;
        Ok(RuleRecord {
            owner_unit_id: owner.unit.id,
            region,
            pollution_type,
            target_unit_id: form.target_unit_id,
            note,
        })
    }

    /// Adds a dispatch rule; recorded.
    pub async fn add_rule(&self, caller: &Caller, form: &RuleForm) -> ServiceResult<RuleView> {
        Self::administrator(caller)?;
        let record = self.checked_rule(caller, form).await?;
        let entry = self.audit_entry(
            caller,
            AuditAction::AddDispatchRule,
            "dispatch rule",
            AuditOutcome::Ok,
            rule_detail(&record),
        );
        let stored = self
            .store
            .add_dispatch_rule(&record, self.now(), &entry)
            .await?;
        let names = names(&self.store.unit_entries().await?);
        Ok(rule_view(stored, &names))
    }

    /// Changes a dispatch rule of the jurisdiction; recorded.
    pub async fn update_rule(
        &self,
        caller: &Caller,
        id: i64,
        form: &RuleForm,
    ) -> ServiceResult<RuleView> {
        let rule = self.managed_rule(caller, id).await?;
        // A change that names no owner keeps the rule's own.
        let record = self
            .checked_rule_within(caller.unit.region, Some(rule.owner_unit_id), form)
            .await?;
        let entry = self.audit_entry(
            caller,
            AuditAction::ChangeDispatchRule,
            format!("dispatch rule {id}"),
            AuditOutcome::Ok,
            rule_detail(&record),
        );
        let stored = self
            .store
            .update_dispatch_rule(id, &record, self.now(), &entry)
            .await?;
        let names = names(&self.store.unit_entries().await?);
        Ok(rule_view(stored, &names))
    }

    /// Disables a dispatch rule (it routes nothing more) or enables it again; recorded. A rule
    /// is enabled again only if it is still valid (its target not disabled meanwhile).
    pub async fn set_rule_disabled(
        &self,
        caller: &Caller,
        id: i64,
        disabled: bool,
    ) -> ServiceResult<()> {
        let rule = self.managed_rule(caller, id).await?;
        if !disabled {
            self.checked_rule(
                caller,
                &RuleForm {
                    owner_unit_id: Some(rule.owner_unit_id),
                    region: rule.region.to_string(),
                    pollution_type: rule.pollution_type.map(|t| t.code().to_owned()),
                    target_unit_id: rule.target_unit_id,
                    note: Some(rule.note.clone()),
                },
            )
            .await?;
        }
        let action = if disabled {
            AuditAction::DisableDispatchRule
        } else {
            AuditAction::EnableDispatchRule
        };
        let entry = self.audit_entry(
            caller,
            action,
            format!("dispatch rule {id}"),
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .set_dispatch_rule_disabled(id, disabled, self.now(), &entry)
            .await?;
        Ok(())
    }

    /// The automatic routings of a new public case received by `received_by`: the rules of each
    /// holder in turn (see [`greenline_domain::dispatch`]), with how the history names each.
    pub(crate) async fn dispatch_steps(
        &self,
        received_by: i64,
        region: RegionCode,
        primary_type: PollutionType,
    ) -> ServiceResult<Vec<(greenline_domain::DispatchStep, String)>> {
        let stored = self.store.dispatch_rules().await?;
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let units = self.store.unit_entries().await?;
        let rules = dispatch_rules(&stored);
        let names = names(&units);
        let steps = dispatch_chain(
            &rules,
            &dispatch_units(&units),
            received_by,
            region,
            primary_type,
        );
        Ok(steps
            .into_iter()
            .map(|step| {
                let target = names.get(&step.to_unit_id).cloned().unwrap_or_default();
                let label = rules
                    .iter()
                    .find(|r| r.id == step.rule_id)
                    .map(|r| rule_label(r, &target))
                    .unwrap_or_default();
                (step, label)
            })
            .collect())
    }

    /// Where a public report about `region` (of `pollution_type`) would land today, and by
    /// which rules: the dry run of the rules page. Changes nothing.
    pub async fn try_dispatch(
        &self,
        caller: &Caller,
        region: &str,
        pollution_type: Option<&str>,
    ) -> ServiceResult<DispatchTrial> {
        Self::administrator(caller)?;
        let region = parse_region("region", region)?;
        if !Self::administers(caller, region) {
            return Err(ServiceError::field(
                "region",
                format!("{} is outside your jurisdiction", region.full_name()),
            ));
        }
        self.trial(region, pollution_type).await
    }

    async fn trial(
        &self,
        region: RegionCode,
        pollution_type: Option<&str>,
    ) -> ServiceResult<DispatchTrial> {
        let primary_type = parse_type("pollution_type", pollution_type)?
            .or_else(|| PollutionType::all().next())
            .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("no pollution types")))?;
        let units = self.store.unit_entries().await?;
        let receiving = crate::cases::intake::receiving_unit(&units, region).ok_or_else(|| {
            ServiceError::field("region", "no office is set up to receive cases there")
        })?;
        let names = names(&units);
        let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
        let steps = self
            .dispatch_steps(receiving.id, region, primary_type)
            .await?;
        let lands_at_id = steps.last().map_or(receiving.id, |(s, _)| s.to_unit_id);
        Ok(DispatchTrial {
            received_by_id: receiving.id,
            received_by: receiving.name.clone(),
            steps: steps
                .into_iter()
                .map(|(s, _)| DispatchStepView {
                    rule_id: s.rule_id,
                    from_unit: name(s.from_unit_id),
                    from_unit_id: s.from_unit_id,
                    to_unit: name(s.to_unit_id),
                    to_unit_id: s.to_unit_id,
                })
                .collect(),
            lands_at: name(lands_at_id),
            lands_at_id,
        })
    }

    /// The reply templates of regions in the administrator's jurisdiction.
    pub async fn templates(&self, caller: &Caller) -> ServiceResult<Vec<TemplateView>> {
        Self::administrator(caller)?;
        Ok(self
            .store
            .reply_templates()
            .await?
            .into_iter()
            .filter(|t| Self::administers(caller, t.region))
            .map(template_view)
            .collect())
    }

    async fn managed_template(&self, caller: &Caller, id: i64) -> ServiceResult<StoredTemplate> {
        Self::administrator(caller)?;
        let template = self.store.reply_template(id).await?;
        if !Self::administers(caller, template.region) {
            return Err(ServiceError::NotFound("reply template"));
        }
        Ok(template)
    }

    /// Checks a template form: a region in the jurisdiction, a known type, a title and a body
    /// within their lengths, and no name or phone number in either: a template is for every
    /// case, never one reporter's.
    fn checked_template(caller: &Caller, form: &TemplateForm) -> ServiceResult<TemplateRecord> {
        let region = match form
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(code) => parse_region("region", code)?,
            None => caller.unit.region,
        };
        if !Self::administers(caller, region) {
            return Err(ServiceError::field(
                "region",
                format!("{} is outside your jurisdiction", region.full_name()),
            ));
        }
        let pollution_type = parse_type("pollution_type", form.pollution_type.as_deref())?;
        let title = form.title.trim().to_owned();
        let body = form.body.trim().to_owned();
        let mut errors = Vec::new();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            errors.push(greenline_domain::FieldError::new(
                "title",
                format!("1 to {MAX_TITLE_CHARS} characters"),
            ));
        }
        if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
            errors.push(greenline_domain::FieldError::new(
                "body",
                format!("1 to {MAX_BODY_CHARS} characters"),
            ));
        }
        for (field, text) in [("title", &title), ("body", &body)] {
            if let Err(e) = greenline_domain::check_text(field, text, MAX_BODY_CHARS) {
                errors.push(e);
            } else if mask(text, &Identity::default()) != text.as_str() {
                errors.push(greenline_domain::FieldError::new(
                    field,
                    "a template must not carry a name or phone number",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        Ok(TemplateRecord {
            region,
            pollution_type,
            title,
            body,
        })
    }

    /// Adds a reply template; recorded.
    pub async fn add_template(
        &self,
        caller: &Caller,
        form: &TemplateForm,
    ) -> ServiceResult<TemplateView> {
        Self::administrator(caller)?;
        let record = Self::checked_template(caller, form)?;
        let entry = self.audit_entry(
            caller,
            AuditAction::AddReplyTemplate,
            "reply template",
            AuditOutcome::Ok,
            template_detail(&record),
        );
        let stored = self
            .store
            .add_reply_template(&record, self.now(), &entry)
            .await?;
        Ok(template_view(stored))
    }

    /// Changes a reply template of the jurisdiction; recorded.
    pub async fn update_template(
        &self,
        caller: &Caller,
        id: i64,
        form: &TemplateForm,
    ) -> ServiceResult<TemplateView> {
        self.managed_template(caller, id).await?;
        let record = Self::checked_template(caller, form)?;
        let entry = self.audit_entry(
            caller,
            AuditAction::ChangeReplyTemplate,
            format!("reply template {id}"),
            AuditOutcome::Ok,
            template_detail(&record),
        );
        let stored = self
            .store
            .update_reply_template(id, &record, self.now(), &entry)
            .await?;
        Ok(template_view(stored))
    }

    /// Disables a reply template (no longer offered) or enables it again; recorded.
    pub async fn set_template_disabled(
        &self,
        caller: &Caller,
        id: i64,
        disabled: bool,
    ) -> ServiceResult<()> {
        self.managed_template(caller, id).await?;
        let action = if disabled {
            AuditAction::DisableReplyTemplate
        } else {
            AuditAction::EnableReplyTemplate
        };
        let entry = self.audit_entry(
            caller,
            action,
            format!("reply template {id}"),
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .set_reply_template_disabled(id, disabled, self.now(), &entry)
            .await?;
        Ok(())
    }

    /// The reply templates for case `id`, filled for it: the enabled templates whose region
    /// holds the case's place and whose type is the case's primary type (or any type), the
    /// narrowest region and the type-specific first. For staff who may reply to the case.
    pub async fn templates_for_case(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<Vec<FilledTemplate>> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        if !caller
            .scope()
            .can_act_on(holder.region, greenline_domain::Action::Reply)
        {
            return Ok(Vec::new());
        }
        let today = local_date(self.now());
        let mut templates: Vec<StoredTemplate> = self
            .store
            .reply_templates()
            .await?
            .into_iter()
            .filter(|t| t.disabled_at.is_none())
            .filter(|t| case.region.is_within(t.region))
            .filter(|t| t.pollution_type.is_none_or(|p| p == case.primary_type))
            .collect();
        templates.sort_by_key(|t| {
            (
                std::cmp::Reverse(t.region.ancestry().count()),
                t.pollution_type.is_none(),
                t.id,
            )
        });
        Ok(templates
            .into_iter()
            .map(|t| FilledTemplate {
                id: t.id,
                title: t.title,
                text: fill_template(&t.body, &case, &holder.name, today),
            })
            .collect())
    }

    /// The deadline table of the administrator's jurisdiction: for each kind, the limits in
    /// force at their own region and at every region with an override inside it.
    pub async fn deadline_rows(&self, caller: &Caller) -> ServiceResult<Vec<DeadlineRow>> {
        Self::administrator(caller)?;
        self.reload_deadline_overrides().await?;
        let stored = self.deadlines.stored();
        let configured = self.deadlines.configured();
        let mut regions = vec![caller.unit.region];
        for o in configured.iter().chain(stored.iter()) {
            if Self::administers(caller, o.region) && !regions.contains(&o.region) {
                regions.push(o.region);
            }
        }
        regions.sort();
        let mut rows = Vec::new();
        for region in regions {
            for kind in CaseKind::CASES {
                let find = |list: &[LimitsOverride]| {
                    list.iter()
                        .find(|o| o.region == region && o.kind == kind)
                        .cloned()
                };
                rows.push(DeadlineRow {
                    region_name: region.full_name(),
                    region,
                    kind,
                    limits: self.deadlines.limits_for(kind, region),
                    maxima: statutory_limits(kind),
                    stored: find(&stored),
                    configured: find(configured),
                });
            }
        }
        Ok(rows)
    }

    /// Stores an override of the deadline table for a region of the jurisdiction (replacing the
    /// one before it), checked against the statutory maxima; recorded, and in force for every
    /// deadline started from now on.
    pub async fn set_deadline_override(
        &self,
        caller: &Caller,
        limits: LimitsOverride,
    ) -> ServiceResult<()> {
        Self::administrator(caller)?;
        if !Self::administers(caller, limits.region) {
            return Err(ServiceError::field(
                "region",
                format!("{} is outside your jurisdiction", limits.region.full_name()),
            ));
        }
        limits.check()?;
        let entry = self.audit_entry(
            caller,
            AuditAction::SetDeadlines,
            format!("{} {}", limits.region, limits.kind.code()),
            AuditOutcome::Ok,
            serde_json::to_value(&limits).map_err(ServiceError::internal)?,
        );
        self.store
            .put_deadline_override(&limits, self.now(), &entry)
            .await?;
        self.reload_deadline_overrides().await
    }

    /// Removes a stored override: the wider limits apply again from now on; recorded.
    pub async fn remove_deadline_override(
        &self,
        caller: &Caller,
        region: RegionCode,
        kind: CaseKind,
    ) -> ServiceResult<()> {
        Self::administrator(caller)?;
        if !Self::administers(caller, region) {
            return Err(ServiceError::NotFound("deadline override"));
        }
        let entry = self.audit_entry(
            caller,
            AuditAction::RemoveDeadlines,
            format!("{region} {}", kind.code()),
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .remove_deadline_override(region, kind, &entry)
            .await?;
        self.reload_deadline_overrides().await
    }
}

// The command line's way in: whoever runs commands on the server holds the database already,
// so these act nationally, and each change is recorded as the command line's.
impl App {
    /// Every dispatch rule (a command run on the server).
    pub async fn rules_locally(&self) -> ServiceResult<Vec<RuleView>> {
        let names = names(&self.store.unit_entries().await?);
        Ok(self
            .store
            .dispatch_rules()
            .await?
            .into_iter()
            .map(|r| rule_view(r, &names))
            .collect())
    }

    /// Adds a dispatch rule (a command run on the server; checked as on the pages, recorded).
    pub async fn add_rule_locally(&self, form: &RuleForm) -> ServiceResult<RuleView> {
        let record = self
            .checked_rule_within(RegionCode::NATIONAL, None, form)
            .await?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            crate::Origin::CommandLine,
            AuditAction::AddDispatchRule,
            AuditOutcome::Ok,
            rule_detail(&record),
        );
        entry.region = record.region;
        let stored = self
            .store
            .add_dispatch_rule(&record, self.now(), &entry)
            .await?;
        let names = names(&self.store.unit_entries().await?);
        Ok(rule_view(stored, &names))
    }

    /// Where a public report about `region` would land (a command run on the server).
    pub async fn try_dispatch_locally(
        &self,
        region: &str,
        pollution_type: Option<&str>,
    ) -> ServiceResult<DispatchTrial> {
        let region = parse_region("region", region)?;
        self.trial(region, pollution_type).await
    }
}

fn rule_detail(record: &RuleRecord) -> serde_json::Value {
    json!({
        "owner_unit_id": record.owner_unit_id,
        "region": record.region.to_string(),
        "pollution_type": record.pollution_type.map(|t| t.code()),
        "target_unit_id": record.target_unit_id,
    })
}

fn template_detail(record: &TemplateRecord) -> serde_json::Value {
    json!({
        "region": record.region.to_string(),
        "pollution_type": record.pollution_type.map(|t| t.code()),
        "title": record.title,
    })
}
