-- The point a reporter gave for the place (map picker, the browser's location, an API client):
-- WGS-84, in whole millionths of a degree (about 0.1 m), so both backends keep it exactly as
-- integers. Both or neither are set.
ALTER TABLE cases ADD COLUMN latitude_e6 BIGINT;
ALTER TABLE cases ADD COLUMN longitude_e6 BIGINT;
