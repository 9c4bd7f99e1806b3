-- Every change to an application or an endpoint bumps its `rev`, so a node
-- may keep the row decoded in memory and read again only what changed (the
-- publish path reads ids and revs, then in full only the rows it lacks).
ALTER TABLE applications ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION herald_bump_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.rev := OLD.rev + 1;
  RETURN NEW;
END
$$;
CREATE TRIGGER applications_rev BEFORE UPDATE ON applications FOR EACH ROW EXECUTE FUNCTION herald_bump_rev();
CREATE TRIGGER endpoints_rev BEFORE UPDATE ON endpoints FOR EACH ROW EXECUTE FUNCTION herald_bump_rev();
