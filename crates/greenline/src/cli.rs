//! The command line: commands, their flags and help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
pub use greenline::records::RecordFormat;

/// Greenline — environmental complaint hotline and petition platform (生态环境信访投诉举报).
#[derive(Debug, Parser)]
#[command(name = "greenline", version, about, long_about = None)]
pub struct Cli {
    /// A TOML settings file (default: ./greenline.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database URL: sqlite://FILE (default sqlite://greenline.db) or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// How log lines are written to standard error: text for people, json (one object per
    /// line) for a log collector.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "GREENLINE_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the platform: the API on --listen (default 127.0.0.1:8080).
    Serve(ServeArgs),
    /// Try the platform: ./greenline-demo.db with offices and accounts at every level and a
    /// year of simulated national cases, served on --listen.
    Demo(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Write a consistent copy of the SQLite database to a new file, while the server runs.
    /// PostgreSQL: use pg_dump or pg_basebackup (docs/operations.md).
    Backup(BackupArgs),
    /// Replace the SQLite database with a backup, once the backup passes its checks; the
    /// server must be stopped.
    Restore(RestoreArgs),
    /// Manage units (offices), each responsible for a region.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Dispatch rules (自动分派): where new public reports go at intake.
    #[command(subcommand)]
    Dispatch(DispatchCommand),
    /// Open311 GeoReport v2: the registered clients and their API keys.
    #[command(subcommand)]
    Open311(Open311Command),
    /// The 12345 hand-over: the centres that transfer work orders in.
    #[command(subcommand)]
    Transfer(TransferCommand),
    /// Information-disclosure requests (依申请公开).
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// The audit trail (安全审计).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the API's OpenAPI document (JSON) and exit; needs no database.
    Openapi,
    /// Generate realistic cases, calibrated to the national bulletins, to a file.
    Simulate(SimulateArgs),
    /// Import case records (CSV with a header row, or JSON Lines): all of the file or nothing.
    Import(ImportArgs),
    /// Export cases as records (CSV or JSON Lines), with the search API's filters.
    Export(ExportArgs),
    /// Statistics: counts, shares, rates and changes by any grouping, over a file of case
    /// records (--input) or the database.
    Stats(StatsArgs),
    /// The decision bulletin (决策参考) of a month, quarter or year: HTML, Word or Markdown.
    Report(ReportArgs),
    /// Air quality index (AQI) of one reading, or of JSON Lines on standard input (--batch).
    Aqi(crate::commands::aqi::AqiArgs),
    /// Understand complaint text: JSON Lines on standard input, results added on standard output.
    #[command(subcommand)]
    Text(crate::commands::text::TextCommand),
    /// Train a type classifier from labelled case texts and write it as a model file.
    Train(crate::commands::train::TrainArgs),
    /// Air-quality station data.
    #[command(subcommand)]
    Air(AirCommand),
}

#[derive(Debug, Subcommand)]
pub enum AirCommand {
    /// Import hourly station measurements (CSV `station,time,pm25,pm10,so2,no2,co,o3`, or the
    /// Beijing PM2.5 series' own layout): all of the file or nothing; rows already stored are
    /// skipped.
    Import(AirImportArgs),
}

#[derive(Debug, Args)]
pub struct AirImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// Stations to create if missing (CSV `code,name,region`).
    #[arg(long, conflicts_with = "beijing")]
    pub stations: Option<PathBuf>,
    /// The file is the Beijing PM2.5 series (`No,year,month,day,hour,pm2.5,…`); detected from
    /// its header anyway.
    #[arg(long)]
    pub beijing: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Case records to count (CSV, JSON Lines or Parquet); without it, the database.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Dimensions, comma-separated: kind, channel, type, primary_type, sub_type, industry,
    /// province, city, county, stage, outcome, status, rejection_reason, overdue,
    /// repeat_source, day, week, month, quarter, year.
    #[arg(long, default_value = "")]
    pub group_by: String,
    /// Measures, comma-separated (default count): count, share, share(month), acceptance_rate,
    /// acceptance_days_mean, acceptance_days_p50 (any pNN), handling_days_mean,
    /// handling_days_p90, on_time_rate, on_time_acceptance_rate, repeat_rate,
    /// distinct_sources (from the database: a file holds no repeats), mom, yoy.
    #[arg(long)]
    pub measure: Option<String>,
    /// A filter, KEY=VALUE (repeat for several): a dimension's name with one or more values
    /// separated by commas (any of them), `not_` before the name for none of them,
    /// region=CODE (its whole subtree), received_from / received_to.
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Count only inside this region (default: national).
    #[arg(long, value_name = "CODE")]
    pub scope: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: StatsFormat,
    /// Output file (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period: a month (2026-10), a quarter (2026-Q3) or a year (2026).
    #[arg(long)]
    pub period: String,
    /// The region reported on (default: national).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// html (self-contained, prints to A4), docx (Word) or md (Markdown).
    #[arg(long, default_value = "html")]
    pub format: String,
    /// Case records to report on (CSV, JSON Lines or Parquet); without it, the database.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output file (default: report-PERIOD-REGION.EXT).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format (default: from the file's name; .csv is CSV, else JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<RecordFormat>,
    /// A filter as the search API takes it, KEY=VALUE: kind, stage, type, region, channel,
    /// unit_id, received_from, received_to, overdue (repeat for several).
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Include the reporters' names and phone numbers: needs --user, an operator, handler or
    /// supervisor whose password is read from standard input. Only cases placed in their
    /// jurisdiction are exported, with the identities of those held by its units; every
    /// reporter read and the export itself are recorded.
    #[arg(long, requires = "user")]
    pub include_pii: bool,
    /// The staff account that takes responsibility for an export with --include-pii.
    #[arg(long)]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// The file's format (default: from its name; .csv is CSV, else JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<RecordFormat>,
    /// Check every line and report every problem, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Read the file as another system's export: `12345` is a 12345 centre's work orders
    /// (CSV; docs/transfers.md names the columns), each transferred through intake as the
    /// centre's API transfer is. Needs --centre.
    #[arg(long, value_parser = ["12345"], requires = "centre")]
    pub profile: Option<String>,
    /// The centre (its code) whose work orders the file holds.
    #[arg(long, requires = "profile")]
    pub centre: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Years to simulate (from --start).
    #[arg(long, conflicts_with = "cases")]
    pub years: Option<u32>,
    /// Cases to simulate instead (the calendar still decides their dates).
    #[arg(long)]
    pub cases: Option<u64>,
    /// First month, YYYY-MM.
    #[arg(long, default_value = "2025-01")]
    pub start: String,
    /// Random seed: the same seed gives byte-identical output.
    #[arg(long, default_value_t = 12369)]
    pub seed: u64,
    /// national, province=CODE or city=CODE.
    #[arg(long, default_value = "national")]
    pub scale: String,
    /// Output format (default: from the file's name; .csv is CSV, .parquet Parquet, else JSON
    /// Lines).
    #[arg(long, value_enum)]
    pub format: Option<RecordFormat>,
    /// Output file (default: standard output). The injected events go to FILE.events.json and
    /// the ground truth (source of each case) to FILE.truth.jsonl.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Leave out the injected events.
    #[arg(long)]
    pub no_events: bool,
    /// Write the cases straight into the database (--database or the configuration) instead
    /// of a file, in one transaction as `import` does; units must cover their regions.
    #[arg(long, conflicts_with_all = ["out", "format"])]
    pub to_database: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (it must not exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore (written by `greenline backup`).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace an existing database; it is kept aside as FILE.before-restore-TIME.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add a unit: `greenline unit add --name 深圳市生态环境局 --region 440300`.
    Add {
        #[arg(long)]
        name: String,
        /// Six-digit region code; 000000 for a national office.
        #[arg(long)]
        region: String,
    },
    /// List the units (with 审核 where their conclusions need approval).
    List,
    /// Turn approval of conclusions (审核) on or off for a unit, named by its name or id:
    /// `greenline unit approval 深圳市生态环境局南山管理局 on`. When on, a handler's conclusion
    /// and reply are a draft until a supervisor of the unit or above approves them.
    Approval {
        /// The unit's name or id.
        unit: String,
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TransferCommand {
    /// 12345 centres: `greenline transfer centre add --code sz12345 --name 深圳市12345热线
    /// --region 440300 --callback-url https://12345.example/greenline`.
    #[command(subcommand)]
    Centre(TransferCentreCommand),
}

#[derive(Debug, Subcommand)]
pub enum TransferCentreCommand {
    /// Register a centre and print its key (and callback secret), shown this once.
    Add {
        /// Short and unique: letters, digits, '-' and '_' (the prefix of its cases' external
        /// references).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The six-digit code of the region it serves.
        #[arg(long)]
        region: String,
        /// Where results are posted (signed); without it the centre polls the status feed.
        #[arg(long)]
        callback_url: Option<String>,
    },
    /// List the centres (id, code, name, region, key prefix, callback, revoked).
    List,
    /// Revoke a centre's key.
    Revoke {
        /// The centre's id (from `list`).
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum Open311Command {
    /// Registered Open311 clients: `greenline open311 client add 城市通`.
    #[command(subcommand)]
    Client(Open311ClientCommand),
}

#[derive(Debug, Subcommand)]
pub enum Open311ClientCommand {
    /// Register a client and print its `api_key` (shown this once; only its hash is kept).
    Add {
        /// Who the client is (an app, an NGO), 1 to 64 characters.
        name: String,
    },
    /// List the clients (id, name, key prefix, created, last used, revoked).
    List,
    /// Revoke a client's key: its submissions are refused from now on.
    Revoke {
        /// The client's id (from `list`).
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum DispatchCommand {
    /// Add a rule: `greenline dispatch add --owner 生态环境部信访办 --region 440000 --to
    /// 广东省生态环境厅` — new public reports held by the owner whose place lies in the region
    /// (and are of --type, if given) go to the unit named by --to.
    Add {
        /// The owner unit, by name or id.
        #[arg(long)]
        owner: String,
        /// Six-digit region code.
        #[arg(long)]
        region: String,
        /// The target unit, by name or id.
        #[arg(long)]
        to: String,
        /// A pollution type code (air, water, noise, …); any type if absent.
        #[arg(long = "type")]
        pollution_type: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List the rules.
    List,
    /// Where a public report about a region (and type) would land, by which rules.
    Try {
        #[arg(long)]
        region: String,
        #[arg(long = "type")]
        pollution_type: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account. The password is read from standard input with
    /// --password-stdin, or else generated and printed once.
    Add(UserAddArgs),
    /// Disable an account: its sessions and API tokens end and it cannot sign in.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit trail's hash chain; fails if a record was changed or removed.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum DisclosureCommand {
    /// The annual report's tables (年度报告, the 2019 format) of one agency's year.
    AnnualReport(AnnualReportArgs),
}

#[derive(Debug, Args)]
pub struct AnnualReportArgs {
    /// The year reported on.
    #[arg(long)]
    pub year: i32,
    /// The agency: its unit's name or number.
    #[arg(long)]
    pub unit: String,
    /// csv, html (prints to A4) or docx (Word).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Output file (default: standard output for csv and html, annual-report-YEAR-UNIT.docx for
    /// docx).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub username: String,
    /// The name shown in case histories (defaults to the username).
    #[arg(long)]
    pub name: Option<String>,
    /// The unit's name. It is created if it does not exist and --region is given.
    #[arg(long)]
    pub unit: String,
    /// The unit's region, to create the unit (six-digit code; 000000 for national).
    #[arg(long)]
    pub region: Option<String>,
    /// Roles: operator, handler, supervisor, analyst, admin, auditor (repeat or comma-separate).
    #[arg(long = "role", value_delimiter = ',', required = true)]
    pub roles: Vec<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn user_add_takes_repeated_and_comma_separated_roles() {
        let cli = Cli::try_parse_from([
            "greenline",
            "user",
            "add",
            "--username",
            "li",
            "--unit",
            "某局",
            "--role",
            "handler,supervisor",
            "--role",
            "operator",
        ])
        .expect("parses");
        let Command::User(UserCommand::Add(args)) = cli.command else {
            panic!("user add");
        };
        assert_eq!(args.roles, ["handler", "supervisor", "operator"]);
    }
}
