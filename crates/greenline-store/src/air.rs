//! Air-quality stations and their hourly measurements.
//!
//! Import is all or nothing, like case import: the stations a file brings and all its rows go
//! in one transaction, and a failure anywhere (or a channel that closes before `Commit`) rolls
//! everything back. A row whose station and hour are already stored is skipped (`ON CONFLICT DO
//! NOTHING`), so importing the same file again changes nothing. Rows are validated by the
//! caller (line numbers and fields are the parser's business); the store checks only that each
//! refers to a known station.

use sqlx::Row;
use tokio::sync::mpsc;

use crate::{Result, Store, StoreError};

/// The pollutant columns of `air_hourly`, in the order of [`AirRow::values`].
pub const AIR_POLLUTANTS: [&str; 6] = ["pm25", "pm10", "so2", "no2", "co", "o3"];

/// A monitoring station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirStation {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region_code: String,
}

/// A station to create if its code is not stored yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAirStation {
    pub code: String,
    pub name: String,
    pub region_code: String,
}

/// One station's measurements of one hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AirRow {
    /// The station, as an index into the import's station codes.
    pub station: u32,
    /// The start of the hour, milliseconds since the epoch (UTC).
    pub hour_ms: i64,
    /// Concentrations in the order of [`AIR_POLLUTANTS`]; `None` where not measured.
    pub values: [Option<f64>; 6],
}

/// What the importer is sent: rows, many at a time, then `Commit`.
#[derive(Debug, Clone)]
pub enum AirMessage {
    Rows(Vec<AirRow>),
    Commit,
}

/// What an air import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AirImportSummary {
    pub stations_created: u64,
    pub inserted: u64,
    /// Rows whose station and hour were already stored.
    pub skipped: u64,
}

/// A stored hour of one station.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredHour {
    pub station_id: i64,
    pub hour_ms: i64,
    pub values: [Option<f64>; 6],
}

const INSERT_STATION: &str = "INSERT INTO air_stations (code, name, region_code) \
     VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING";
const INSERT_HOUR: &str = "INSERT INTO air_hourly (station_id, hour, pm25, pm10, so2, no2, co, \
     o3) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (station_id, hour) DO NOTHING";

fn aborted() -> StoreError {
    StoreError::NotCommitted(
        "the air import was abandoned before its end; nothing was written".into(),
    )
}

fn unknown_station(code: &str) -> StoreError {
    StoreError::NotCommitted(format!(
        "station {code:?} does not exist; nothing was imported"
    ))
}

fn station_from_row(row: &sqlx::any::AnyRow) -> Result<AirStation> {
    Ok(AirStation {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region_code: row.try_get("region_code")?,
    })
}

/// Rows per multi-row INSERT on PostgreSQL (8 parameters each, well under its 65,535).
const PG_ROWS_PER_STATEMENT: usize = 1000;

impl Store {
    /// Every station, by code.
    pub async fn air_stations(&self) -> Result<Vec<AirStation>> {
        sqlx::query("SELECT id, code, name, region_code FROM air_stations ORDER BY code")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(station_from_row)
            .collect()
    }

