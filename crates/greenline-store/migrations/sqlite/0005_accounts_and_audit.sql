-- Accounts as level-3 protection (等级保护) asks: accounts can be disabled, sign-in failures
-- lock an account for a while, passwords age and may not repeat the last few, sessions end when
-- idle, and API tokens are named, listed and revoked.
ALTER TABLE staff ADD COLUMN disabled_at INTEGER;
ALTER TABLE staff ADD COLUMN password_set_at INTEGER;
ALTER TABLE staff ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until INTEGER;

-- Hashes of the passwords an account had before, newest last.
CREATE TABLE password_history (
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    password_hash TEXT    NOT NULL,
    set_at        INTEGER NOT NULL
);
CREATE INDEX password_history_staff ON password_history (staff_id, set_at);

ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT    NOT NULL UNIQUE,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    name         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);

-- The audit trail (安全审计): who did or tried what, when, from where, with what outcome. Rows
-- are chained: each holds the SHA-256 of its content and of the row before, so a changed,
-- removed or inserted row breaks the chain (`greenline audit verify`). The triggers refuse
-- every change and deletion; the single row of audit_head holds the chain's end and serialises
-- writers (each appends by updating it first).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES staff (id),
    actor       TEXT    NOT NULL,
    region_code TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    client      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records cannot be deleted');
END;

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
