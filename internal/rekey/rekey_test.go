package rekey_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/rekey"
	"github.com/tingting-vn/tingting/internal/secret"
)

// TestEverySealedColumnIsRekeyed: every bytea column of the schema is
// either sealed, and so rekeyed, or known to hold something else. A new
// sealed column that rekey does not know would keep its old key for ever.
func TestEverySealedColumnIsRekeyed(t *testing.T) {
	pool := testenv.Pool(t)
	rows, err := pool.Query(context.Background(), `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'bytea' ORDER BY 1`)
	require.NoError(t, err)
	var columns []string
	for rows.Next() {
		var c string
		require.NoError(t, rows.Scan(&c))
		columns = append(columns, c)
	}
	require.NoError(t, rows.Err())
	notSealed := []string{
		"api_keys.key_hash",         // SHA-256 of the key
		"notes.fingerprint",         // SHA-256 of a note's text, to know it again
		"oauth_logins.browser_hash", // SHA-256 of the login cookie
		"oauth_logins.invite_hash",  // SHA-256 of the team invite it carries
		"sessions.token_hash",       // SHA-256 of the session cookie
		"team_invites.code_hash",    // SHA-256 of the invite code
		"zalo_events.raw",           // the event as Zalo signed it
	}
	require.ElementsMatch(t, append(notSealed, rekey.Columns()...), columns)
}

// TestRekeyMovesEverySecretToTheNewKey: after a rotation, rekey seals every
// stored secret again with the new key, so the old key can go; a second
// run finds nothing to do, and a value no configured key opens is named.
func TestRekeyMovesEverySecretToTheNewKey(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Pool(t)
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	before, err := secret.New(oldKey)
	require.NoError(t, err)
	ws, _, err := apikey.CreateWorkspace(ctx, pool, "Shop")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO oa_tokens (access_token, refresh_token, expires_at) VALUES ($1, $2, now())`,
		before.Seal("access", secret.OAAccessToken), before.Seal("refresh", secret.OARefreshToken))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO oauth_logins (state, workspace_id, wizard_id, code_verifier, code) VALUES ('s1', $1, 'w', $2, $3), ('s2', $1, 'w', $4, NULL)`,
		ws.ID, before.Seal("verifier", secret.CodeVerifier), before.Seal("code", secret.OAuthCode), before.Seal("verifier 2", secret.CodeVerifier))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO webhook_sources (workspace_id, provider, secret, previous_secret, previous_secret_expires_at)
		VALUES ($1, 'casso_v2', $2, $3, now() + interval '1 day'), ($1, 'casso_v1', $4, NULL, NULL)`,
		ws.ID, before.Seal("current", secret.WebhookSecret), before.Seal("previous", secret.WebhookSecret), before.Seal("v1 token", secret.WebhookSecret))
	require.NoError(t, err)

	rotated, err := secret.New(newKey, oldKey)
	require.NoError(t, err)
	counts, err := rekey.Run(ctx, pool, rotated)
	require.NoError(t, err)
	require.Equal(t, []rekey.Column{
		{Name: "oa_tokens.access_token", Resealed: 1},
		{Name: "oa_tokens.refresh_token", Resealed: 1},
		{Name: "oauth_logins.code", Resealed: 1},
		{Name: "oauth_logins.code_verifier", Resealed: 2},
		{Name: "webhook_sources.previous_secret", Resealed: 1},
		{Name: "webhook_sources.secret", Resealed: 2},
	}, counts)

	// The old key can go: the new one alone opens everything.
	onlyNew, err := secret.New(newKey)
	require.NoError(t, err)
	var access, refresh, verifier, code, current, previous []byte
	require.NoError(t, pool.QueryRow(ctx, "SELECT access_token, refresh_token FROM oa_tokens").Scan(&access, &refresh))
	require.NoError(t, pool.QueryRow(ctx, "SELECT code_verifier, code FROM oauth_logins WHERE state = 's1'").Scan(&verifier, &code))
	require.NoError(t, pool.QueryRow(ctx, "SELECT secret, previous_secret FROM webhook_sources WHERE provider = 'casso_v2'").Scan(&current, &previous))
	for sealed, want := range map[*[]byte]struct {
		plain   string
		purpose secret.Purpose
	}{
		&access: {"access", secret.OAAccessToken}, &refresh: {"refresh", secret.OARefreshToken},
		&verifier: {"verifier", secret.CodeVerifier}, &code: {"code", secret.OAuthCode},
		&current: {"current", secret.WebhookSecret}, &previous: {"previous", secret.WebhookSecret},
	} {
		got, err := onlyNew.Open(*sealed, want.purpose)
		require.NoError(t, err, want.plain)
		require.Equal(t, want.plain, got)
	}

	counts, err = rekey.Run(ctx, pool, rotated)
	require.NoError(t, err)
	for _, c := range counts {
		require.Zero(t, c.Resealed, c.Name)
		require.NotZero(t, c.Current, c.Name)
	}

	_, err = rekey.Run(ctx, pool, before) // the new key forgotten
	require.ErrorIs(t, err, rekey.ErrUnopened)
}
