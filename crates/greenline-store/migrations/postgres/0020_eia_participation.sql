-- Public participation in environmental impact assessment (环评公众参与). A building project
-- under assessment belongs to the unit that reviews it; its notices (公示) are scheduled with
-- their dates (worked out in the domain, in working days); the public's comments (意见) are
-- kept with their theme, and the commenter's identity, when given, in a table of its own that
-- only an audited read touches. Every change is an event in eia_events, written in the same
-- transaction; nothing in that table is ever updated or deleted.
CREATE TABLE eia_projects (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   TEXT    NOT NULL,
    developer              TEXT    NOT NULL,
    location               TEXT    NOT NULL,
    region_code            TEXT    NOT NULL,
    project_type           TEXT    NOT NULL,
    consultant             TEXT    NOT NULL,
    unit_id                BIGINT  NOT NULL REFERENCES units (id),
    created_at             BIGINT  NOT NULL,
    created_by             BIGINT  REFERENCES staff (id),
    -- The participation statement (公众参与说明), published with the answers to each theme.
    statement              TEXT,
    statement_published_at BIGINT
);
CREATE INDEX eia_projects_region ON eia_projects (region_code);

CREATE TABLE eia_notices (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   BIGINT  NOT NULL REFERENCES eia_projects (id),
    kind         TEXT    NOT NULL,
    -- 'YYYY-MM-DD', China time.
    start_date   TEXT    NOT NULL,
    working_days BIGINT  NOT NULL,
    last_day     TEXT    NOT NULL,
    counted_from TEXT,
    body         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    created_by   BIGINT  REFERENCES staff (id),
    UNIQUE (project_id, kind)
);
CREATE INDEX eia_notices_start ON eia_notices (start_date, id);

CREATE TABLE eia_commenters (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  TEXT,
    phone TEXT,
    email TEXT
);

CREATE TABLE eia_comments (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id     BIGINT  NOT NULL REFERENCES eia_projects (id),
    received_at    BIGINT  NOT NULL,
    -- The notice whose window it came in: 'draft' or 'acceptance'.
    notice_kind    TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    -- The classifier's pollution type for the text; the theme starts as its name.
    suggested_type TEXT,
    theme          TEXT    NOT NULL,
    commenter_id   BIGINT  REFERENCES eia_commenters (id)
);
CREATE INDEX eia_comments_project ON eia_comments (project_id, id);
CREATE INDEX eia_comments_received ON eia_comments (received_at);

-- The agency's answer to one theme of a project's comments (采纳 / 部分采纳 / 不采纳, and why).
CREATE TABLE eia_answers (
    project_id  BIGINT  NOT NULL REFERENCES eia_projects (id),
    theme       TEXT    NOT NULL,
    adoption    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    answered_at BIGINT  NOT NULL,
    answered_by BIGINT  REFERENCES staff (id),
    PRIMARY KEY (project_id, theme)
);

CREATE TABLE eia_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT  NOT NULL REFERENCES eia_projects (id),
    at         BIGINT  NOT NULL,
    actor_id   BIGINT  REFERENCES staff (id),
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    -- JSON: what changed.
    data       TEXT    NOT NULL
);
CREATE INDEX eia_events_project ON eia_events (project_id, id);

CREATE FUNCTION eia_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'eia_events is append-only';
END;
$$;
CREATE TRIGGER eia_events_no_change BEFORE UPDATE OR DELETE ON eia_events
    FOR EACH ROW EXECUTE FUNCTION eia_events_append_only();
