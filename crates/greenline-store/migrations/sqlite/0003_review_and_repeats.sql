-- The classifier's suggestion made at intake (confidence in thousandths), staff's review of the
-- types ('confirmed' or 'corrected'), and the first case of the same source a case repeats.
ALTER TABLE cases ADD COLUMN suggested_type TEXT;
ALTER TABLE cases ADD COLUMN suggested_sub_type TEXT;
ALTER TABLE cases ADD COLUMN suggestion_confidence INTEGER;
ALTER TABLE cases ADD COLUMN type_review TEXT;
ALTER TABLE cases ADD COLUMN repeat_of INTEGER REFERENCES cases (id);
CREATE INDEX cases_repeat_of ON cases (repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX cases_type_review ON cases (type_review) WHERE type_review IS NOT NULL;
