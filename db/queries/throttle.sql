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
