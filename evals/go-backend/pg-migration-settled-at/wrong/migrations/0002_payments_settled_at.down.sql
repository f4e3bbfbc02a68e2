DROP INDEX payments_unsettled_idx;

ALTER TABLE payments DROP COLUMN setled_at;
