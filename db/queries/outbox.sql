-- Enqueue records a workflow to start, in the caller's transaction, and
-- wakes the dispatchers (LISTEN tingting_outbox) when it commits.
-- name: Enqueue :exec
WITH queued AS (INSERT INTO outbox (kind, ref) VALUES (@kind, @ref) RETURNING kind)
SELECT pg_notify('tingting_outbox', kind::text) FROM queued;

-- LeaseWork takes up to @max_rows due rows for one dispatcher, newest
-- first (@newest) or oldest first, and hides them from the others for the
-- lease; a dispatcher that dies lets the lease run out and another one
-- takes the rows. Parked rows wait for an operator.
-- name: LeaseWork :many
UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => @lease_seconds::float8), attempts = o.attempts + 1
WHERE o.id IN (
    SELECT id FROM outbox
    WHERE next_attempt_at <= now() AND parked_at IS NULL
    ORDER BY CASE WHEN @newest::boolean THEN created_at END DESC,
             CASE WHEN NOT @newest::boolean THEN created_at END ASC
    LIMIT @max_rows
    FOR UPDATE SKIP LOCKED
)
RETURNING o.id, o.kind, o.ref, o.created_at, o.attempts;

-- name: FinishWork :exec
DELETE FROM outbox WHERE id = ANY(@ids::uuid[]);

-- DelayWork puts rows whose start failed back, due again after @delay.
-- name: DelayWork :exec
UPDATE outbox SET next_attempt_at = now() + make_interval(secs => @delay_seconds::float8), last_error = @last_error
WHERE id = ANY(@ids::uuid[]);

-- ParkWork sets a row aside whose start Temporal refuses for good, with
-- the refusal.
-- name: ParkWork :exec
UPDATE outbox SET parked_at = now(), last_error = @last_error WHERE id = @id;

-- OutboxBacklog is what waits: how many rows and since when, and how many
-- are parked.
-- name: OutboxBacklog :one
SELECT count(*) FILTER (WHERE parked_at IS NULL)::bigint AS waiting,
    COALESCE(min(created_at) FILTER (WHERE parked_at IS NULL), now())::timestamptz AS oldest,
    count(*) FILTER (WHERE parked_at IS NOT NULL)::bigint AS parked
FROM outbox;

-- name: ListParkedWork :many
SELECT id, kind, ref, created_at, attempts, parked_at, last_error FROM outbox
WHERE parked_at IS NOT NULL ORDER BY parked_at, id;

-- RetryParkedWork makes parked rows (all, or those of @ids) due again, as
-- if new, and wakes the dispatchers.
-- name: RetryParkedWork :many
WITH retried AS (
    UPDATE outbox SET parked_at = NULL, next_attempt_at = now(), attempts = 0, last_error = ''
    WHERE parked_at IS NOT NULL AND (COALESCE(cardinality(@ids::uuid[]), 0) = 0 OR id = ANY(@ids::uuid[]))
    RETURNING id, kind
)
SELECT r.id FROM retried r, pg_notify('tingting_outbox', r.kind::text);

-- NotifyStarts is what starting NotifyTransaction takes: the transaction's
-- search attributes, the matching integrations among them, and how many
-- messages it will send (each integration's owner and members).
-- name: NotifyStarts :many
SELECT t.id, t.workspace_id, t.bank_account_id,
    COALESCE((SELECT array_agg(m.integration_id ORDER BY m.integration_id)
              FROM matching_integrations m WHERE m.transaction_id = t.id), '{}')::uuid[] AS integration_ids,
    COALESCE((SELECT sum(1 + (SELECT count(*) FROM integration_members im
                              WHERE im.integration_id = m.integration_id AND im.removed_at IS NULL))
              FROM matching_integrations m WHERE m.transaction_id = t.id), 0)::int AS messages
FROM transactions t
WHERE t.id = ANY(@ids::uuid[]);
