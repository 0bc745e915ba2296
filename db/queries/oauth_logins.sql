-- CreateOAuthLogin begins a Zalo login: a wizard's (with its workspace and
-- wizard) or a sign-in (neither; invite_hash is the team invite it
-- accepts, if any).
-- name: CreateOAuthLogin :exec
INSERT INTO oauth_logins (state, workspace_id, wizard_id, code_verifier, return_to, browser_hash, invite_hash)
VALUES (@state, sqlc.narg(workspace_id), sqlc.narg(wizard_id), @code_verifier, @return_to, @browser_hash, sqlc.narg(invite_hash));

-- KeepOAuthCode stores the code Zalo sent back (sealed) for the login's
-- activity to read, once: a login that has one already keeps it.
-- name: KeepOAuthCode :exec
UPDATE oauth_logins SET code = @code WHERE state = @state AND code IS NULL AND used_at IS NULL;

-- UseOAuthLogin marks a login's state used and returns it; a state that is
-- unknown, used or older than 15 minutes returns no row.
-- name: UseOAuthLogin :one
UPDATE oauth_logins SET used_at = now()
WHERE state = @state AND used_at IS NULL AND created_at > now() - interval '15 minutes'
RETURNING *;

-- GetOAuthLogin is a login Zalo may still complete: a state that is
-- unknown, used or older than 15 minutes (as UseOAuthLogin) returns no row.
-- name: GetOAuthLogin :one
SELECT * FROM oauth_logins WHERE state = @state AND used_at IS NULL AND created_at > now() - interval '15 minutes';

-- name: PurgeOAuthLogins :execrows
DELETE FROM oauth_logins WHERE created_at < @before;
