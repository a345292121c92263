//! Automatic dispatch (自动分派): rules that route a new public report down the chain of
//! offices without anyone at the receiving desk touching it.
//!
//! A rule belongs to a unit (its owner) and says: a case held by the owner whose place lies in
//! region R (and, if the rule names one, whose primary pollution type is T) goes to unit U.
//! Starting from the unit that received the case, the rules of the current holder are asked
//! again and again — national desk → province → city → county — until none matches.
//!
//! When several rules of one holder match, the most specific wins:
//! 1. the rule whose region is the narrowest (a county's rule before its city's, a city's before
//!    its province's: the longest region prefix);
//! 2. at the same region, a rule for the case's type before a rule for any type;
//! 3. then the older rule (the lower id), so that the choice never depends on storage order.
//!
//! A rule is valid only if U lies strictly below its owner and R lies inside U's region (or U
//! could not take the case: see [`crate::check_assignment`]); the chain therefore only moves
//! down and ends after at most four steps.

use crate::{PollutionType, RegionCode, check_assignment};

/// A dispatch rule as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchRule {
    pub id: i64,
    /// The unit whose cases the rule routes.
    pub owner_unit_id: i64,
    /// Cases whose place lies in this region.
    pub region: RegionCode,
    /// Only cases of this primary type; any type if `None`.
    pub pollution_type: Option<PollutionType>,
    /// Where the cases go.
    pub target_unit_id: i64,
    /// A disabled rule routes nothing.
    pub enabled: bool,
}

/// A unit as dispatch needs it: its region, and whether it takes cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchUnit {
    pub id: i64,
    pub region: RegionCode,
    pub enabled: bool,
}

/// One automatic routing: from the holder to the rule's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchStep {
    pub rule_id: i64,
    pub from_unit_id: i64,
    pub to_unit_id: i64,
}

/// How specific a rule is: a larger key wins (see the module's order).
fn specificity(rule: &DispatchRule) -> (u8, bool, std::cmp::Reverse<i64>) {
    let depth = rule.region.ancestry().count() as u8;
    (
        depth,
        rule.pollution_type.is_some(),
        std::cmp::Reverse(rule.id),
    )
}

/// The rule that routes a case in `region` of type `primary_type` held by `holder`, if any:
/// the most specific enabled rule of the holder that matches and whose target exists, takes
/// cases and may take this one.
pub fn choose_rule<'a>(
    rules: &'a [DispatchRule],
    units: &[DispatchUnit],
    holder: &DispatchUnit,
    region: RegionCode,
    primary_type: PollutionType,
) -> Option<&'a DispatchRule> {
    rules
        .iter()
        .filter(|r| r.enabled && r.owner_unit_id == holder.id)
        .filter(|r| region.is_within(r.region))
        .filter(|r| r.pollution_type.is_none_or(|t| t == primary_type))
        .filter(|r| {
            units
                .iter()
                .find(|u| u.id == r.target_unit_id)
                .is_some_and(|target| {
                    target.enabled && check_assignment(holder.region, target.region, region).is_ok()
                })
        })
        .max_by_key(|r| specificity(r))
}

/// Every automatic step for a new case received by `received_by`, in order: the rules of each
/// holder in turn, until none matches. Empty when the receiving unit has no matching rule.
pub fn dispatch_chain(
    rules: &[DispatchRule],
    units: &[DispatchUnit],
    received_by: i64,
    region: RegionCode,
    primary_type: PollutionType,
) -> Vec<DispatchStep> {
    let mut steps = Vec::new();
    let mut holder = units.iter().find(|u| u.id == received_by).copied();
    // Each step goes strictly down a level; the bound only guards against a corrupt table.
    while let Some(current) = holder
        && steps.len() < 8
    {
        let Some(rule) = choose_rule(rules, units, &current, region, primary_type) else {
            break;
        };
        steps.push(DispatchStep {
            rule_id: rule.id,
            from_unit_id: current.id,
            to_unit_id: rule.target_unit_id,
        });
        holder = units.iter().find(|u| u.id == rule.target_unit_id).copied();
    }
    steps
}

/// Why a rule cannot be saved, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    pub field: &'static str,
    pub message: String,
}

