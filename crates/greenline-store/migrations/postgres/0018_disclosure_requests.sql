-- Information-disclosure requests (依申请公开, 政府信息公开条例 2019): a kind of case with a
-- workflow of its own. The request's state (its texts, correction, consultations, extension and
-- answer) is one JSON document the domain reads back whole; the columns beside it are what the
-- lists, the due dates and the annual report select and count on.
CREATE TABLE disclosure_requests (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id          BIGINT NOT NULL REFERENCES units (id),
    channel          TEXT   NOT NULL,
    -- 'natural_person', 'commercial_enterprise', … (the annual report's columns)
    applicant_kind   TEXT   NOT NULL,
    stage            TEXT   NOT NULL,
    received_at      BIGINT NOT NULL,
    -- Local (China) dates, YYYY-MM-DD: the limits count working days between them.
    received_on      TEXT   NOT NULL,
    answered_on      TEXT,
    -- The answer's kind; for a refusal or a partial disclosure its ground, for a redirect
    -- where to (the annual report's rows tell them apart).
    answer_kind      TEXT,
    answer_ground    TEXT,
    answer_redirect  TEXT,
    -- The last day of the running limit; NULL while the clock stands or once answered.
    due_on           TEXT,
    -- The report case the request was turned into (转为投诉举报).
    complaint_case_id BIGINT REFERENCES cases (id),
    -- The tracking secret's hash; the secret is shown to the applicant once.
    secret_hash      TEXT   NOT NULL,
    state            TEXT   NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX disclosure_requests_unit ON disclosure_requests (unit_id, received_on);
CREATE INDEX disclosure_requests_answered ON disclosure_requests (unit_id, answered_on);

-- The applicant's identity, apart from the request like a reporter's: no request query carries
-- it, and every read of it is an event and an audit record.
CREATE TABLE disclosure_applicants (
    request_id     BIGINT PRIMARY KEY REFERENCES disclosure_requests (id),
    name           TEXT   NOT NULL,
    id_number      TEXT   NOT NULL,
    contact_person TEXT,
    phone          TEXT,
    email          TEXT,
    address        TEXT
);

-- Append-only history of every request.
CREATE TABLE disclosure_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES disclosure_requests (id),
    at         BIGINT NOT NULL,
    actor_id   BIGINT REFERENCES staff (id),
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    from_stage TEXT,
    to_stage   TEXT,
    note       TEXT,
    data       TEXT   NOT NULL DEFAULT '{}'
);
CREATE INDEX disclosure_events_request ON disclosure_events (request_id, id);

CREATE FUNCTION disclosure_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'disclosure_events is append-only';
END;
$$;
CREATE TRIGGER disclosure_events_no_change BEFORE UPDATE OR DELETE ON disclosure_events
    FOR EACH ROW EXECUTE FUNCTION disclosure_events_append_only();
