-- The work queue counts open cases by stage, kind and running deadline, and pages them by
-- deadline: this index answers the counts without reading the cases (a national desk holds
-- tens of thousands of open cases, and hundreds of thousands replied and not yet closed).
CREATE INDEX cases_queue ON cases (stage, kind, due_at, received_at, unit_id);
