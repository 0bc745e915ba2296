-- name: CreateWorkspace :one
INSERT INTO workspaces (name) VALUES (@name) RETURNING *;

-- name: FindWorkspaceByName :one
SELECT * FROM workspaces WHERE name = @name ORDER BY created_at LIMIT 1;
