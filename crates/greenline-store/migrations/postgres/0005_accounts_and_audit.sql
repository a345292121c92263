-- Accounts as level-3 protection (等级保护) asks: accounts can be disabled, sign-in failures
-- lock an account for a while, passwords age and may not repeat the last few, sessions end when
-- idle, and API tokens are named, listed and revoked.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;
ALTER TABLE staff ADD COLUMN password_set_at BIGINT;
ALTER TABLE staff ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until BIGINT;

-- Hashes of the passwords an account had before, newest last.
CREATE TABLE password_history (
    staff_id      BIGINT NOT NULL REFERENCES staff (id),
    password_hash TEXT   NOT NULL,
    set_at        BIGINT NOT NULL
);
CREATE INDEX password_history_staff ON password_history (staff_id, set_at);

ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT   NOT NULL UNIQUE,
    staff_id     BIGINT NOT NULL REFERENCES staff (id),
    name         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);

-- The audit trail (安全审计): who did or tried what, when, from where, with what outcome. Rows
-- are chained: each holds the SHA-256 of its content and of the row before, so a changed,
-- removed or inserted row breaks the chain (`greenline audit verify`). The triggers refuse
-- every change, deletion and truncation; the single row of audit_head holds the chain's end and
-- serialises writers on every node (each appends by updating it first, which locks the row).
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    BIGINT REFERENCES staff (id),
    actor       TEXT   NOT NULL,
    region_code TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    target      TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    client      TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records cannot be changed or deleted';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
