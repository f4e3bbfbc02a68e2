DROP INDEX payments_unsettled_idx;

ALTER TABLE payments DROP COLUMN settled_at;
