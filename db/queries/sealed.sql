-- Every column that holds a value sealed by package secret, for `tingting
-- rekey`, which seals each one again with the current key. A new sealed
-- column belongs in both queries (internal/rekey's test compares the
-- schema's bytea columns with them).

-- name: ListSealed :many
SELECT 'oa_tokens.access_token'::text AS col, singleton::text AS key, access_token AS sealed FROM oa_tokens
UNION ALL SELECT 'oa_tokens.refresh_token', singleton::text, refresh_token FROM oa_tokens
UNION ALL SELECT 'oauth_logins.code_verifier', state, code_verifier FROM oauth_logins
UNION ALL SELECT 'oauth_logins.code', state, code FROM oauth_logins WHERE code IS NOT NULL
UNION ALL SELECT 'webhook_sources.secret', id::text, secret FROM webhook_sources
UNION ALL SELECT 'webhook_sources.previous_secret', id::text, previous_secret FROM webhook_sources WHERE previous_secret IS NOT NULL
UNION ALL SELECT 'webhook_sources.casso_api_key', id::text, casso_api_key FROM webhook_sources WHERE casso_api_key IS NOT NULL
ORDER BY 1, 2;

-- Reseal stores @resealed in place of @sealed in the row @key of column
-- @col, if the column still holds @sealed (a token refreshed or a secret
-- rotated since keeps its newer value); stored is 0 or 1.
-- name: Reseal :one
WITH oa_access AS (
    UPDATE oa_tokens a SET access_token = @resealed
    WHERE @col::text = 'oa_tokens.access_token' AND a.singleton::text = @key::text AND a.access_token = @sealed RETURNING 1
), oa_refresh AS (
    UPDATE oa_tokens r SET refresh_token = @resealed
    WHERE @col::text = 'oa_tokens.refresh_token' AND r.singleton::text = @key::text AND r.refresh_token = @sealed RETURNING 1
), verifier AS (
    UPDATE oauth_logins v SET code_verifier = @resealed
    WHERE @col::text = 'oauth_logins.code_verifier' AND v.state = @key::text AND v.code_verifier = @sealed RETURNING 1
), code AS (
    UPDATE oauth_logins c SET code = @resealed
    WHERE @col::text = 'oauth_logins.code' AND c.state = @key::text AND c.code = @sealed RETURNING 1
), source_secret AS (
    UPDATE webhook_sources s SET secret = @resealed
    WHERE @col::text = 'webhook_sources.secret' AND s.id::text = @key::text AND s.secret = @sealed RETURNING 1
), previous_secret AS (
    UPDATE webhook_sources p SET previous_secret = @resealed
    WHERE @col::text = 'webhook_sources.previous_secret' AND p.id::text = @key::text AND p.previous_secret = @sealed RETURNING 1
), casso_api_key AS (
    UPDATE webhook_sources k SET casso_api_key = @resealed
    WHERE @col::text = 'webhook_sources.casso_api_key' AND k.id::text = @key::text AND k.casso_api_key = @sealed RETURNING 1
)
SELECT ((SELECT count(*) FROM oa_access) + (SELECT count(*) FROM oa_refresh) + (SELECT count(*) FROM verifier)
      + (SELECT count(*) FROM code) + (SELECT count(*) FROM source_secret) + (SELECT count(*) FROM previous_secret)
      + (SELECT count(*) FROM casso_api_key))::bigint AS stored;
