-- name: CreateWorkspace :one
INSERT INTO workspaces (name) VALUES (@name) RETURNING *;

-- name: FindWorkspaceByName :one
SELECT * FROM workspaces WHERE name = @name ORDER BY created_at LIMIT 1;

-- name: CreateAPIKey :exec
INSERT INTO api_keys (workspace_id, key_hash, label) VALUES (@workspace_id, @key_hash, @label);

-- name: WorkspaceIDForAPIKey :one
SELECT workspace_id FROM api_keys WHERE key_hash = @key_hash AND revoked_at IS NULL;
