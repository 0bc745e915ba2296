-- name: CreateWebhookSource :one
INSERT INTO webhook_sources (workspace_id, provider, secret, auth, casso_api_key)
VALUES (@workspace_id, @provider, @secret, sqlc.narg(auth), sqlc.narg(casso_api_key))
RETURNING id;

-- GetWebhookSource is the source a hook URL names; a deleted one is not
-- found.
-- name: GetWebhookSource :one
SELECT * FROM webhook_sources WHERE id = @id AND deleted_at IS NULL;

-- WebhookSourceViews are a workspace's live sources as clients see them
-- (one, given @id), never a secret: what they hold, when each side last
-- spoke, what read-back recovered this week and why it failed.
-- name: WebhookSourceViews :many
SELECT s.id, s.provider, s.auth, (s.casso_api_key IS NOT NULL)::boolean AS has_casso_api_key, s.created_at,
    s.last_webhook_at, s.last_sync_at, s.sync_error,
    (SELECT count(*) FROM transactions t
     WHERE t.source_id = s.id AND t.via = 'reconcile' AND t.received_at > now() - interval '7 days')::int AS recovered_7d
FROM webhook_sources s
WHERE s.workspace_id = @workspace_id AND s.deleted_at IS NULL AND (sqlc.narg(id)::uuid IS NULL OR s.id = sqlc.narg(id))
ORDER BY s.created_at, s.id;

-- DeleteWebhookSource marks a source deleted (one deleted before keeps
-- its time); it says how many rows it found (0: no such source in the
-- workspace), so deleting again answers as the first time did.
-- name: DeleteWebhookSource :execrows
UPDATE webhook_sources SET deleted_at = COALESCE(deleted_at, now())
WHERE workspace_id = @workspace_id AND id = @id;

-- LockWebhookSource reads a workspace's live source to change it.
-- name: LockWebhookSource :one
SELECT * FROM webhook_sources WHERE workspace_id = @workspace_id AND id = @id AND deleted_at IS NULL FOR UPDATE;

-- RotateWebhookSourceSecret makes @secret current and keeps the secret it
-- replaces until @previous_expires_at; a previous secret kept before is
-- dropped. (The right-hand sides read the row as it was.)
-- name: RotateWebhookSourceSecret :exec
UPDATE webhook_sources
SET secret = @secret, previous_secret = secret, previous_secret_expires_at = @previous_expires_at::timestamptz
WHERE workspace_id = @workspace_id AND id = @id AND deleted_at IS NULL;

-- SetCassoAPIKey gives a Casso source the key read-back uses (NULL: none),
-- and forgets what Casso said of the key before.
-- name: SetCassoAPIKey :execrows
UPDATE webhook_sources
SET casso_api_key = sqlc.narg(casso_api_key), sync_error = '', sync_error_since = NULL, sync_error_told = false
WHERE workspace_id = @workspace_id AND id = @id AND deleted_at IS NULL AND provider <> 'sepay';

-- NoteWebhook records that a verified webhook came, at most once a minute
-- per source: a busy source costs one write a minute.
-- name: NoteWebhook :exec
UPDATE webhook_sources SET last_webhook_at = now()
WHERE id = @id AND (last_webhook_at IS NULL OR last_webhook_at < now() - interval '1 minute');

-- ReadBackSources are the live sources holding a Casso API key, by id
-- after @after, @max_rows at a time.
-- name: ReadBackSources :many
SELECT id FROM webhook_sources
WHERE casso_api_key IS NOT NULL AND deleted_at IS NULL AND id > @after
ORDER BY id LIMIT @max_rows;

-- ReadBackSource is what reading one source back takes.
-- name: ReadBackSource :one
SELECT id, workspace_id, casso_api_key FROM webhook_sources
WHERE id = @id AND casso_api_key IS NOT NULL AND deleted_at IS NULL;

-- ReadBackDone notes a read-back that finished: the key works.
-- name: ReadBackDone :exec
UPDATE webhook_sources
SET last_sync_at = now(), sync_error = '', sync_error_since = NULL, sync_error_told = false
WHERE id = @id;

-- ReadBackRefused notes that Casso refused the source's key, since the
-- first refusal; it says whether the owners were told of it already.
-- name: ReadBackRefused :one
UPDATE webhook_sources
SET sync_error = @sync_error, sync_error_since = COALESCE(sync_error_since, now())
WHERE id = @id
RETURNING sync_error_since::timestamptz AS since, sync_error_told AS told;

-- ReadBackRefusalTold marks the owners told of the refusal that began at
-- @since (a later one is told again).
-- name: ReadBackRefusalTold :exec
UPDATE webhook_sources SET sync_error_told = true WHERE id = @id AND sync_error_since = @since::timestamptz;

-- SourceOwners are the integrations whose owners hear of a source's
-- trouble: the workspace's active ones, one per owner.
-- name: SourceOwners :many
SELECT DISTINCT ON (i.owner_account_id) i.id FROM integrations i
JOIN webhook_sources s ON s.workspace_id = i.workspace_id
WHERE s.id = @source_id AND i.status = 'active'
ORDER BY i.owner_account_id, i.created_at, i.id;
