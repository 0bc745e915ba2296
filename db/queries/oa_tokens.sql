-- name: GetOAToken :one
SELECT * FROM oa_tokens WHERE singleton;

-- SetOAToken stores a pair given by configuration. Unless force is set, a
-- pair already stored wins: it is newer than any configuration.
-- name: SetOAToken :exec
INSERT INTO oa_tokens (access_token, refresh_token, expires_at)
VALUES (@access_token, @refresh_token, @expires_at)
ON CONFLICT (singleton) DO UPDATE SET
    access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
    expires_at = EXCLUDED.expires_at, version = oa_tokens.version + 1, updated_at = now(),
    refresh_state = '', refresh_started_at = NULL
WHERE @force::boolean;

-- SwapOAToken replaces the pair only if it is still the given version.
-- name: SwapOAToken :one
UPDATE oa_tokens SET
    access_token = @access_token, refresh_token = @refresh_token, expires_at = @expires_at,
    version = version + 1, updated_at = now(), refresh_state = '', refresh_started_at = NULL
WHERE singleton AND version = @version
RETURNING version, expires_at;

-- MarkOARefresh records where the refresh of the given version stands.
-- name: MarkOARefresh :exec
UPDATE oa_tokens SET refresh_state = @refresh_state,
    refresh_started_at = CASE WHEN @refresh_state = 'in_flight' THEN now() ELSE refresh_started_at END
WHERE singleton AND version = @version;
