-- Claims hand out due deliveries endpoint by endpoint (round robin), so the
-- ready index is ordered by endpoint, then due time: a claim walks it one
-- probe per endpoint. It holds only active rows, like the index it replaces.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_ready ON deliveries(endpoint_id, due_at) WHERE state IN ('pending', 'retrying');
