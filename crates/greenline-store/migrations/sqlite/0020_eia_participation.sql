-- Public participation in environmental impact assessment (环评公众参与). A building project
-- under assessment belongs to the unit that reviews it; its notices (公示) are scheduled with
-- their dates (worked out in the domain, in working days); the public's comments (意见) are
-- kept with their theme, and the commenter's identity, when given, in a table of its own that
-- only an audited read touches. Every change is an event in eia_events, written in the same
-- transaction; nothing in that table is ever updated or deleted.
CREATE TABLE eia_projects (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    name                   TEXT    NOT NULL,
    developer              TEXT    NOT NULL,
    location               TEXT    NOT NULL,
    region_code            TEXT    NOT NULL,
    project_type           TEXT    NOT NULL,
    consultant             TEXT    NOT NULL,
    unit_id                INTEGER NOT NULL REFERENCES units (id),
    created_at             INTEGER NOT NULL,
    created_by             INTEGER REFERENCES staff (id),
    -- The participation statement (公众参与说明), published with the answers to each theme.
    statement              TEXT,
    statement_published_at INTEGER
);
CREATE INDEX eia_projects_region ON eia_projects (region_code);

CREATE TABLE eia_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER NOT NULL REFERENCES eia_projects (id),
    kind         TEXT    NOT NULL,
    -- 'YYYY-MM-DD', China time.
    start_date   TEXT    NOT NULL,
    working_days INTEGER NOT NULL,
    last_day     TEXT    NOT NULL,
    counted_from TEXT,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES staff (id),
    UNIQUE (project_id, kind)
);
CREATE INDEX eia_notices_start ON eia_notices (start_date, id);

CREATE TABLE eia_commenters (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    name  TEXT,
    phone TEXT,
    email TEXT
);

CREATE TABLE eia_comments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id     INTEGER NOT NULL REFERENCES eia_projects (id),
    received_at    INTEGER NOT NULL,
    -- The notice whose window it came in: 'draft' or 'acceptance'.
    notice_kind    TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    -- The classifier's pollution type for the text; the theme starts as its name.
    suggested_type TEXT,
    theme          TEXT    NOT NULL,
    commenter_id   INTEGER REFERENCES eia_commenters (id)
);
CREATE INDEX eia_comments_project ON eia_comments (project_id, id);
CREATE INDEX eia_comments_received ON eia_comments (received_at);

-- The agency's answer to one theme of a project's comments (采纳 / 部分采纳 / 不采纳, and why).
CREATE TABLE eia_answers (
    project_id  INTEGER NOT NULL REFERENCES eia_projects (id),
    theme       TEXT    NOT NULL,
    adoption    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    answered_at INTEGER NOT NULL,
    answered_by INTEGER REFERENCES staff (id),
    PRIMARY KEY (project_id, theme)
);

CREATE TABLE eia_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES eia_projects (id),
    at         INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES staff (id),
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    -- JSON: what changed.
    data       TEXT    NOT NULL
);
CREATE INDEX eia_events_project ON eia_events (project_id, id);

CREATE TRIGGER eia_events_no_update BEFORE UPDATE ON eia_events
BEGIN
    SELECT RAISE(ABORT, 'eia_events is append-only');
END;
CREATE TRIGGER eia_events_no_delete BEFORE DELETE ON eia_events
BEGIN
    SELECT RAISE(ABORT, 'eia_events is append-only');
END;
