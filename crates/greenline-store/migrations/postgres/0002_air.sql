-- Air-quality monitoring stations and their hourly measurements.
CREATE TABLE air_stations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    -- The city (or district) the station belongs to: a GB/T 2260 code.
    region_code TEXT   NOT NULL
);

-- One row per station and hour. `hour` is the start of the hour in milliseconds since the
-- Unix epoch (UTC); concentrations in µg/m³ (CO in mg/m³), NULL where not measured.
CREATE TABLE air_hourly (
    station_id BIGINT NOT NULL REFERENCES air_stations (id),
    hour       BIGINT NOT NULL,
    pm25       DOUBLE PRECISION,
    pm10       DOUBLE PRECISION,
    so2        DOUBLE PRECISION,
    no2        DOUBLE PRECISION,
    co         DOUBLE PRECISION,
    o3         DOUBLE PRECISION,
    PRIMARY KEY (station_id, hour)
);

CREATE INDEX air_stations_region ON air_stations (region_code);
