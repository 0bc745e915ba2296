-- +goose Up
-- Zalo events are purged by age once past the webhook age limit (rows,
-- not only bodies), and the purge skips those still in the outbox.
CREATE INDEX zalo_events_received_all_idx ON zalo_events (received_at);
CREATE INDEX outbox_ref_idx ON outbox (ref);

-- +goose Down
DROP INDEX outbox_ref_idx;
DROP INDEX zalo_events_received_all_idx;
