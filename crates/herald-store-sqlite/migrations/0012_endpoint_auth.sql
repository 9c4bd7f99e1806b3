-- How Herald authenticates to an endpoint beyond the signature (OAuth2
-- client credentials, a TLS client certificate, a private CA), as JSON,
-- sealed like the other secrets. NULL: none.
ALTER TABLE endpoints ADD COLUMN auth TEXT;
