-- 12345 hand-over (12345 转办): each 12345 centre that transfers work orders in holds its own
-- key (stored as its SHA-256) and, if it wants the result pushed back, a callback URL with the
-- secret its requests are signed with. A transferred case's external_id is `<code>:<order
-- number>`, so the unique index on cases.external_id refuses an order a centre sent already,
-- while two centres may use the same numbers.
CREATE TABLE transfer_centres (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    region_code     TEXT    NOT NULL,
    key_hash        TEXT    NOT NULL UNIQUE,
    key_prefix      TEXT    NOT NULL,
    callback_url    TEXT,
    callback_secret TEXT,
    created_at      BIGINT NOT NULL,
    created_by      BIGINT REFERENCES staff (id),
    last_used_at    BIGINT,
    revoked_at      BIGINT
);

-- The outbox of callbacks to centres: written in the transaction of the step they tell of
-- (acceptance, rejection, conclusion, reply), then delivered by a sender, each attempt kept.
-- The body is what is posted: no reporter's identity, the reply masked as in public outputs.
CREATE TABLE transfer_callbacks (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_id       BIGINT NOT NULL REFERENCES transfer_centres (id),
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    kind            TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    -- 'pending', 'sent' or 'failed' (given up).
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX transfer_callbacks_due ON transfer_callbacks (status, next_attempt_at);
CREATE INDEX transfer_callbacks_centre ON transfer_callbacks (centre_id, id);

CREATE TABLE transfer_callback_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    callback_id BIGINT NOT NULL REFERENCES transfer_callbacks (id),
    at          BIGINT NOT NULL,
    ok          BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT
);
CREATE INDEX transfer_callback_attempts_callback ON transfer_callback_attempts (callback_id, id);
