-- name: CreateSession :one
INSERT INTO sessions (token_hash, user_id, workspace_id, user_agent, expires_at)
VALUES (@token_hash, @user_id, @workspace_id, @user_agent, now() + make_interval(secs => @max_age_seconds::float8))
RETURNING id, expires_at;

-- AuthenticateSession is the live session a cookie's token names, with
-- its person and their role in the session's workspace ('' none: the
-- person left it), in one round trip. A session idle longer than
-- @idle_seconds, past its expires_at or ended is not found. last_seen_at
-- is written at most once a minute, as api_keys.last_used_at is.
-- name: AuthenticateSession :one
WITH found AS (
    SELECT s.id, s.user_id, s.workspace_id FROM sessions s
    WHERE s.token_hash = @token_hash AND s.ended_at IS NULL AND s.expires_at > now()
      AND s.last_seen_at > now() - make_interval(secs => @idle_seconds::float8)
), touched AS (
    UPDATE sessions SET last_seen_at = now()
    FROM found
    WHERE sessions.id = found.id AND sessions.last_seen_at < now() - interval '1 minute'
)
SELECT found.id, found.workspace_id, u.id AS user_id, u.name AS user_name, u.zalo_app_user_id,
    COALESCE(
        (SELECT tm.role::text FROM team_members tm WHERE tm.workspace_id = found.workspace_id AND tm.user_id = u.id),
        CASE WHEN EXISTS (
            SELECT 1 FROM alert_recipients r
            WHERE r.workspace_id = found.workspace_id AND r.app_user_id = u.zalo_app_user_id
              AND (NOT r.by_follower_map OR @link_members::boolean)
        ) THEN 'member' END,
        '')::text AS role
FROM found JOIN users u ON u.id = found.user_id;

-- ListSessions is a person's live sessions, most recently used first.
-- name: ListSessions :many
SELECT id, workspace_id, user_agent, created_at, last_seen_at, expires_at FROM sessions
WHERE user_id = @user_id AND ended_at IS NULL AND expires_at > now()
  AND last_seen_at > now() - make_interval(secs => @idle_seconds::float8)
ORDER BY last_seen_at DESC, id;

-- EndSession signs one of a person's sessions out; it says how many it
-- found (0: not theirs, or ended already).
-- name: EndSession :execrows
UPDATE sessions SET ended_at = now() WHERE id = @id AND user_id = @user_id AND ended_at IS NULL;

-- EndUserSessions signs a person out everywhere.
-- name: EndUserSessions :exec
UPDATE sessions SET ended_at = now() WHERE user_id = @user_id AND ended_at IS NULL;

-- name: SwitchSessionWorkspace :exec
UPDATE sessions SET workspace_id = @workspace_id WHERE id = @id;

-- ForgetOldSessions deletes a person's sessions that ended (signed out,
-- idle or expired) more than a day ago; run at each sign-in, it keeps the
-- table to about the sessions in use.
-- name: ForgetOldSessions :exec
DELETE FROM sessions
WHERE user_id = @user_id
  AND (ended_at < now() - interval '1 day' OR expires_at < now() - interval '1 day'
       OR last_seen_at < now() - make_interval(secs => @idle_seconds::float8) - interval '1 day');