/// Checks a rule against its owner and target before it is saved: the target takes cases,
/// lies strictly below the owner, and its region holds the rule's region.
pub fn check_rule(
    owner: &DispatchUnit,
    target: Option<&DispatchUnit>,
    region: RegionCode,
) -> Result<(), RuleProblem> {
    let problem = |field, message: String| Err(RuleProblem { field, message });
    let Some(target) = target else {
        return problem("target_unit_id", "no such unit".to_owned());
    };
    if !target.enabled {
        return problem(
            "target_unit_id",
            "the unit is disabled and takes no cases".to_owned(),
        );
    }
    if !region.is_within(owner.region) {
        return problem(
            "region",
            format!(
                "{} is outside the owner's region {}",
                region.full_name(),
                owner.region.full_name()
            ),
        );
    }
    if target.region == owner.region || !target.region.is_within(owner.region) {
        return problem(
            "target_unit_id",
            format!(
                "the target must be a unit below {}; {} is not",
                owner.region.full_name(),
                target.region.full_name()
            ),
        );
    }
    if !region.is_within(target.region) {
        return problem(
            "region",
            format!(
                "{} is not inside the target unit's region {}",
                region.full_name(),
                target.region.full_name()
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).expect("region")
    }

    fn unit(id: i64, region: &str) -> DispatchUnit {
        DispatchUnit {
            id,
            region: code(region),
            enabled: true,
        }
    }

    fn rule(id: i64, owner: i64, region: &str, kind: Option<&str>, target: i64) -> DispatchRule {
        DispatchRule {
            id,
            owner_unit_id: owner,
            region: code(region),
            pollution_type: kind.map(|k| PollutionType::parse(k).expect("type")),
            target_unit_id: target,
            enabled: true,
        }
    }

    fn units() -> Vec<DispatchUnit> {
        vec![
            unit(1, "000000"),
            unit(2, "440000"),
            unit(3, "440300"),
            unit(4, "440305"),
            unit(5, "440304"),
            unit(6, "440100"),
        ]
    }

    fn air() -> PollutionType {
        PollutionType::parse("air").expect("air")
    }

    fn noise() -> PollutionType {
        PollutionType::parse("noise").expect("noise")
    }

    #[test]
    fn rules_route_down_the_chain_until_none_matches() {
        let rules = vec![
            rule(1, 1, "440000", None, 2),
            rule(2, 2, "440300", None, 3),
            rule(3, 3, "440305", None, 4),
        ];
        let steps = dispatch_chain(&rules, &units(), 1, code("440305"), air());
        let path: Vec<(i64, i64, i64)> = steps
            .iter()
            .map(|s| (s.rule_id, s.from_unit_id, s.to_unit_id))
            .collect();
        assert_eq!(path, vec![(1, 1, 2), (2, 2, 3), (3, 3, 4)]);
        // Futian has no rule at Shenzhen: the case stops at the city.
        let steps = dispatch_chain(&rules, &units(), 1, code("440304"), air());
        assert_eq!(steps.last().map(|s| s.to_unit_id), Some(3));
        // Outside Guangdong nothing matches.
        assert!(dispatch_chain(&rules, &units(), 1, code("110108"), air()).is_empty());
    }

    #[test]
    fn the_narrowest_region_wins_then_the_type_specific_rule() {
        let rules = vec![
            rule(1, 1, "000000", None, 2),
            rule(2, 1, "440000", Some("noise"), 6),
            rule(3, 1, "440000", None, 2),
            rule(4, 1, "440300", None, 3),
        ];
        let units = units();
        let national = units[0];
        let pick =
            |region: &str, t| choose_rule(&rules, &units, &national, code(region), t).map(|r| r.id);
        // Shenzhen's rule is the narrowest for a case in Nanshan, whatever its type.
        assert_eq!(pick("440305", noise()), Some(4));
        // In Guangzhou the noise rule beats the any-type rule of the same region…
        assert_eq!(pick("440106", noise()), Some(2));
        // …and does not apply to air.
        assert_eq!(pick("440106", air()), Some(3));
    }

    #[test]
    fn disabled_rules_and_disabled_or_missing_targets_route_nothing() {
        let mut rules = vec![rule(1, 1, "440000", None, 2), rule(2, 1, "440300", None, 9)];
        let mut units = units();
        let national = units[0];
        assert_eq!(
            choose_rule(&rules, &units, &national, code("440305"), air()).map(|r| r.id),
            Some(1),
            "the rule to a missing unit is passed over"
        );
        rules[0].enabled = false;
        assert!(choose_rule(&rules, &units, &national, code("440305"), air()).is_none());
        rules[0].enabled = true;
        units[1].enabled = false;
        assert!(choose_rule(&rules, &units, &national, code("440305"), air()).is_none());
    }

    #[test]
    fn a_rule_must_route_down_to_a_unit_whose_region_holds_it() {
        let units = units();
        let (national, guangdong, shenzhen) = (units[0], units[1], units[2]);
        assert!(check_rule(&national, Some(&guangdong), code("440300")).is_ok());
        let up = check_rule(&shenzhen, Some(&guangdong), code("440300")).expect_err("up");
        assert_eq!(up.field, "target_unit_id");
        let wide = check_rule(&national, Some(&shenzhen), code("440000")).expect_err("wide");
        assert_eq!(wide.field, "region");
        let missing = check_rule(&national, None, code("440000")).expect_err("missing");
        assert_eq!(missing.field, "target_unit_id");
        let off = DispatchUnit {
            enabled: false,
            ..guangdong
        };
        let disabled = check_rule(&national, Some(&off), code("440000")).expect_err("off");
        assert_eq!(disabled.field, "target_unit_id");
        let outside = check_rule(&shenzhen, Some(&units[3]), code("110108")).expect_err("out");
        assert_eq!(outside.field, "region");
    }
}
