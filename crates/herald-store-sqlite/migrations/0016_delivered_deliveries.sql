-- Statistics count deliveries and attempts apart: `delivered` is the
-- deliveries that reached delivered in the minute (each once; a replay of a
-- delivered one does not count again), beside `successes`, the attempts
-- answered with a success. `failures` becomes a net count: a delivery that
-- is replayed into delivered, or re-queued by a recovery, is taken off it.
ALTER TABLE endpoint_stats ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
-- Before this, every success was a delivery's first (the worker's) or a
-- replay's: the closest history there is.
UPDATE endpoint_stats SET delivered = successes;
