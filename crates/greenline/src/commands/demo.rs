//! `greenline demo`: a platform to try, on `./greenline-demo.db` — offices and accounts at
//! every level, a year of simulated national cases, and the server.

use chrono::{Datelike, Months, NaiveDate, Utc};
use greenline_app::accounts::hash_password;
use greenline_domain::deadline::china_time;
use greenline_domain::{DeadlineTable, RegionCode, Role};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_store::{CaseFilter, ImportMessage, ImportSummary, NewStaff, Store};

use crate::commands::import::{CHUNK, import_item};
use crate::config::Config;

/// The demo accounts' password (a demo only: never use it for real data).
pub const DEMO_PASSWORD: &str = "greenline-demo";

/// The county units whose conclusions need a supervisor's approval (审核) in the demo.
const APPROVING_UNITS: [&str; 1] = ["深圳市生态环境局南山管理局"];

const UNITS: [(&str, &str); 4] = [
    ("生态环境部信访办", "000000"),
    ("广东省生态环境厅", "440000"),
    ("深圳市生态环境局", "440300"),
    ("深圳市生态环境局南山管理局", "440305"),
];

const ACCOUNTS: [(&str, &str, &str, &[Role]); 8] = [
    ("admin", "系统管理员", "生态环境部信访办", &[Role::Admin]),
    (
        "auditor",
        "安全审计员",
        "生态环境部信访办",
        &[Role::Auditor],
    ),
    (
        "national",
        "国家平台值班员",
        "生态环境部信访办",
        &[Role::Operator, Role::Handler, Role::Supervisor],
    ),
    (
        "analyst",
        "国家平台分析员",
        "生态环境部信访办",
        &[Role::Analyst],
    ),
    (
        "guangdong",
        "广东省厅承办人",
        "广东省生态环境厅",
        &[Role::Handler, Role::Supervisor],
    ),
    (
        "shenzhen",
        "深圳市局承办人",
        "深圳市生态环境局",
        &[Role::Operator, Role::Handler, Role::Supervisor],
    ),
    (
        "nanshan",
        "南山局承办人",
        "深圳市生态环境局南山管理局",
        &[Role::Operator, Role::Handler],
    ),
    (
        "nanshan-lead",
        "南山局审核人",
        "深圳市生态环境局南山管理局",
        &[Role::Handler, Role::Supervisor],
    ),
];

