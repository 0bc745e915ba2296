-- name: CreateAPIKey :one
INSERT INTO api_keys (workspace_id, key_hash, label, scope)
VALUES (@workspace_id, @key_hash, @label, @scope)
RETURNING id, label, scope, created_at;

-- name: AuthenticateAPIKey :one
-- The unrevoked key with this hash, in one round trip: last_used_at is
-- written only when it is a minute old or more, so a busy key costs one
-- write a minute, not one a request. The condition is on the row itself,
-- so requests racing on a stale key write it once.
WITH found AS (
    SELECT k.id, k.workspace_id, k.scope, k.label FROM api_keys k
    WHERE k.key_hash = @key_hash AND k.revoked_at IS NULL
), touched AS (
    UPDATE api_keys SET last_used_at = now()
    FROM found
    WHERE api_keys.id = found.id
      AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < now() - interval '1 minute')
)
SELECT found.id, found.workspace_id, found.scope, found.label FROM found;

-- name: ListAPIKeys :many
SELECT id, label, scope, created_at, last_used_at, revoked_at FROM api_keys
WHERE workspace_id = @workspace_id
ORDER BY created_at, id;

-- name: LockWorkspaceKeys :exec
-- Serialises changes to a workspace's keys that must see each other (two
-- admins revoking each other's keys), until the transaction ends. NO KEY
-- UPDATE does not block inserts that reference the workspace.
SELECT id FROM workspaces WHERE id = @workspace_id FOR NO KEY UPDATE;

-- name: GetAPIKey :one
SELECT id, scope, revoked_at FROM api_keys
WHERE id = @id AND workspace_id = @workspace_id;

-- name: CountAdminKeys :one
-- The workspace's unrevoked admin keys.
SELECT count(*) FROM api_keys
WHERE workspace_id = @workspace_id AND scope = 'admin' AND revoked_at IS NULL;

-- name: RevokeAPIKey :exec
UPDATE api_keys SET revoked_at = now()
WHERE id = @id AND workspace_id = @workspace_id AND revoked_at IS NULL;
