-- Plain answers (通俗解说): short answers to what people ask most, written by staff, reviewed
-- and published. `working` is the version staff work on and `published` the one the public
-- reads (NULL when none is out), both as JSON; a changed draft leaves `published` as it was
-- until a reviewer publishes the change. `version` rises with every change, so a stale form
-- changes nothing. Views and "this helped" answers are counters, not events.
CREATE TABLE plain_answers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    state        TEXT    NOT NULL,
    working      TEXT    NOT NULL,
    published    TEXT,
    published_at INTEGER,
    submitted_by INTEGER REFERENCES staff (id),
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES staff (id),
    updated_at   INTEGER NOT NULL,
    views        INTEGER NOT NULL DEFAULT 0,
    helped       INTEGER NOT NULL DEFAULT 0,
    not_helped   INTEGER NOT NULL DEFAULT 0
);

-- Every change of an answer, append-only: written, changed (with the text), sent for review,
-- published, returned (with the reviewer's note), withdrawn.
CREATE TABLE plain_answer_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id INTEGER NOT NULL REFERENCES plain_answers (id),
    kind      TEXT    NOT NULL,
    content   TEXT,
    note      TEXT,
    actor_id  INTEGER REFERENCES staff (id),
    actor     TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX plain_answer_events_answer ON plain_answer_events (answer_id, id);

CREATE TRIGGER plain_answer_events_no_update BEFORE UPDATE ON plain_answer_events
BEGIN
    SELECT RAISE(ABORT, 'plain_answer_events is append-only');
END;
CREATE TRIGGER plain_answer_events_no_delete BEFORE DELETE ON plain_answer_events
BEGIN
    SELECT RAISE(ABORT, 'plain_answer_events is append-only');
END;
