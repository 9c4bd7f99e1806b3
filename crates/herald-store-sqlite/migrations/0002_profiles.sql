-- Delivery profiles (per application, overridable per endpoint) and the
-- credential a profile may sign or authenticate with.
ALTER TABLE applications ADD COLUMN profile TEXT;
ALTER TABLE applications ADD COLUMN credential TEXT;
ALTER TABLE endpoints ADD COLUMN profile TEXT;
ALTER TABLE endpoints ADD COLUMN credential TEXT;
