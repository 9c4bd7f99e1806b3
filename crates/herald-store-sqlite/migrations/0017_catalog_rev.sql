-- Every change to an application or an endpoint bumps its `rev`, so a node
-- may keep the row decoded in memory and read again only what changed (the
-- publish path reads ids and revs, then in full only the rows it lacks).
ALTER TABLE applications ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER applications_rev AFTER UPDATE ON applications FOR EACH ROW WHEN NEW.rev = OLD.rev
BEGIN
  UPDATE applications SET rev = OLD.rev + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER endpoints_rev AFTER UPDATE ON endpoints FOR EACH ROW WHEN NEW.rev = OLD.rev
BEGIN
  UPDATE endpoints SET rev = OLD.rev + 1 WHERE id = NEW.id;
END;
