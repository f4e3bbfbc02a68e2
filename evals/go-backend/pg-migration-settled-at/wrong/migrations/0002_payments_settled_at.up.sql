ALTER TABLE payments ADD COLUMN settled_at TIMESTAMPTZ;

CREATE INDEX payments_unsettled_idx ON payments (created_at) WHERE settled_at IS NULL;
