-- UpsertZaloFollower records what an event or a sync says of a Zalo user.
-- A NULL following leaves the follow state as it was (a message says
-- nothing about following); a follow state older than the one stored
-- (@at, the event's time, before following_since) is an event arriving
-- late and changes nothing; empty names and avatars never erase known
-- ones.
-- name: UpsertZaloFollower :exec
INSERT INTO zalo_followers (oa_user_id, app_user_id, display_name, avatar_url, following, following_since, updated_at)
VALUES (@oa_user_id, @app_user_id, @display_name, @avatar_url, COALESCE(sqlc.narg(following)::boolean, false),
    CASE WHEN sqlc.narg(following)::boolean IS NOT NULL THEN @at::timestamptz END, now())
ON CONFLICT (oa_user_id) DO UPDATE SET
    app_user_id = COALESCE(EXCLUDED.app_user_id, zalo_followers.app_user_id),
    display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE zalo_followers.display_name END,
    avatar_url = CASE WHEN EXCLUDED.avatar_url <> '' THEN EXCLUDED.avatar_url ELSE zalo_followers.avatar_url END,
    following = CASE
        WHEN sqlc.narg(following)::boolean IS NULL THEN zalo_followers.following
        WHEN zalo_followers.following_since IS NULL OR @at::timestamptz >= zalo_followers.following_since THEN sqlc.narg(following)::boolean
        ELSE zalo_followers.following END,
    following_since = CASE
        WHEN sqlc.narg(following)::boolean IS NULL THEN zalo_followers.following_since
        WHEN zalo_followers.following_since IS NULL OR @at::timestamptz >= zalo_followers.following_since THEN @at::timestamptz
        ELSE zalo_followers.following_since END,
    updated_at = now();

-- name: GetZaloFollower :one
SELECT * FROM zalo_followers WHERE oa_user_id = @oa_user_id;

-- LinkZaloAccounts gives accounts that logged in before their OA-scoped id
-- was known (they had not followed yet) that id.
-- name: LinkZaloAccounts :exec
UPDATE zalo_accounts SET oa_user_id = @oa_user_id WHERE app_user_id = @app_user_id AND oa_user_id IS NULL;
