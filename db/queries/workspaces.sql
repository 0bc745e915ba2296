-- name: CreateWorkspace :one
INSERT INTO workspaces (name) VALUES (@name) RETURNING *;

-- name: FindWorkspaceByName :one
SELECT * FROM workspaces WHERE name = @name ORDER BY created_at LIMIT 1;

-- Checklist is what a workspace has set up, for its home page: a bank
-- account, a live bank feed, an integration, staff (a team
-- invite, or someone receiving its alerts besides the owner), an alert
-- sent, and whether @app_user_id (the person asking; NULL for a key: any
-- integration owner) follows the OA.
-- name: Checklist :one
SELECT
    EXISTS (SELECT 1 FROM bank_accounts b WHERE b.workspace_id = @workspace_id) AS bank_account,
    EXISTS (SELECT 1 FROM webhook_sources s WHERE s.workspace_id = @workspace_id AND s.deleted_at IS NULL) AS bank_feed,
    EXISTS (SELECT 1 FROM integrations i WHERE i.workspace_id = @workspace_id AND i.status <> 'deleted') AS integration,
    (EXISTS (SELECT 1 FROM team_invites ti WHERE ti.workspace_id = @workspace_id)
     OR EXISTS (SELECT 1 FROM integration_members m JOIN integrations i ON i.id = m.integration_id
                WHERE i.workspace_id = @workspace_id AND m.removed_at IS NULL))::boolean AS staff,
    EXISTS (SELECT 1 FROM deliveries d JOIN integrations i ON i.id = d.integration_id
            WHERE i.workspace_id = @workspace_id AND d.status = 'sent') AS first_alert,
    EXISTS (SELECT 1 FROM zalo_followers f
            WHERE f.following
              AND (f.app_user_id = sqlc.narg(app_user_id)::text
                   OR (sqlc.narg(app_user_id)::text IS NULL AND f.oa_user_id IN (
                       SELECT za.oa_user_id FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id
                       WHERE i.workspace_id = @workspace_id AND i.status <> 'deleted')))) AS follows_oa;

-- LastWebhookAt is when a bank feed's webhook last brought the workspace a
-- transaction (as long as its raw body is kept: RETAIN_WEBHOOK_BODIES).
-- name: LastWebhookAt :one
SELECT received_at FROM transactions
WHERE workspace_id = @workspace_id AND raw IS NOT NULL
ORDER BY received_at DESC LIMIT 1;

-- name: GetWorkspace :one
SELECT * FROM workspaces WHERE id = @id;
