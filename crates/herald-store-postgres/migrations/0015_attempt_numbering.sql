-- Attempts are numbered once per delivery: `attempts` counts every attempt
-- made, and a bulk recovery, which restarts the retry schedule, records
-- here how many there were (the schedule's position is attempts -
-- schedule_start + 1) instead of setting `attempts` back to 0.
ALTER TABLE deliveries ADD COLUMN schedule_start BIGINT NOT NULL DEFAULT 0;
