-- Dead letters: an application's failed deliveries (retries exhausted),
-- newest first, without scanning the delivered ones.
CREATE INDEX deliveries_failed ON deliveries(app_id, id) WHERE state = 'failed';
