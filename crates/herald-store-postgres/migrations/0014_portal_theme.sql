-- How the customer portal looks for this application's customers: a JSON
-- object {name, logo_url, color}; NULL: Herald's own look.
ALTER TABLE applications ADD COLUMN portal_theme TEXT;
