-- Citizens' photos and videos sent with a report (举报证据), kept with the case's other files.
-- Their bytes are stored under a key made of their SHA-256, so a retried submission writes the
-- same object again instead of a second one: two cases may then name one object, and the key
-- is no longer unique.
-- A photo also has a public copy (re-encoded, without EXIF/XMP/GPS or device data) with a
-- checksum of its own: the only form of it shown to anyone but the handling staff.
ALTER TABLE attachments DROP CONSTRAINT attachments_object_key_key;
ALTER TABLE attachments ADD COLUMN from_reporter BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN public_key TEXT;
ALTER TABLE attachments ADD COLUMN public_media_type TEXT;
ALTER TABLE attachments ADD COLUMN public_size_bytes BIGINT;
ALTER TABLE attachments ADD COLUMN public_sha256 TEXT;
