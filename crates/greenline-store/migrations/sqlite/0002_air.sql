-- Air-quality monitoring stations and their hourly measurements.
CREATE TABLE air_stations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- The city (or district) the station belongs to: a GB/T 2260 code.
    region_code TEXT    NOT NULL
);

-- One row per station and hour. `hour` is the start of the hour in milliseconds since the
-- Unix epoch (UTC); concentrations in µg/m³ (CO in mg/m³), NULL where not measured. Keyed by
-- (station, hour) without a rowid: the table is its own index, and a station's hours are
-- read in order.
CREATE TABLE air_hourly (
    station_id INTEGER NOT NULL REFERENCES air_stations (id),
    hour       INTEGER NOT NULL,
    pm25       REAL,
    pm10       REAL,
    so2        REAL,
    no2        REAL,
    co         REAL,
    o3         REAL,
    PRIMARY KEY (station_id, hour)
) WITHOUT ROWID;

CREATE INDEX air_stations_region ON air_stations (region_code);
