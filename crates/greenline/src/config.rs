//! Settings: defaults, then a TOML file, then `GREENLINE_…` environment variables, then flags.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use greenline_app::Settings;
use greenline_app::notices::NoticeSettings;
use greenline_domain::LimitsOverride;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Config {
    /// sqlite://FILE or postgres://…
    pub database: String,
    /// Address the server listens on.
    pub listen: String,
    #[serde(default)]
    pub web: Settings,
    /// Per-jurisdiction overrides of the statutory time limits.
    #[serde(default)]
    pub deadlines: Vec<LimitsOverride>,
    /// Notices to reporters: the portal's address, the SMS gateway, the SMTP server.
    #[serde(default)]
    pub notices: NoticeSettings,
    /// Bulk imports (`import`, `simulate --to-database`).
    #[serde(default)]
    pub import: ImportSettings,
}

/// How bulk imports use the machine.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(default)]
pub struct ImportSettings {
    /// The page cache of the import's database connection on SQLite, in MiB.
    pub cache_mib: u32,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings { cache_mib: 128 }
    }
}

impl ImportSettings {
    /// The store's options for an import under these settings.
    pub fn options(&self) -> greenline_store::ImportOptions {
        greenline_store::ImportOptions {
            cache_kib: self.cache_mib.max(1).saturating_mul(1024),
            ..Default::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "sqlite://greenline.db".to_owned(),
            listen: "127.0.0.1:8080".to_owned(),
            web: Settings::default(),
            deadlines: Vec::new(),
            notices: NoticeSettings::default(),
            import: ImportSettings::default(),
        }
    }
}

impl Config {
    /// Loads the layered settings. `file` is required to exist when named explicitly.
    pub fn load(file: Option<&Path>, env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "settings file {} not found", path.display());
                figment = figment.merge(Toml::file(path));
            }
            None => {
                let default = PathBuf::from("greenline.toml");
                if default.exists() {
                    figment = figment.merge(Toml::file(default));
                }
            }
        }
        figment = figment.merge(
            Env::prefixed("GREENLINE_")
                .split("__")
                .ignore(&["LOG", "LOG_FORMAT"]),
        );
        for (key, value) in env {
            figment = figment.merge(Serialized::default(key, value));
        }
        Ok(figment.extract()?)
    }
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail fixes the closure's error type"
)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_defaults_and_the_environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "settings.toml",
                r#"
                listen = "0.0.0.0:9000"
                database = "sqlite://from-file.db"
                [web]
                session_hours = 4
                [[deadlines]]
                region = "440300"
                kind = "report"
                acceptance_days = 2
                "#,
            )?;
            jail.set_env("GREENLINE_DATABASE", "postgres://db/greenline");
            jail.set_env("GREENLINE_WEB__PUBLIC_REQUESTS_PER_MINUTE", "5");
            jail.set_env("GREENLINE_WEB__TRUSTED_PROXIES", "10.0.0.11,10.1.0.0/16");
            jail.set_env("GREENLINE_WEB__SECURE_COOKIES", "false");
            jail.set_env(
                "GREENLINE_NOTICES__PORTAL_URL",
                "https://12369.example.gov.cn",
            );
            let config =
                Config::load(Some(Path::new("settings.toml")), &[]).map_err(|e| e.to_string())?;
            assert_eq!(config.listen, "0.0.0.0:9000");
            assert_eq!(config.database, "postgres://db/greenline");
            assert_eq!(config.web.session_hours, 4);
            assert_eq!(config.web.public_requests_per_minute, 5);
            assert!(!config.web.secure_cookies);
            assert!(
                config
                    .web
                    .trusted_proxies
                    .contains("10.1.2.3".parse().expect("ip"))
            );
            assert!(
                !config
                    .web
                    .trusted_proxies
                    .contains("10.2.0.1".parse().expect("ip"))
            );
            assert_eq!(config.notices.portal_url, "https://12369.example.gov.cn");
            assert_eq!(config.notices.max_attempts, 8, "the rest stays as shipped");
            assert_eq!(config.deadlines.len(), 1);
            assert_eq!(config.deadlines[0].acceptance_days, Some(2));
            Ok(())
        });
    }

    #[test]
    fn defaults_are_the_embedded_sqlite_file_on_loopback() {
        figment::Jail::expect_with(|_| {
            let config = Config::load(None, &[]).map_err(|e| e.to_string())?;
            assert_eq!(config.database, "sqlite://greenline.db");
            assert_eq!(config.listen, "127.0.0.1:8080");
            assert!(
                config.web.secure_cookies,
                "cookies are Secure unless turned off"
            );
            assert!(config.web.trusted_proxies.is_empty());
            Ok(())
        });
    }

    /// `docs/settings.md`, the one place every setting is described.
    fn settings_doc() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/settings.md");
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    fn keys(value: serde_json::Value) -> Vec<String> {
        match value {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            other => panic!("expected a table, got {other}"),
        }
    }

    #[test]
    fn every_setting_is_documented_with_its_environment_variable() {
        let doc = settings_doc();
        let config = serde_json::to_value(Config::default()).expect("config as JSON");
        for key in keys(config) {
            assert!(
                doc.contains(&format!("`{key}`")) || doc.contains(&format!("`[{key}]`")),
                "docs/settings.md: `{key}` is missing"
            );
        }
        let web = serde_json::to_value(Settings::default()).expect("settings as JSON");
        for key in keys(web) {
            assert!(
                doc.contains(&format!("| `{key}` |")),
                "docs/settings.md: [web] `{key}` is missing"
            );
            let env = format!("GREENLINE_WEB__{}", key.to_uppercase());
            assert!(doc.contains(&env), "docs/settings.md: {env} is missing");
        }
        let import = serde_json::to_value(ImportSettings::default()).expect("import as JSON");
        for key in keys(import) {
            assert!(
                doc.contains(&format!("| `{key}` |")),
                "docs/settings.md: [import] `{key}` is missing"
            );
            let env = format!("GREENLINE_IMPORT__{}", key.to_uppercase());
            assert!(doc.contains(&env), "docs/settings.md: {env} is missing");
        }
        let notices = serde_json::to_value(NoticeSettings::default()).expect("notices as JSON");
        for key in keys(notices) {
            assert!(
                doc.contains(&format!("| `{key}` |")),
                "docs/settings.md: [notices] `{key}` is missing"
            );
            let env = format!("GREENLINE_NOTICES__{}", key.to_uppercase());
            assert!(doc.contains(&env), "docs/settings.md: {env} is missing");
        }
    }

    #[test]
    fn every_global_and_serve_flag_is_documented() {
        use clap::CommandFactory;
        let doc = settings_doc();
        let cli = crate::cli::Cli::command();
        let serve = cli.find_subcommand("serve").expect("serve").clone();
        for arg in cli.get_arguments().chain(serve.get_arguments()) {
            if let Some(long) = arg.get_long().filter(|l| !matches!(*l, "help" | "version")) {
                assert!(
                    doc.contains(&format!("--{long}")),
                    "docs/settings.md: --{long} is missing"
                );
            }
            if let Some(env) = arg.get_env() {
                let env = env.to_string_lossy();
                assert!(
                    doc.contains(env.as_ref()),
                    "docs/settings.md: {env} is missing"
                );
            }
        }
    }

    #[test]
    fn a_named_file_that_is_missing_is_an_error() {
        assert!(Config::load(Some(Path::new("/nonexistent/greenline.toml")), &[]).is_err());
    }
}
