-- name: CreateWebhookSource :one
INSERT INTO webhook_sources (workspace_id, provider, secret) VALUES (@workspace_id, @provider, @secret) RETURNING *;

-- name: GetWebhookSource :one
SELECT * FROM webhook_sources WHERE id = @id;
