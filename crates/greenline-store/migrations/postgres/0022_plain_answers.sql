-- Plain answers (通俗解说): short answers to what people ask most, written by staff, reviewed
-- and published. `working` is the version staff work on and `published` the one the public
-- reads (NULL when none is out), both as JSON; a changed draft leaves `published` as it was
-- until a reviewer publishes the change. `version` rises with every change, so a stale form
-- changes nothing. Views and "this helped" answers are counters, not events.
CREATE TABLE plain_answers (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state        TEXT   NOT NULL,
    working      TEXT   NOT NULL,
    published    TEXT,
    published_at BIGINT,
    submitted_by BIGINT REFERENCES staff (id),
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   BIGINT REFERENCES staff (id),
    updated_at   BIGINT NOT NULL,
    views        BIGINT NOT NULL DEFAULT 0,
    helped       BIGINT NOT NULL DEFAULT 0,
    not_helped   BIGINT NOT NULL DEFAULT 0
);

-- Every change of an answer, append-only: written, changed (with the text), sent for review,
-- published, returned (with the reviewer's note), withdrawn.
CREATE TABLE plain_answer_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    answer_id BIGINT NOT NULL REFERENCES plain_answers (id),
    kind      TEXT   NOT NULL,
    content   TEXT,
    note      TEXT,
    actor_id  BIGINT REFERENCES staff (id),
    actor     TEXT   NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX plain_answer_events_answer ON plain_answer_events (answer_id, id);

CREATE FUNCTION plain_answer_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'plain_answer_events is append-only';
END;
$$;
CREATE TRIGGER plain_answer_events_no_change BEFORE UPDATE OR DELETE ON plain_answer_events
    FOR EACH ROW EXECUTE FUNCTION plain_answer_events_append_only();
