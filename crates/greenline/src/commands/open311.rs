//! `greenline open311 client …`: register Open311 clients, list them, revoke their keys. Each
//! change is recorded in the audit trail as done on the command line.

use greenline_app::App;
use greenline_app::open311::clients::Open311Client;

use crate::cli::{Open311ClientCommand, Open311Command};

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

fn line(client: &Open311Client) -> String {
    format!(
        "{}\t{}\t{}…\t{}\t{}\t{}",
        client.id,
        client.name,
        client.key_prefix,
        client.created_at.to_rfc3339(),
        time(client.last_used_at),
        time(client.revoked_at)
    )
}

pub async fn run(app: &App, command: Open311Command) -> anyhow::Result<()> {
    let Open311Command::Client(command) = command;
    match command {
        Open311ClientCommand::Add { name } => {
            let (client, key) = app
                .issue_open311_key_locally(&name)
                .await
                .map_err(super::message)?;
            println!("client {} {}", client.id, client.name);
            println!("api_key {key}");
            eprintln!("the key is shown only now: hand it to the client");
        }
        Open311ClientCommand::List => {
            for client in app
                .open311_clients_locally()
                .await
                .map_err(super::message)?
            {
                println!("{}", line(&client));
            }
        }
        Open311ClientCommand::Revoke { id } => {
            app.revoke_open311_key_locally(id)
                .await
                .map_err(super::message)?;
            println!("client {id}: key revoked");
        }
    }
    Ok(())
}
