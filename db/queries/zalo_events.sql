-- RecordZaloEvent returns no row for an event recorded before.
-- name: RecordZaloEvent :one
INSERT INTO zalo_events (dedup_key, event_name, raw) VALUES (@dedup_key, @event_name, @raw)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING id;
