-- name: RecordChange :exec
INSERT INTO audit_log (workspace_id, actor_kind, actor_id, actor_name, action, integration_id, detail)
VALUES (@workspace_id, @actor_kind, @actor_id, @actor_name, @action, sqlc.narg(integration_id), @detail);

-- ListIntegrationChanges is an integration's recent changes, newest first.
-- name: ListIntegrationChanges :many
SELECT at, actor_kind, actor_name, action, detail FROM audit_log
WHERE workspace_id = @workspace_id AND integration_id = @integration_id
ORDER BY at DESC, id DESC
LIMIT @max_rows;
