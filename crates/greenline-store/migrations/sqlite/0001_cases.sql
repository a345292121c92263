-- Units (offices), staff accounts and their sessions.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    region_code TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    roles         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Cases. Timestamps are milliseconds since the Unix epoch (UTC).
CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                   TEXT    NOT NULL,
    channel                TEXT    NOT NULL,
    stage                  TEXT    NOT NULL,
    primary_type           TEXT    NOT NULL,
    types                  TEXT    NOT NULL,
    sub_type               TEXT,
    industry               TEXT,
    region_code            TEXT    NOT NULL,
    address                TEXT    NOT NULL,
    description            TEXT    NOT NULL,
    unit_id                INTEGER NOT NULL REFERENCES units (id),
    received_at            INTEGER NOT NULL,
    accepted_at            INTEGER,
    concluded_at           INTEGER,
    replied_at             INTEGER,
    review_requested_at    INTEGER,
    reviewed_at            INTEGER,
    re_review_requested_at INTEGER,
    closed_at              INTEGER,
    extension_days         INTEGER,
    extension_reason       TEXT,
    rejection_reason       TEXT,
    outcome                TEXT,
    findings               TEXT,
    enforcement            TEXT    NOT NULL DEFAULT '[]',
    reply                  TEXT,
    public_summary         TEXT,
    due_at                 INTEGER,
    secret_hash            TEXT    NOT NULL,
    external_id            TEXT    UNIQUE,
    version                INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_region ON cases (region_code, id);
CREATE INDEX cases_unit ON cases (unit_id);
CREATE INDEX cases_stage ON cases (stage);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;

-- Every type a case carries (multi-label), for filtering by type.
CREATE TABLE case_types (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    type_code TEXT    NOT NULL,
    PRIMARY KEY (case_id, type_code)
);
CREATE INDEX case_types_type ON case_types (type_code, case_id);

-- The reporter's identity, apart from the case so that no case query can carry it by accident.
CREATE TABLE reporters (
    case_id         INTEGER PRIMARY KEY REFERENCES cases (id),
    anonymous       INTEGER NOT NULL,
    name            TEXT,
    phone           TEXT,
    contact_address TEXT
);

-- Append-only history of every case.
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    at         INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES staff (id),
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    from_stage TEXT,
    to_stage   TEXT,
    note       TEXT,
    data       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

-- Intake requests by Idempotency-Key: a retry returns the first result.
CREATE TABLE idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    secret       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
