-- RecordZaloEvent stores an event once; inserted is false for one
-- recorded before (see RecordTransaction).
-- name: RecordZaloEvent :one
INSERT INTO zalo_events (dedup_key, event_name, raw) VALUES (@dedup_key, @event_name, @raw)
ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
RETURNING id, (xmax = 0)::boolean AS inserted;
