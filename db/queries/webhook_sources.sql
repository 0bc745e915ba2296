-- name: CreateWebhookSource :one
INSERT INTO webhook_sources (workspace_id, provider, secret) VALUES (@workspace_id, @provider, @secret) RETURNING *;

-- GetWebhookSource is the source a hook URL names; a deleted one is not
-- found.
-- name: GetWebhookSource :one
SELECT * FROM webhook_sources WHERE id = @id AND deleted_at IS NULL;

-- ListWebhookSources never reads a secret.
-- name: ListWebhookSources :many
SELECT id, provider, created_at FROM webhook_sources
WHERE workspace_id = @workspace_id AND deleted_at IS NULL
ORDER BY created_at, id;

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
-- name: RotateWebhookSourceSecret :one
UPDATE webhook_sources
SET secret = @secret, previous_secret = secret, previous_secret_expires_at = @previous_expires_at::timestamptz
WHERE workspace_id = @workspace_id AND id = @id AND deleted_at IS NULL
RETURNING *;
