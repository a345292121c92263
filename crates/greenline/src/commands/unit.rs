//! `greenline unit …`

use greenline_app::App;
use greenline_domain::{Approval, RegionCode};

use crate::cli::UnitCommand;

pub async fn run(app: &App, command: UnitCommand) -> anyhow::Result<()> {
    match command {
        UnitCommand::Add { name, region } => {
            let region = RegionCode::parse(&region)?;
            let unit = app.add_unit(&name, region).await.map_err(super::message)?;
            println!(
                "unit {} {} ({})",
                unit.id,
                unit.name,
                unit.region.full_name()
            );
        }
        UnitCommand::List => {
            let approving = app.units_needing_approval().await.map_err(super::message)?;
            for unit in app.units().await.map_err(super::message)? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    unit.id,
                    unit.region,
                    unit.name,
                    unit.region.full_name(),
                    if approving.contains(&unit.id) {
                        "\t审核"
                    } else {
                        ""
                    }
                );
            }
        }
        UnitCommand::Approval { unit, setting } => {
            let approval = Approval::from_flag(setting == "on");
            let unit = app
                .set_unit_approval(None, &unit, approval)
                .await
                .map_err(super::message)?;
            println!(
                "unit {} {}: conclusions {}",
                unit.id,
                unit.name,
                if approval.is_required() {
                    "need approval (审核)"
                } else {
                    "take effect without approval"
                }
            );
        }
    }
    Ok(())
}
