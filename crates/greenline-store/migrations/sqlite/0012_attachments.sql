-- Files kept with a case (附件): the bytes live in the object store under object_key; here is
-- what they are, who put them there and when, and their SHA-256 so that evidence can be shown
-- to be the file that was uploaded.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    object_key  TEXT    NOT NULL UNIQUE,
    uploaded_by INTEGER REFERENCES staff (id),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id, id);