    /// The stations whose region code starts with `prefix` (a province's two digits, a city's
    /// four, a county's six), by code.
    pub async fn air_stations_within(&self, prefix: &str) -> Result<Vec<AirStation>> {
        sqlx::query(
            "SELECT id, code, name, region_code FROM air_stations WHERE region_code LIKE $1 \
             ORDER BY code",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(station_from_row)
        .collect()
    }

    /// Whether any hourly measurement is stored.
    pub async fn has_air_data(&self) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 AS one FROM air_hourly LIMIT 1")
            .fetch_optional(&self.reader)
            .await?
            .is_some())
    }

    /// The latest stored hour (ms) of any of the stations.
    pub async fn air_latest_hour(&self, station_ids: &[i64]) -> Result<Option<i64>> {
        let mut latest = None;
        for id in station_ids {
            let hour: Option<i64> =
                sqlx::query("SELECT max(hour) AS hour FROM air_hourly WHERE station_id = $1")
                    .bind(*id)
                    .fetch_one(&self.reader)
                    .await?
                    .try_get("hour")?;
            latest = latest.max(hour);
        }
        Ok(latest)
    }

    /// The stored hours of the stations in `[from_ms, to_ms)`, by station and hour.
    pub async fn air_hours(
        &self,
        station_ids: &[i64],
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<StoredHour>> {
        let mut hours = Vec::new();
        for id in station_ids {
            let rows = sqlx::query(
                "SELECT station_id, hour, pm25, pm10, so2, no2, co, o3 FROM air_hourly \
                 WHERE station_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
            )
            .bind(*id)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                let mut values = [None; 6];
                for (value, column) in values.iter_mut().zip(AIR_POLLUTANTS) {
                    *value = row.try_get::<Option<f64>, _>(column)?;
                }
                hours.push(StoredHour {
                    station_id: row.try_get("station_id")?,
                    hour_ms: row.try_get("hour")?,
                    values,
                });
            }
        }
        Ok(hours)
    }

    /// Creates the new stations not stored yet and imports every row the channel delivers, in
    /// one transaction committed on [`AirMessage::Commit`]. Rows name their station by index
    /// into `codes`; each code must be stored or among `new_stations`.
    pub async fn import_air(
        &self,
        new_stations: Vec<NewAirStation>,
        codes: Vec<String>,
        mut rows: mpsc::Receiver<AirMessage>,
    ) -> Result<AirImportSummary> {
        if let Some(path) = self.sqlite_path.clone() {
            return tokio::task::spawn_blocking(move || {
                sqlite_import_air(&path, &new_stations, &codes, rows)
            })
            .await
            .map_err(|e| StoreError::NotCommitted(format!("the import stopped: {e}")))?;
        }
        let mut tx = self.writer.begin().await?;
        let mut summary = AirImportSummary::default();
        for station in &new_stations {
            summary.stations_created += sqlx::query(INSERT_STATION)
                .bind(&station.code)
                .bind(&station.name)
                .bind(&station.region_code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let stored: std::collections::HashMap<String, i64> =
            sqlx::query("SELECT id, code FROM air_stations")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("code")?, row.try_get("id")?)))
                .collect::<Result<_>>()?;
        let ids = codes
            .iter()
            .map(|code| {
                stored
                    .get(code)
                    .copied()
                    .ok_or_else(|| unknown_station(code))
            })
            .collect::<Result<Vec<i64>>>()?;
        loop {
            let chunk = match rows.recv().await {
                Some(AirMessage::Rows(chunk)) => chunk,
                Some(AirMessage::Commit) => break,
                None => return Err(aborted()),
            };
            for part in chunk.chunks(PG_ROWS_PER_STATEMENT) {
                let placeholders: Vec<String> = (0..part.len())
                    .map(|i| {
                        let n = i * 8;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            n + 1,
                            n + 2,
                            n + 3,
                            n + 4,
                            n + 5,
                            n + 6,
                            n + 7,
                            n + 8
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO air_hourly (station_id, hour, pm25, pm10, so2, no2, co, o3) \
                     VALUES {} ON CONFLICT (station_id, hour) DO NOTHING",
                    placeholders.join(", ")
                );
                // Not cached: a statement prepared with a NULL in some place fixes that
                // parameter's type, and the next chunk may carry a number there.
                let mut query = sqlx::query(&sql).persistent(false);
                for row in part {
                    let id = ids
                        .get(row.station as usize)
                        .copied()
                        .ok_or_else(|| unknown_station(&row.station.to_string()))?;
                    query = query.bind(id).bind(row.hour_ms);
                    for value in row.values {
                        query = query.bind(value);
                    }
                }
                let inserted = query.execute(&mut *tx).await?.rows_affected();
                summary.inserted += inserted;
                summary.skipped += part.len() as u64 - inserted;
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

/// Page cache of the import's connection, in KiB: the table is its own primary-key index, and
/// rows of many stations land on as many leaf pages.
const IMPORT_CACHE_KIB: u32 = 512 * 1024;

/// Import on SQLite: one blocking connection, one transaction, one prepared statement.
fn sqlite_import_air(
    path: &std::path::Path,
    new_stations: &[NewAirStation],
    codes: &[String],
    mut rows: mpsc::Receiver<AirMessage>,
) -> Result<AirImportSummary> {
    use rusqlite::params;
    let fail = |e: rusqlite::Error| StoreError::NotCommitted(e.to_string());
    let mut conn = crate::sqlite::open_blocking(path)?;
    // Foreign keys are off for this connection only: every row's station is checked against
    // the stored stations below.
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA foreign_keys = OFF;"
    ))
    .map_err(fail)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail)?;
    let mut summary = AirImportSummary::default();
    {
        let mut insert_station = tx.prepare(INSERT_STATION).map_err(fail)?;
        for station in new_stations {
            summary.stations_created += insert_station
                .execute(params![station.code, station.name, station.region_code])
                .map_err(fail)? as u64;
        }
    }
    let stored: std::collections::HashMap<String, i64> = tx
        .prepare("SELECT code, id FROM air_stations")
        .and_then(|mut query| {
            query
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .map_err(fail)?;
    let ids = codes
        .iter()
        .map(|code| {
            stored
                .get(code)
                .copied()
                .ok_or_else(|| unknown_station(code))
        })
        .collect::<Result<Vec<i64>>>()?;
    {
        let mut insert = tx.prepare(INSERT_HOUR).map_err(fail)?;
        loop {
            let chunk = match rows.blocking_recv() {
                Some(AirMessage::Rows(chunk)) => chunk,
                Some(AirMessage::Commit) => break,
                None => return Err(aborted()),
            };
            for row in &chunk {
                let id = ids
                    .get(row.station as usize)
                    .copied()
                    .ok_or_else(|| unknown_station(&row.station.to_string()))?;
                let [pm25, pm10, so2, no2, co, o3] = row.values;
                let changed = insert
                    .execute(params![id, row.hour_ms, pm25, pm10, so2, no2, co, o3])
                    .map_err(fail)?;
                if changed == 0 {
                    summary.skipped += 1;
                } else {
                    summary.inserted += 1;
                }
            }
        }
    }
    tx.commit().map_err(fail)?;
    Ok(summary)
}
