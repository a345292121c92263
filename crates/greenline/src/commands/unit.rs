//! `greenline unit …`

use greenline_app::App;
use greenline_domain::RegionCode;

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
            for unit in app.units().await.map_err(super::message)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    unit.id,
                    unit.region,
                    unit.name,
                    unit.region.full_name()
                );
            }
        }
    }
    Ok(())
}
