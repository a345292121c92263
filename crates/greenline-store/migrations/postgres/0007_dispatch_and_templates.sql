-- Administration of a jurisdiction: units can be disabled (they then take no new cases and no
-- rule may route to them), dispatch rules (自动分派) route new public reports down the chain,
-- reply templates give handlers a starting text, and an administrator's deadline overrides
-- sit beside the configuration file's.
ALTER TABLE units ADD COLUMN disabled_at BIGINT;

CREATE TABLE dispatch_rules (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_unit_id  BIGINT NOT NULL REFERENCES units (id),
    region_code    TEXT    NOT NULL,
    pollution_type TEXT,
    target_unit_id BIGINT NOT NULL REFERENCES units (id),
    note           TEXT    NOT NULL DEFAULT '',
    disabled_at    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX dispatch_rules_owner ON dispatch_rules (owner_unit_id);

CREATE TABLE reply_templates (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code    TEXT    NOT NULL,
    pollution_type TEXT,
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    disabled_at    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE deadline_overrides (
    region_code             TEXT    NOT NULL,
    kind                    TEXT    NOT NULL,
    acceptance_days         BIGINT,
    handling_days           BIGINT,
    max_extension_days      BIGINT,
    review_request_days     BIGINT,
    review_decision_days    BIGINT,
    re_review_request_days  BIGINT,
    re_review_decision_days BIGINT,
    updated_at              BIGINT NOT NULL,
    PRIMARY KEY (region_code, kind)
);
