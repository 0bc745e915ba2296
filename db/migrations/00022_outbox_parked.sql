-- +goose Up
-- An outbox row whose workflow Temporal refuses for good (a start too
-- large, a request it calls invalid) is parked with its error instead of
-- being tried every few seconds for ever: operators see it (a gauge, the
-- log, `tingting outbox list`) and send it again with `tingting outbox
-- retry` once the cause is fixed.
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, created_at) WHERE parked_at IS NULL;
CREATE INDEX outbox_parked_idx ON outbox (parked_at) WHERE parked_at IS NOT NULL;

-- +goose Down
DROP INDEX outbox_parked_idx;
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, created_at);
ALTER TABLE outbox DROP COLUMN parked_at;
