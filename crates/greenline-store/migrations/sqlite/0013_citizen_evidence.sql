-- Citizens' photos and videos sent with a report (举报证据), kept with the case's other files.
-- Their bytes are stored under a key made of their SHA-256, so a retried submission writes the
-- same object again instead of a second one: two cases may then name one object, and the key
-- is no longer unique (the table is rebuilt to drop that constraint, as SQLite cannot alter it).
-- A photo also has a public copy (re-encoded, without EXIF/XMP/GPS or device data) with a
-- checksum of its own: the only form of it shown to anyone but the handling staff.
CREATE TABLE attachments_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id           INTEGER NOT NULL REFERENCES cases (id),
    kind              TEXT    NOT NULL,
    file_name         TEXT    NOT NULL,
    media_type        TEXT    NOT NULL,
    size_bytes        INTEGER NOT NULL,
    sha256            TEXT    NOT NULL,
    object_key        TEXT    NOT NULL,
    uploaded_by       INTEGER REFERENCES staff (id),
    uploaded_at       INTEGER NOT NULL,
    from_reporter     INTEGER NOT NULL DEFAULT 0,
    public_key        TEXT,
    public_media_type TEXT,
    public_size_bytes INTEGER,
    public_sha256     TEXT
);
INSERT INTO attachments_new (id, case_id, kind, file_name, media_type, size_bytes, sha256,
    object_key, uploaded_by, uploaded_at)
SELECT id, case_id, kind, file_name, media_type, size_bytes, sha256, object_key, uploaded_by,
    uploaded_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_case ON attachments (case_id, id);
