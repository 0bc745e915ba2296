-- RecordZaloEvent stores an event once; inserted is false for one
-- recorded before (see RecordTransaction).
-- name: RecordZaloEvent :one
INSERT INTO zalo_events (dedup_key, event_name, raw) VALUES (@dedup_key, @event_name, @raw)
ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
RETURNING id, (xmax = 0)::boolean AS inserted;

-- name: GetZaloEvent :one
SELECT id, dedup_key, event_name, raw, received_at FROM zalo_events WHERE id = @id;

-- PurgeZaloEventBodies forgets the bodies of old events; the row stays, so
-- a late redelivery is still known.
-- name: PurgeZaloEventBodies :execrows
UPDATE zalo_events SET raw = NULL WHERE raw IS NOT NULL AND received_at < @before;

-- PurgeZaloEvents forgets the events received before @before: older than
-- the webhook age limit, so a redelivery of one would be refused as a
-- replay anyway. An event whose workflow has not started yet stays.
-- name: PurgeZaloEvents :execrows
DELETE FROM zalo_events e
WHERE e.received_at < @before AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.ref = e.id);
