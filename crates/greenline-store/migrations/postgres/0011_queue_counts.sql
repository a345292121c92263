-- The work queue counts open cases by stage, kind and running deadline, and pages them by
-- deadline, from these two indexes without reading the cases: by stage for the whole
-- country (a national desk holds tens of thousands of open cases, and hundreds of thousands
-- replied and not yet closed), by unit, then stage, for a province, city or county (with the
-- region, which a jurisdiction or a region filter asks about). The
-- second takes over from the unit-and-stage index of 0006.
CREATE INDEX cases_queue ON cases (stage, kind, due_at, received_at, unit_id, region_code);
CREATE INDEX cases_unit_queue ON cases (unit_id, stage, kind, due_at, received_at, region_code);
DROP INDEX cases_unit_stage;
