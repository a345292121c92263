-- Units (offices), staff accounts and their sessions.
CREATE TABLE units (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    region_code TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE staff (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    unit_id       BIGINT NOT NULL REFERENCES units (id),
    roles         TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT   PRIMARY KEY,
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Cases. Timestamps are milliseconds since the Unix epoch (UTC), as in the SQLite schema.
CREATE TABLE cases (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                   TEXT   NOT NULL,
    channel                TEXT   NOT NULL,
    stage                  TEXT   NOT NULL,
    primary_type           TEXT   NOT NULL,
    types                  TEXT   NOT NULL,
    sub_type               TEXT,
    industry               TEXT,
    region_code            TEXT   NOT NULL,
    address                TEXT   NOT NULL,
    description            TEXT   NOT NULL,
    unit_id                BIGINT NOT NULL REFERENCES units (id),
    received_at            BIGINT NOT NULL,
    accepted_at            BIGINT,
    concluded_at           BIGINT,
    replied_at             BIGINT,
    review_requested_at    BIGINT,
    reviewed_at            BIGINT,
    re_review_requested_at BIGINT,
    closed_at              BIGINT,
    extension_days         BIGINT,
    extension_reason       TEXT,
    rejection_reason       TEXT,
    outcome                TEXT,
    findings               TEXT,
    enforcement            TEXT   NOT NULL DEFAULT '[]',
    reply                  TEXT,
    public_summary         TEXT,
    due_at                 BIGINT,
    secret_hash            TEXT   NOT NULL,
    external_id            TEXT   UNIQUE,
    version                BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cases_region ON cases (region_code, id);
CREATE INDEX cases_unit ON cases (unit_id);
CREATE INDEX cases_stage ON cases (stage);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE case_types (
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    type_code TEXT   NOT NULL,
    PRIMARY KEY (case_id, type_code)
);
CREATE INDEX case_types_type ON case_types (type_code, case_id);

CREATE TABLE reporters (
    case_id         BIGINT PRIMARY KEY REFERENCES cases (id),
    anonymous       BIGINT NOT NULL,
    name            TEXT,
    phone           TEXT,
    contact_address TEXT
);

CREATE TABLE case_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         BIGINT NOT NULL,
    actor_id   BIGINT REFERENCES staff (id),
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    from_stage TEXT,
    to_stage   TEXT,
    note       TEXT,
    data       TEXT   NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END;
$$;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

CREATE TABLE idempotency_keys (
    scope        TEXT   NOT NULL,
    key          TEXT   NOT NULL,
    request_hash TEXT   NOT NULL,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    secret       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
