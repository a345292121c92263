-- Administration of a jurisdiction: units can be disabled (they then take no new cases and no
-- rule may route to them), dispatch rules (自动分派) route new public reports down the chain,
-- reply templates give handlers a starting text, and an administrator's deadline overrides
-- sit beside the configuration file's.
ALTER TABLE units ADD COLUMN disabled_at INTEGER;

CREATE TABLE dispatch_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id  INTEGER NOT NULL REFERENCES units (id),
    region_code    TEXT    NOT NULL,
    pollution_type TEXT,
    target_unit_id INTEGER NOT NULL REFERENCES units (id),
    note           TEXT    NOT NULL DEFAULT '',
    disabled_at    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX dispatch_rules_owner ON dispatch_rules (owner_unit_id);

CREATE TABLE reply_templates (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code    TEXT    NOT NULL,
    pollution_type TEXT,
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    disabled_at    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE deadline_overrides (
    region_code             TEXT    NOT NULL,
    kind                    TEXT    NOT NULL,
    acceptance_days         INTEGER,
    handling_days           INTEGER,
    max_extension_days      INTEGER,
    review_request_days     INTEGER,
    review_decision_days    INTEGER,
    re_review_request_days  INTEGER,
    re_review_decision_days INTEGER,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (region_code, kind)
);
