//! Copies of a SQLite database taken while the server writes, and putting one back.
//!
//! A backup is `VACUUM INTO` a new file. It reads the whole database inside one read
//! transaction, and under WAL a read transaction sees the database as it was when it began
//! while writers go on committing to the log: the copy is that moment's database, every case
//! with all of its events, and intake is not held up. SQLite's online backup API is consistent
//! too only when it copies every page in one step (then it is the same single read
//! transaction); copied a few pages at a time, it starts again from the first page whenever
//! another connection commits, which under steady intake may never finish. `VACUUM INTO` also
//! writes a compact file with no log of its own. The copy is written beside its destination,
//! synced to disk, then renamed into place, so a crash never leaves half a backup under the
//! name asked for.
//!
//! A restore checks the copy first (`PRAGMA integrity_check`, `PRAGMA foreign_key_check`, and
//! that its migrations are ones this build knows, checksums included), then replaces the
//! target only if no other connection has it open, and keeps the replaced file, and the
//! full-text index built from it, aside. PostgreSQL is backed up with its own tools
//! (`docs/operations.md`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// What can go wrong taking or restoring a copy.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "greenline backup and restore copy SQLite files, and this is a {scheme} database; \
         back up PostgreSQL with pg_dump or pg_basebackup as docs/operations.md describes"
    )]
    NotSqlite { scheme: String },
    #[error(
        "{0} has a write-ahead log beside it: it is a live database, not a backup (take one \
         with greenline backup)"
    )]
    Live(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{0} exists already; choose another name")]
    Exists(PathBuf),
    #[error("{0} exists already; --force replaces it (the current file is kept aside)")]
    WouldReplace(PathBuf),
    #[error("{0} is in use (a server or another command has it open); stop it first")]
    InUse(PathBuf),
    #[error("{path} is not a Greenline database: {reason}")]
    NotGreenline { path: PathBuf, reason: String },
    #[error("{path} failed the integrity check: {problems}")]
    Damaged { path: PathBuf, problems: String },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, BackupError>;

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// The highest migration applied.
    pub schema_version: i64,
    pub cases: u64,
    pub events: u64,
    pub bytes: u64,
}

/// A finished restore.
#[derive(Debug, Clone)]
pub struct Restored {
    pub copy: CopySummary,
    /// Where the replaced database (and its full-text index, if any) were put.
    pub kept_aside: Option<PathBuf>,
}

/// The file a `sqlite:` database URL names.
pub fn sqlite_file(url: &str) -> Result<PathBuf> {
    // Only the scheme goes into messages: the rest may hold a password.
    let not_sqlite = || BackupError::NotSqlite {
        scheme: url.split(':').next().unwrap_or_default().to_owned(),
    };
    if !url.starts_with("sqlite:") {
        return Err(not_sqlite());
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|_| not_sqlite())?;
    Ok(options.get_filename().to_owned())
}

/// Writes a consistent copy of the database `db` to `out` while others may write to it.
pub fn backup(db: &Path, out: &Path) -> Result<CopySummary> {
    if !db.exists() {
        return Err(BackupError::Missing(db.to_owned()));
    }
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    // Without SQLITE_OPEN_CREATE: a wrong path is an error, not a new empty database.
    let source = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(db))?;
    source
        .busy_timeout(Duration::from_secs(10))
        .map_err(sqlite(db))?;
    migrations_known(&source, db)?;
    let partial = beside(out, "partial");
    remove_if_present(&partial)?;
    let written = source
        .execute("VACUUM INTO ?1", [partial.to_string_lossy()])
        .map_err(sqlite(db));
    drop(source);
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    sync_file(&partial)?;
    std::fs::rename(&partial, out).map_err(io(out))?;
    sync_dir(out)?;
    check_copy(out)
}

/// Checks that `file` is an intact Greenline database this build can open.
pub fn check_copy(file: &Path) -> Result<CopySummary> {
    if !file.exists() {
        return Err(BackupError::Missing(file.to_owned()));
    }
    // Committed pages may still be in that log; copying the file alone would lose them.
    if std::fs::metadata(suffixed(file, "-wal")).is_ok_and(|m| m.len() > 0) {
        return Err(BackupError::Live(file.to_owned()));
    }
    let conn = open_read_only(file)?;
    let not_greenline = |reason: String| BackupError::NotGreenline {
        path: file.to_owned(),
        reason,
    };
    // A file that is not a database at all fails here, before the integrity check.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut q| q.query_map([], |row| row.get(0))?.collect())
        .map_err(|e| not_greenline(e.to_string()))?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut q| q.query_map([], |row| row.get(0))?.collect())
        .map_err(sqlite(file))?;
    if problems != ["ok"] {
        return Err(BackupError::Damaged {
            path: file.to_owned(),
            problems: problems.join("; "),
        });
    }
    let orphans: i64 = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut q| Ok(q.query_map([], |_| Ok(()))?.count() as i64))
        .map_err(sqlite(file))?;
    if orphans > 0 {
        return Err(BackupError::Damaged {
            path: file.to_owned(),
            problems: format!("{orphans} rows refer to rows that do not exist"),
        });
    }
    for table in ["_sqlx_migrations", "cases", "case_events"] {
        if !tables.iter().any(|t| t == table) {
            return Err(not_greenline(format!("it has no table {table}")));
        }
    }
    migrations_known(&conn, file)?;
    summary(&conn, file)
}

