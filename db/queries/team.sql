-- name: AddTeamMember :exec
INSERT INTO team_members (workspace_id, user_id, role) VALUES (@workspace_id, @user_id, @role);

-- name: ListTeam :many
SELECT u.id, u.name, tm.role, tm.joined_at
FROM team_members tm JOIN users u ON u.id = tm.user_id
WHERE tm.workspace_id = @workspace_id
ORDER BY tm.joined_at, u.id;

-- name: TeamRole :one
SELECT role FROM team_members WHERE workspace_id = @workspace_id AND user_id = @user_id;

-- LockTeam serialises changes to a workspace's team that must see each
-- other (two owners removing each other), until the transaction ends.
-- name: LockTeam :exec
SELECT id FROM workspaces WHERE id = @workspace_id FOR NO KEY UPDATE;

-- name: CountOwners :one
SELECT count(*) FROM team_members WHERE workspace_id = @workspace_id AND role = 'owner';

-- name: RemoveTeamMember :execrows
DELETE FROM team_members WHERE workspace_id = @workspace_id AND user_id = @user_id;

-- name: CreateTeamInvite :one
INSERT INTO team_invites (workspace_id, code_hash, role, expires_at)
VALUES (@workspace_id, @code_hash, @role, @expires_at)
RETURNING id, expires_at;

-- TakeTeamInvite locks the invite a code names while it may still admit
-- @user_id: unexpired, and unused or used by them (joining again answers
-- as the first time did).
-- name: TakeTeamInvite :one
SELECT * FROM team_invites
WHERE code_hash = @code_hash AND expires_at > now() AND (used_by IS NULL OR used_by = @user_id)
FOR UPDATE;

-- name: UseTeamInvite :exec
UPDATE team_invites SET used_by = @user_id, used_at = now() WHERE id = @id AND used_by IS NULL;
