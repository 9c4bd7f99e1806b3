-- Delivery profiles (per application, overridable per endpoint), the
-- credential a profile may sign or authenticate with, and the state of an
-- endpoint's verification handshake (NULL: none required).
ALTER TABLE applications ADD COLUMN profile TEXT;
ALTER TABLE applications ADD COLUMN credential TEXT;
ALTER TABLE endpoints ADD COLUMN profile TEXT;
ALTER TABLE endpoints ADD COLUMN credential TEXT;
ALTER TABLE endpoints ADD COLUMN verify_state TEXT;
ALTER TABLE endpoints ADD COLUMN verify_error TEXT;