/// Replaces the database `target` with the checked copy `from`. An existing target is replaced
/// only with `force`, never while it is open elsewhere, and is kept aside with its full-text
/// index (`FILE.before-restore-TIME`).
pub fn restore(from: &Path, target: &Path, force: bool) -> Result<Restored> {
    let copy = check_copy(from)?;
    // Write the new file beside the target first: the swap below is then one rename.
    let incoming = beside(target, "restoring");
    remove_if_present(&incoming)?;
    std::fs::copy(from, &incoming).map_err(io(&incoming))?;
    sync_file(&incoming)?;

    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = beside(target, &format!("before-restore-{stamp}"));
    let search = search_dir(target);
    let mut kept_aside = None;
    // Held until the new file is in place: no server can open the old one meanwhile.
    let mut lock = None;
    if target.exists() {
        if !force {
            let _ = std::fs::remove_file(&incoming);
            return Err(BackupError::WouldReplace(target.to_owned()));
        }
        let conn = match lock_exclusively(target) {
            Ok(conn) => conn,
            Err(error) => {
                let _ = std::fs::remove_file(&incoming);
                return Err(error);
            }
        };
        // The old file keeps its name's inode through a second name; the rename below then
        // replaces the target in one step, never leaving the name empty.
        std::fs::hard_link(target, &aside).map_err(io(&aside))?;
        kept_aside = Some(aside.clone());
        lock = Some(conn);
    }
    // A log or shared-memory file left beside the target belongs to the old database: SQLite
    // would replay that log into the new one.
    for leftover in [suffixed(target, "-wal"), suffixed(target, "-shm")] {
        remove_if_present(&leftover)?;
    }
    // The index remembers how far through the old event log it is: the server must build a
    // new one from the restored cases.
    if search.exists() {
        std::fs::rename(&search, search_dir(&aside)).map_err(io(&search))?;
    }
    // So do the statistics and same-source snapshots.
    for suffix in [".stats", ".sources"] {
        let snapshot = suffixed(target, suffix);
        if snapshot.exists() {
            std::fs::rename(&snapshot, suffixed(&aside, suffix)).map_err(io(&snapshot))?;
        }
    }
    std::fs::rename(&incoming, target).map_err(io(target))?;
    sync_dir(target)?;
    drop(lock);
    Ok(Restored { copy, kept_aside })
}

/// A connection holding `db` exclusively, its log folded into the file (so the copy kept aside
/// is one self-contained file); [`BackupError::InUse`] if any other connection has it open.
fn lock_exclusively(db: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(db))?;
    // Under WAL every open connection holds a shared lock on the file, idle or not, so an
    // exclusive lock is refused at once while a server has the database open.
    let locked = conn.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT; PRAGMA journal_mode = DELETE;",
    );
    match locked {
        Ok(()) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            Err(BackupError::InUse(db.to_owned()))
        }
        Err(e) => Err(BackupError::Sqlite {
            path: db.to_owned(),
            source: e,
        }),
    }
}

/// Every migration applied to `conn` is one of this build's, with the same checksum, and all
/// succeeded; the highest one.
fn migrations_known(conn: &Connection, path: &Path) -> Result<i64> {
    let not_greenline = |reason: String| BackupError::NotGreenline {
        path: path.to_owned(),
        reason,
    };
    let applied: Vec<(i64, bool, Vec<u8>)> = conn
        .prepare("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
        .and_then(|mut q| {
            q.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .map_err(|e| not_greenline(format!("reading its migrations: {e}")))?;
    let Some(&(latest, _, _)) = applied.last() else {
        return Err(not_greenline("no migration has been applied".to_owned()));
    };
    for (version, success, checksum) in &applied {
        let Some(known) = crate::sqlite::MIGRATOR
            .iter()
            .find(|m| m.version == *version)
        else {
            return Err(not_greenline(format!(
                "migration {version} is not one this version of greenline knows (a newer \
                 release wrote it?)"
            )));
        };
        if !success {
            return Err(not_greenline(format!("migration {version} did not finish")));
        }
        if known.checksum.as_ref() != checksum.as_slice() {
            return Err(not_greenline(format!(
                "migration {version} differs from this version's"
            )));
        }
    }
    Ok(latest)
}

fn summary(conn: &Connection, path: &Path) -> Result<CopySummary> {
    let count = |sql: &str| -> Result<u64> {
        conn.query_row(sql, [], |row| row.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or_default())
            .map_err(sqlite(path))
    };
    Ok(CopySummary {
        schema_version: migrations_known(conn, path)?,
        cases: count("SELECT COUNT(*) FROM cases")?,
        events: count("SELECT COUNT(*) FROM case_events")?,
        bytes: std::fs::metadata(path).map_err(io(path))?.len(),
    })
}

fn open_read_only(path: &Path) -> Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(path))
}

/// The full-text index the server keeps beside a SQLite file (`FILE.search`).
fn search_dir(db: &Path) -> PathBuf {
    suffixed(db, ".search")
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `path` with `.tag` added, in the same directory (so a rename onto `path` is atomic).
fn beside(path: &Path, tag: &str) -> PathBuf {
    suffixed(path, &format!(".{tag}"))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BackupError::Io {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// Makes a rename in `path`'s directory durable.
fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}
