-- UpsertUser records a person who signed in with Zalo, or their new name.
-- name: UpsertUser :one
INSERT INTO users (zalo_app_user_id, name) VALUES (@zalo_app_user_id, @name)
ON CONFLICT (zalo_app_user_id) DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- WorkspacesOf lists the workspaces a Zalo account may sign in to, with
-- its role in each: its teams first (in the order joined), then the
-- workspaces whose alerts it receives (member). A member's link through the
-- follower table counts only with @link_members (ZALO_MEMBER_LINK).
-- name: WorkspacesOf :many
WITH team AS (
    SELECT tm.workspace_id, tm.role::text AS role, tm.joined_at AS since
    FROM team_members tm JOIN users u ON u.id = tm.user_id
    WHERE u.zalo_app_user_id = @app_user_id
), received AS (
    SELECT r.workspace_id, 'member'::text AS role, min(w.created_at) AS since
    FROM alert_recipients r JOIN workspaces w ON w.id = r.workspace_id
    WHERE r.app_user_id = @app_user_id AND (NOT r.by_follower_map OR @link_members::boolean)
      AND r.workspace_id NOT IN (SELECT workspace_id FROM team)
    GROUP BY r.workspace_id
), seats AS (
    SELECT workspace_id, role, since, 0 AS rank FROM team
    UNION ALL
    SELECT workspace_id, role, since, 1 FROM received
)
SELECT w.id, w.name, s.role::text AS role
FROM seats s JOIN workspaces w ON w.id = s.workspace_id
ORDER BY s.rank, s.since, w.id;
