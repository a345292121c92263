-- The work queue's indexes of 0011 begin with these columns, so they answer whatever these two
-- answered; a bulk import no longer builds them again, nor does every write keep them.
DROP INDEX cases_unit;
DROP INDEX cases_stage;
