//! `greenline user …`

use std::io::BufRead;

use anyhow::{Context, bail};
use chrono::Utc;
use greenline_domain::{RegionCode, Role};
use greenline_store::{NewStaff, Store};
use greenline_web::auth::{hash_password, new_token};

use crate::cli::{UserAddArgs, UserCommand};

const MIN_PASSWORD_CHARS: usize = 10;

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => add(store, args).await,
    }
}

async fn add(store: &Store, args: UserAddArgs) -> anyhow::Result<()> {
    let roles = args
        .roles
        .iter()
        .map(|code| {
            Role::parse(code.trim()).with_context(|| {
                format!("unknown role {code:?}: use operator, handler, supervisor, analyst, admin")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let unit = match (store.unit_by_name(args.unit.trim()).await?, &args.region) {
        (Some(unit), Some(region)) if unit.region != RegionCode::parse(region)? => {
            bail!("unit {} exists with region {}", unit.name, unit.region)
        }
        (Some(unit), _) => unit,
        (None, Some(region)) => {
            let unit = store
                .create_unit(args.unit.trim(), RegionCode::parse(region)?, Utc::now())
                .await?;
            println!("created unit {} ({})", unit.name, unit.region.full_name());
            unit
        }
        (None, None) => bail!(
            "no unit named {:?}: give --region to create it, or see `greenline unit list`",
            args.unit
        ),
    };
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (new_token()[..20].to_owned(), true)
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    let password_hash =
        tokio::task::spawn_blocking(move || hash_password(&password).map(|h| (h, password)))
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let staff = store
        .create_staff(
            &NewStaff {
                username: args.username.trim().to_owned(),
                display_name: args.name.unwrap_or_else(|| args.username.clone()),
                password_hash: password_hash.0,
                unit_id: unit.id,
                roles,
            },
            Utc::now(),
        )
        .await?;
    let roles: Vec<_> = staff.roles.iter().map(|r| r.code()).collect();
    println!(
        "user {} ({}) in {} with roles {}",
        staff.username,
        staff.display_name,
        staff.unit.name,
        roles.join(",")
    );
    if generated {
        println!("password (shown once): {}", password_hash.1);
    }
    Ok(())
}
