-- Claims hand out due deliveries endpoint by endpoint (round robin), so the
-- ready index is ordered by endpoint, then due time: a claim walks it one
-- probe per endpoint. It holds only active rows, like the index it replaces.
-- `leased_by` names the node that holds a lease, so a restarted node takes
-- its own leases back at once instead of waiting for them to run out.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_ready ON deliveries(endpoint_id, due_at) WHERE state IN ('pending', 'retrying');
ALTER TABLE deliveries ADD COLUMN leased_by TEXT;
