-- Approval of conclusions (审核), per unit: when set, a handler's conclusion and reply are a
-- draft (cases.approval_draft, JSON) until a supervisor approves them.
ALTER TABLE units ADD COLUMN conclusions_need_approval INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN approval_draft TEXT;
-- A report reopened after a callback (重新办理) runs a new handling limit from then.
ALTER TABLE cases ADD COLUMN reopened_at INTEGER;

-- Callbacks (回访): the reporter's satisfaction with a reply and whether the problem is solved.
-- The unit and region are those of the case when it was called back, for the counts per unit
-- and region.
CREATE TABLE case_callbacks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    region_code  TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    satisfaction TEXT    NOT NULL,
    solved       INTEGER NOT NULL,
    note         TEXT,
    source       TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES staff (id),
    actor        TEXT    NOT NULL
);
CREATE INDEX case_callbacks_case ON case_callbacks (case_id, at);
CREATE INDEX case_callbacks_unit ON case_callbacks (unit_id, at);
CREATE INDEX case_callbacks_region ON case_callbacks (region_code, at);