async fn accounts(store: &Store) -> anyhow::Result<()> {
    if store.staff_count().await? > 0 {
        return Ok(());
    }
    let now = Utc::now();
    let mut unit_ids = Vec::new();
    for (name, region) in UNITS {
        let unit = match store.unit_by_name(name).await? {
            Some(unit) => unit,
            None => {
                store
                    .create_unit(name, RegionCode::parse(region)?, now)
                    .await?
            }
        };
        if APPROVING_UNITS.contains(&name) {
            let entry = greenline_store::AuditEntry {
                at: now,
                actor_id: None,
                actor: "demo".to_owned(),
                region: unit.region,
                action: "set_unit_approval".to_owned(),
                target: unit.name.clone(),
                outcome: greenline_store::AuditOutcome::Ok,
                client: "command line".to_owned(),
                detail: serde_json::json!({ "conclusions_need_approval": true }),
            };
            store.set_unit_approval(unit.id, true, &entry).await?;
        }
        unit_ids.push((name, unit.id));
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (username, display, unit, roles) in ACCOUNTS {
        let unit_id = unit_ids
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, id)| *id)
            .ok_or_else(|| anyhow::anyhow!("demo unit {unit} missing"))?;
        store
            .create_staff(
                &NewStaff {
                    username: username.to_owned(),
                    display_name: display.to_owned(),
                    password_hash: hash.clone(),
                    unit_id,
                    roles: roles.to_vec(),
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// The demo's dispatch rules (自动分派): a public report placed in Nanshan goes from the
/// national desk to the province, the city and the district at intake, instead of waiting for
/// three routings by hand. (owner, region, target)
const RULES: [(&str, &str, &str); 3] = [
    ("生态环境部信访办", "440000", "广东省生态环境厅"),
    ("广东省生态环境厅", "440300", "深圳市生态环境局"),
    ("深圳市生态环境局", "440305", "深圳市生态环境局南山管理局"),
];

/// Adds the demo's dispatch rules when no rule exists yet.
async fn rules(app: &greenline_app::App) -> anyhow::Result<()> {
    if !app
        .rules_locally()
        .await
        .map_err(super::message)?
        .is_empty()
    {
        return Ok(());
    }
    for (owner, region, target) in RULES {
        let id = |name: &str| {
            let store = app.store.clone();
            let name = name.to_owned();
            async move {
                store
                    .unit_by_name(&name)
                    .await?
                    .map(|u| u.id)
                    .ok_or_else(|| anyhow::anyhow!("demo unit {name} missing"))
            }
        };
        let form = greenline_app::admin::RuleForm {
            owner_unit_id: Some(id(owner).await?),
            region: region.to_owned(),
            pollution_type: None,
            target_unit_id: id(target).await?,
            note: Some("演示数据".to_owned()),
        };
        app.add_rule_locally(&form).await.map_err(super::message)?;
    }
    Ok(())
}

/// From the first day of the month a year ago up to the end of yesterday (China time): the
/// past, never the future.
fn seed_period(today: NaiveDate) -> (NaiveDate, u32) {
    let start = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(12)))
        .unwrap_or(today);
    let days = (today - start).num_days();
    (start, u32::try_from(days).unwrap_or(0).max(1))
}

/// Seeds the past twelve months of national cases, a month per transaction, so the figures
/// fill in while the server already answers.
async fn seed(store: Store, deadlines: DeadlineTable) -> anyhow::Result<()> {
    let probe = CaseFilter {
        limit: 1,
        ..CaseFilter::default()
    };
    if !store.search(&probe).await?.is_empty() {
        return Ok(());
    }
    let (start, days) = seed_period(Utc::now().with_timezone(&china_time()).date_naive());
    let simulator = Simulator::new(SimConfig {
        seed: 12369,
        start,
        days,
        cases: None,
        scale: Scale::National,
        inject_events: true,
    })?;
    let units = store.units().await?;
    let mut month = None;
    type Importing = tokio::task::JoinHandle<greenline_store::Result<ImportSummary>>;
    let mut batch: Option<(tokio::sync::mpsc::Sender<ImportMessage>, Importing)> = None;
    let mut seeded = 0u64;
    let mut chunk = Vec::with_capacity(CHUNK);
    for (record, _) in simulator {
        let item = import_item(&units, &deadlines, Ok(record)).map_err(|problems| {
            anyhow::anyhow!("simulated case rejected: {}", problems.join("; "))
        })?;
        let received = item.imported.case.received_at.with_timezone(&china_time());
        let this_month = (received.year(), received.month());
        if month != Some(this_month) {
            if let Some((sender, task)) = batch.take() {
                sender
                    .send(ImportMessage::Cases(std::mem::take(&mut chunk)))
                    .await?;
                sender.send(ImportMessage::Commit).await?;
                drop(sender);
                let summary = task.await??;
                seeded += summary.imported;
                eprintln!("demo: {seeded} cases seeded");
            }
            let (sender, receiver) = tokio::sync::mpsc::channel(8);
            let store = store.clone();
            batch = Some((
                sender,
                tokio::spawn(async move { store.import(receiver).await }),
            ));
            month = Some(this_month);
        }
        chunk.push(item);
        if chunk.len() == CHUNK
            && let Some((sender, _)) = &batch
        {
            sender
                .send(ImportMessage::Cases(std::mem::take(&mut chunk)))
                .await?;
        }
    }
    if let Some((sender, task)) = batch {
        sender.send(ImportMessage::Cases(chunk)).await?;
        sender.send(ImportMessage::Commit).await?;
        drop(sender);
        seeded += task.await??.imported;
    }
    eprintln!("demo: done, {seeded} cases from the past twelve months");
    Ok(())
}

/// Loads the Beijing PM2.5 series (shipped in the binary) when no air data is stored yet, so
/// that `/air/110000` has something to show.
async fn seed_air(store: &Store) -> anyhow::Result<()> {
    if store.has_air_data().await? {
        return Ok(());
    }
    let summary = super::air::import_beijing(store, super::air::BEIJING_SERIES).await?;
    eprintln!(
        "demo: {} hours of Beijing PM2.5 (2010–2014) loaded; see /air/110000",
        summary.inserted
    );
    Ok(())
}

pub async fn run(store: Store, config: Config) -> anyhow::Result<()> {
    accounts(&store).await?;
    rules(&super::core(&store, &config)?).await?;
    println!(
        "Greenline demo on {} — accounts (password: {DEMO_PASSWORD}):",
        config.database
    );
    for (username, display, unit, roles) in ACCOUNTS {
        let roles: Vec<_> = roles.iter().map(|r| r.code()).collect();
        println!("  {username:<10} {display}（{unit}）{}", roles.join(","));
    }
    let deadlines = DeadlineTable::new(config.deadlines.clone())?;
    let seeding = store.clone();
    tokio::spawn(async move {
        if let Err(error) = seed(seeding, deadlines).await {
            eprintln!("demo: seeding stopped: {error:#}");
        }
    });
    let air = store.clone();
    tokio::spawn(async move {
        if let Err(error) = seed_air(&air).await {
            eprintln!("demo: loading the Beijing air series stopped: {error:#}");
        }
    });
    super::serve::run(store, config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_year_ends_before_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        let (start, days) = seed_period(today);
        assert_eq!(start, NaiveDate::from_ymd_opt(2025, 11, 1).expect("date"));
        assert_eq!(start + chrono::Days::new(u64::from(days)), today);
    }
}
