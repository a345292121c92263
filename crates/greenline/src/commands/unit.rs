//! `greenline unit …`

use chrono::Utc;
use greenline_domain::RegionCode;
use greenline_store::Store;

use crate::cli::UnitCommand;

pub async fn run(store: &Store, command: UnitCommand) -> anyhow::Result<()> {
    match command {
        UnitCommand::Add { name, region } => {
            let region = RegionCode::parse(&region)?;
            let unit = store.create_unit(name.trim(), region, Utc::now()).await?;
            println!(
                "unit {} {} ({})",
                unit.id,
                unit.name,
                unit.region.full_name()
            );
        }
        UnitCommand::List => {
            for unit in store.units().await? {
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
