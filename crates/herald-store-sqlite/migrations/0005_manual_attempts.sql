-- Attempts asked for by hand (replays), outside the retry schedule.
ALTER TABLE attempts ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;
