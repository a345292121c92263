//! `greenline transfer centre …` (12345 centres) and `greenline import --profile 12345`: a
//! centre's exported work orders, each transferred through intake as the API's transfer is.
//!
//! The bulk transfer checks the whole file first (every row's fields, numbers repeated in the
//! file) and registers nothing if any row is at fault. Rows the centre transferred already are
//! skipped, so a run stopped midway (a row the intake refused) is finished by running it again.

use std::collections::HashSet;

use anyhow::{Context, bail};
use greenline_app::App;
use greenline_app::transfers::{NewCentre, TransferForm};

use crate::cli::{ImportArgs, TransferCentreCommand, TransferCommand};

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

pub async fn run(app: &App, command: TransferCommand) -> anyhow::Result<()> {
    let TransferCommand::Centre(command) = command;
    match command {
        TransferCentreCommand::Add {
            code,
            name,
            region,
            callback_url,
        } => {
            let issued = app
                .issue_transfer_centre_locally(NewCentre {
                    code,
                    name,
                    region,
                    callback_url,
                })
                .await
                .map_err(super::message)?;
            println!(
                "centre {} {} {}",
                issued.centre.id, issued.centre.code, issued.centre.name
            );
            println!("key {}", issued.key);
            if let Some(secret) = issued.callback_secret {
                println!("callback_secret {secret}");
            }
            eprintln!("the key and secret are shown only now: hand them to the centre");
        }
        TransferCentreCommand::List => {
            for c in app
                .transfer_centres_locally()
                .await
                .map_err(super::message)?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}…\t{}\t{}",
                    c.id,
                    c.code,
                    c.name,
                    c.region,
                    c.key_prefix,
                    c.callback_url.as_deref().unwrap_or("-"),
                    time(c.revoked_at)
                );
            }
        }
        TransferCentreCommand::Revoke { id } => {
            app.revoke_transfer_centre_locally(id)
                .await
                .map_err(super::message)?;
            println!("centre {id}: key revoked");
        }
    }
    Ok(())
}

/// The columns of a 12345 export, each with the names it goes by (the usual Chinese header,
/// and the API's field name).
const COLUMNS: &[(&str, &[&str])] = &[
    ("order_no", &["工单编号", "order_no"]),
    ("description", &["诉求内容", "description"]),
    ("address", &["事发地址", "address"]),
    ("region", &["区划代码", "region"]),
    ("reporter_name", &["诉求人", "reporter_name"]),
    ("reporter_phone", &["联系电话", "reporter_phone"]),
    ("primary_type", &["问题类型", "primary_type"]),
    ("sub_type", &["问题子类", "sub_type"]),
    ("latitude", &["纬度", "latitude"]),
    ("longitude", &["经度", "longitude"]),
];

/// The required columns.
const REQUIRED: &[&str] = &["order_no", "description", "region"];

/// One row of the file as a transfer, or what is wrong with it.
fn row_form(
    header: &[Option<&'static str>],
    row: &csv::StringRecord,
) -> Result<TransferForm, String> {
    let mut form = TransferForm::default();
    let number = |field: &str, text: &str| -> Result<Option<f64>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| format!("{field}: not a number"))
    };
    for (column, value) in header.iter().zip(row.iter()) {
        let value = value.trim();
        let text = || (!value.is_empty()).then(|| value.to_owned());
        match column {
            Some("order_no") => form.order_no = value.to_owned(),
            Some("description") => form.description = value.to_owned(),
            Some("address") => form.address = value.to_owned(),
            Some("region") => form.region = value.to_owned(),
            Some("reporter_name") => form.reporter_name = text(),
            Some("reporter_phone") => form.reporter_phone = text(),
            Some("primary_type") => form.primary_type = text(),
            Some("sub_type") => form.sub_type = text(),
            Some("latitude") => form.latitude = number("latitude", value)?,
            Some("longitude") => form.longitude = number("longitude", value)?,
            _ => {}
        }
    }
    form.anonymous = form.reporter_name.is_none() && form.reporter_phone.is_none();
    Ok(form)
}

/// `greenline import --profile 12345 --centre CODE FILE`.
pub async fn import(app: &App, args: &ImportArgs) -> anyhow::Result<()> {
    let code = args.centre.as_deref().unwrap_or_default();
    let centre = app
        .transfer_centre_by_code(code)
        .await
        .map_err(super::message)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let header: Vec<Option<&'static str>> = reader
        .headers()?
        .iter()
        .map(|name| {
            let name = name.trim().trim_start_matches('\u{feff}');
            COLUMNS
                .iter()
                .find(|(_, names)| names.contains(&name))
                .map(|(field, _)| *field)
        })
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|field| !header.contains(&Some(**field)))
        .copied()
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: the header lacks {} (docs/transfers.md names the columns)",
            args.file.display(),
            missing.join(", ")
        );
    }
    // Every row checked before any is written.
    let mut forms = Vec::new();
    let mut seen = HashSet::new();
    let mut problems = 0usize;
    let mut skipped = 0usize;
    for (index, row) in reader.records().enumerate() {
        let line = index + 2;
        let form = match row
            .map_err(|e| e.to_string())
            .and_then(|row| row_form(&header, &row))
        {
            Ok(form) => form,
            Err(message) => {
                problems += 1;
                eprintln!("line {line}: {message}");
                continue;
            }
        };
        if let Err(error) = app.check_transfer(&centre, &form) {
            problems += 1;
            eprintln!("line {line}: {}", super::message(error));
            continue;
        }
        if !seen.insert(form.order_no.trim().to_owned()) {
            problems += 1;
            eprintln!(
                "line {line}: order_no: {} appears twice in the file",
                form.order_no
            );
            continue;
        }
        if let Some(number) = app
            .transferred_already(&centre, &form.order_no)
            .await
            .map_err(super::message)?
        {
            skipped += 1;
            eprintln!(
                "line {line}: {} was transferred already ({number}); skipped",
                form.order_no
            );
            continue;
        }
        forms.push((line, form));
    }
    if problems > 0 {
        bail!(
            "{} has {problems} problem(s); nothing was transferred",
            args.file.display()
        );
    }
    if args.dry_run {
        println!(
            "{} work orders in {} are valid ({skipped} transferred already); nothing was written \
             (--dry-run)",
            forms.len(),
            args.file.display()
        );
        return Ok(());
    }
    let mut done = 0usize;
    for (line, form) in forms {
        let order = form.order_no.clone();
        if let Err(error) = app.transfer_from(&centre, form).await {
            bail!(
                "line {line}: work order {order} was refused: {}; {done} before it were \
                 transferred — put it right and run again (those are then skipped)",
                super::message(error)
            );
        }
        done += 1;
    }
    println!(
        "transferred {done} work orders from {} for {} ({skipped} transferred already, skipped)",
        args.file.display(),
        centre.code
    );
    Ok(())
}
