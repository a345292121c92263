-- Registered Open311 clients (city apps, civic-tech tools): each holds one API key, issued and
-- revoked by administrators. Only the key's SHA-256 is stored, so a leaked table submits
-- nothing; key_prefix (the key's first characters) lets an administrator tell keys apart. A case
-- a client submits names it in its intake event's actor (`open311:<id> <name>`).
CREATE TABLE open311_clients (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT    NOT NULL,
    key_hash     TEXT    NOT NULL UNIQUE,
    key_prefix   TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   BIGINT REFERENCES staff (id),
    last_used_at BIGINT,
    revoked_at   BIGINT
);

