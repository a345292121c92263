-- The work queue asks for the open cases held by a few units: by unit, then stage, rather
-- than walking every case of a stage (hundreds of thousands replied and not yet closed).
CREATE INDEX cases_unit_stage ON cases (unit_id, stage);
