//! `greenline user …`

use std::io::BufRead;

use anyhow::Context;
use greenline_app::App;
use greenline_app::accounts::{NewAccount, generated_password};
use greenline_domain::{RegionCode, Role};

use crate::cli::{UserAddArgs, UserCommand};

pub async fn run(app: &App, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => add(app, args).await,
        UserCommand::Disable { username } => {
            app.set_account_disabled_locally(&username, true)
                .await
                .map_err(super::message)?;
            println!("account {username} disabled; its sessions and tokens ended");
            Ok(())
        }
        UserCommand::Enable { username } => {
            app.set_account_disabled_locally(&username, false)
                .await
                .map_err(super::message)?;
            println!("account {username} enabled");
            Ok(())
        }
    }
}

async fn add(app: &App, args: UserAddArgs) -> anyhow::Result<()> {
    let roles = args
        .roles
        .iter()
        .map(|code| {
            Role::parse(code.trim()).with_context(|| {
                format!("unknown role {code:?}: use operator, handler, supervisor, analyst, admin, auditor")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let region = args.region.as_deref().map(RegionCode::parse).transpose()?;
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (generated_password(), true)
    };
    let (staff, unit_created) = app
        .add_account(NewAccount {
            display_name: args.name.clone().unwrap_or_default(),
            username: args.username,
            password: password.clone(),
            unit: args.unit,
            region,
            roles,
        })
        .await
        .map_err(super::message)?;
    if unit_created {
        println!(
            "created unit {} ({})",
            staff.unit.name,
            staff.unit.region.full_name()
        );
    }
    let roles: Vec<_> = staff.roles.iter().map(|r| r.code()).collect();
    println!(
        "user {} ({}) in {} with roles {}",
        staff.username,
        staff.display_name,
        staff.unit.name,
        roles.join(",")
    );
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}
