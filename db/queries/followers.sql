-- UpsertZaloFollower records what an event or a sync says of a Zalo user.
-- A NULL following leaves the follow state as it was (a message says
-- nothing about following). Follow states are ordered by Zalo's time:
-- following_since is the time Zalo gave the last follow or unfollow event
-- applied, and an event older than it (@at before it) arrived late and
-- changes nothing. What we only infer (@inferred: a -213 refusal, the
-- follower sync) moves no time and loses to any event: it changes the
-- state unless an event set it within the minute before @at (when we
-- inferred: the refusal or the list was then about the state before that
-- event), and any later event, even one Zalo stamped before @at, sets it
-- again. Empty names and avatars never erase known ones. @interacted_at,
-- when given, is an interaction (never later than now): the last one
-- recorded is the latest.
-- name: UpsertZaloFollower :exec
INSERT INTO zalo_followers (oa_user_id, app_user_id, display_name, avatar_url, following, following_since, last_interaction_at, updated_at)
VALUES (@oa_user_id, @app_user_id, @display_name, @avatar_url, COALESCE(sqlc.narg(following)::boolean, false),
    CASE WHEN sqlc.narg(following)::boolean IS NOT NULL AND NOT @inferred::boolean THEN @at::timestamptz END,
    LEAST(sqlc.narg(interacted_at)::timestamptz, now()), now())
ON CONFLICT (oa_user_id) DO UPDATE SET
    last_interaction_at = GREATEST(zalo_followers.last_interaction_at, EXCLUDED.last_interaction_at),
    app_user_id = COALESCE(EXCLUDED.app_user_id, zalo_followers.app_user_id),
    display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE zalo_followers.display_name END,
    avatar_url = CASE WHEN EXCLUDED.avatar_url <> '' THEN EXCLUDED.avatar_url ELSE zalo_followers.avatar_url END,
    following = CASE
        WHEN sqlc.narg(following)::boolean IS NULL THEN zalo_followers.following
        WHEN @inferred::boolean THEN CASE
            WHEN zalo_followers.following_since IS NULL OR zalo_followers.following_since + interval '1 minute' < @at::timestamptz
            THEN sqlc.narg(following)::boolean ELSE zalo_followers.following END
        WHEN zalo_followers.following_since IS NULL OR @at::timestamptz >= zalo_followers.following_since THEN sqlc.narg(following)::boolean
        ELSE zalo_followers.following END,
    following_since = CASE
        WHEN sqlc.narg(following)::boolean IS NULL OR @inferred::boolean THEN zalo_followers.following_since
        WHEN zalo_followers.following_since IS NULL OR @at::timestamptz >= zalo_followers.following_since THEN @at::timestamptz
        ELSE zalo_followers.following_since END,
    updated_at = now();

-- name: GetZaloFollower :one
SELECT * FROM zalo_followers WHERE oa_user_id = @oa_user_id;

-- LinkZaloAccounts gives accounts that logged in before their OA-scoped id
-- was known (they had not followed yet) that id.
-- name: LinkZaloAccounts :exec
UPDATE zalo_accounts SET oa_user_id = @oa_user_id WHERE app_user_id = @app_user_id AND oa_user_id IS NULL;

-- RecordCSRefused notes that Zalo refused a user a cs message for want of
-- a recent interaction: cs is not tried again until they interact. A user
-- unknown until now is recorded as following (what Zalo decides next).
-- name: RecordCSRefused :exec
INSERT INTO zalo_followers (oa_user_id, following, cs_refused_at) VALUES (@oa_user_id, true, now())
ON CONFLICT (oa_user_id) DO UPDATE SET cs_refused_at = now(), updated_at = now();

-- RecordInteractionDate stores what Zalo says of a user's last
-- interaction (quota/message's instant, or user/detail's day; NULL when
-- Zalo gave none) and that it was asked. A user unknown until now is
-- recorded as following or not as @following says, so the next alert does
-- not ask again.
-- name: RecordInteractionDate :exec
INSERT INTO zalo_followers (oa_user_id, following, last_interaction_at, interaction_checked_at)
VALUES (@oa_user_id, @following, LEAST(sqlc.narg(interacted_at)::timestamptz, now()), now())
ON CONFLICT (oa_user_id) DO UPDATE SET interaction_checked_at = now(), updated_at = now(),
    last_interaction_at = GREATEST(zalo_followers.last_interaction_at, EXCLUDED.last_interaction_at);

-- ReachOf is what routes may reach each of these users.
-- name: ReachOf :many
SELECT oa_user_id, following, last_interaction_at, cs_refused_at FROM zalo_followers WHERE oa_user_id = ANY(@oa_user_ids::text[]);

-- RecipientID is the row id of a Zalo user the OA writes to, which names
-- their morning message. A user unknown until now is recorded as
-- following (what Zalo decides next), as a refusal records them.
-- name: RecipientID :one
WITH made AS (
    INSERT INTO zalo_followers (oa_user_id, following) VALUES (@oa_user_id, true)
    ON CONFLICT (oa_user_id) DO NOTHING
    RETURNING id
)
SELECT id FROM made
UNION ALL
SELECT id FROM zalo_followers WHERE oa_user_id = @oa_user_id
LIMIT 1;
