//! `greenline dispatch …` — dispatch rules (自动分派) from the server's command line.

use greenline_app::App;
use greenline_app::admin::RuleForm;

use crate::cli::DispatchCommand;

/// A unit named by id or by name.
async fn unit_id(app: &App, flag: &str, given: &str) -> anyhow::Result<i64> {
    let units = app.units().await.map_err(super::message)?;
    units
        .iter()
        .find(|u| u.id.to_string() == given.trim() || u.name == given.trim())
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("--{flag}: no unit named {given:?}"))
}

pub async fn run(app: &App, command: DispatchCommand) -> anyhow::Result<()> {
    match command {
        DispatchCommand::Add {
            owner,
            region,
            to,
            pollution_type,
            note,
        } => {
            let form = RuleForm {
                owner_unit_id: Some(unit_id(app, "owner", &owner).await?),
                region,
                pollution_type,
                target_unit_id: unit_id(app, "to", &to).await?,
                note,
            };
            let rule = app
                .add_rule_locally(&form)
                .await
                .map_err(|e| match e {
                    greenline_app::ServiceError::Invalid(mut errors) => {
                        // The flags are --owner and --to, not the API's field names.
                        for error in &mut errors {
                            error.field = match error.field.as_str() {
                                "owner_unit_id" => "owner".to_owned(),
                                "target_unit_id" => "to".to_owned(),
                                "pollution_type" => "type".to_owned(),
                                other => other.to_owned(),
                            };
                        }
                        greenline_app::ServiceError::Invalid(errors)
                    }
                    other => other,
                })
                .map_err(super::message)?;
            println!(
                "rule {}: {} {} → {}",
                rule.id, rule.owner_unit, rule.region_name, rule.target_unit
            );
        }
        DispatchCommand::List => {
            for rule in app.rules_locally().await.map_err(super::message)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    rule.id,
                    rule.owner_unit,
                    rule.region,
                    rule.pollution_type.as_deref().unwrap_or("*"),
                    rule.target_unit,
                    if rule.enabled { "enabled" } else { "disabled" }
                );
            }
        }
        DispatchCommand::Try {
            region,
            pollution_type,
        } => {
            let trial = app
                .try_dispatch_locally(&region, pollution_type.as_deref())
                .await
                .map_err(super::message)?;
            println!("received by {}", trial.received_by);
            for step in &trial.steps {
                println!(
                    "  rule {}: {} → {}",
                    step.rule_id, step.from_unit, step.to_unit
                );
            }
            println!("lands at {}", trial.lands_at);
        }
    }
    Ok(())
}
