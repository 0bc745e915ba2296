-- MayReply says whether the OA may answer a sender's malformed command
-- now, and if so records that it does: at most one answer per @every.
-- name: MayReply :one
WITH answered AS (
    INSERT INTO reply_throttle AS r (oa_user_id, last_at) VALUES (@oa_user_id, now())
    ON CONFLICT (oa_user_id) DO UPDATE SET last_at = now()
    WHERE r.last_at <= now() - make_interval(secs => @every_seconds::float8)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM answered)::boolean;

-- StrangerAnsweredToday says whether the sender is in no integration (a
-- stranger) and was answered today (Vietnam day) already: their command
-- needs nothing more. It writes nothing.
-- name: StrangerAnsweredToday :one
SELECT (EXISTS (
    SELECT 1 FROM stranger_answers s
    WHERE s.oa_user_id = @oa_user_id AND s.day = (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
) AND NOT EXISTS (SELECT 1 FROM oa_recipients r WHERE r.oa_user_id = @oa_user_id))::boolean AS answered;

-- ClaimStrangerAnswer says whether the sender is in no integration (a
-- stranger), and if so claims their one answer of the day (Vietnam day)
-- for @event: granted when they were not answered today, or today's answer
-- went to this same event (handled again). One statement, so racing
-- commands get one.
-- name: ClaimStrangerAnswer :one
WITH stranger AS (
    SELECT NOT EXISTS (SELECT 1 FROM oa_recipients r WHERE r.oa_user_id = @oa_user_id) AS yes
), claimed AS (
    INSERT INTO stranger_answers AS s (oa_user_id, day, event)
    SELECT @oa_user_id, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, @event FROM stranger WHERE stranger.yes
    ON CONFLICT (oa_user_id) DO UPDATE SET day = EXCLUDED.day, event = EXCLUDED.event
    WHERE s.day < EXCLUDED.day OR s.event = EXCLUDED.event
    RETURNING 1
)
SELECT stranger.yes::boolean AS stranger, EXISTS (SELECT 1 FROM claimed)::boolean AS granted FROM stranger;

-- TakeAnswer takes one of a recipient's answers for @event: a bucket of
-- @burst, refilled at @per_second. Handling the last answered event again
-- takes nothing and is granted.
-- name: TakeAnswer :one
WITH taken AS (
    INSERT INTO answer_allowances AS a (oa_user_id, tokens, at, event)
    VALUES (@oa_user_id, sqlc.arg(burst)::float8 - 1, now(), @event)
    ON CONFLICT (oa_user_id) DO UPDATE SET
        tokens = LEAST(sqlc.arg(burst)::float8, a.tokens + EXTRACT(EPOCH FROM now() - a.at)::float8 * sqlc.arg(per_second)::float8) - 1,
        at = now(), event = EXCLUDED.event
    WHERE a.event <> EXCLUDED.event
      AND LEAST(sqlc.arg(burst)::float8, a.tokens + EXTRACT(EPOCH FROM now() - a.at)::float8 * sqlc.arg(per_second)::float8) >= 1
    RETURNING 1
)
SELECT (EXISTS (SELECT 1 FROM taken)
    OR EXISTS (SELECT 1 FROM answer_allowances l WHERE l.oa_user_id = @oa_user_id AND l.event = @event))::boolean AS granted;
