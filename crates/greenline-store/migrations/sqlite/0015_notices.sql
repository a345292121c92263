-- Notices to reporters (告知): the reporter may leave an e-mail address beside the phone; a
-- notice is written in the same transaction as the step it tells of (the outbox), then a sender
-- delivers it, each attempt recorded. Notices carry no phone or address: the sender reads the
-- reporter's at delivery, so a notice row holds nothing that identifies anyone.
ALTER TABLE reporters ADD COLUMN email TEXT;

CREATE TABLE notices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    -- 'sms' or 'email'
    channel         TEXT    NOT NULL,
    -- What happened: 'accepted', 'rejected', 'concluded', 'replied'.
    kind            TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- 'pending', 'sent' or 'failed' (given up).
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX notices_due ON notices (status, next_attempt_at);
CREATE INDEX notices_case ON notices (case_id, id);

-- Every delivery attempt of a notice, kept.
CREATE TABLE notice_attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    at        INTEGER NOT NULL,
    ok        INTEGER NOT NULL,
    error     TEXT
);
CREATE INDEX notice_attempts_notice ON notice_attempts (notice_id, id);

-- One-time codes for tracking by phone: one row per request, a matched phone or not (the
-- requests count against the limits per phone and per case either way). phone_key is a digest
-- of the phone's digits; code_hash a digest of the code sent, absent when the phone did not
-- match the case and nothing was sent.
CREATE TABLE tracking_codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL,
    phone_key    TEXT    NOT NULL,
    code_hash    TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    used_at      INTEGER
);
CREATE INDEX tracking_codes_case ON tracking_codes (case_id, created_at);
CREATE INDEX tracking_codes_phone ON tracking_codes (phone_key, created_at);
