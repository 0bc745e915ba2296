package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/secret"
)

// TestAnOperatorSeesParkedWorkAndSendsItAgain: `tingting outbox list`
// shows what Temporal refused to start for good, with its refusal, and
// `tingting outbox retry` makes it due again (all of it, or the ids given).
func TestAnOperatorSeesParkedWorkAndSendsItAgain(t *testing.T) {
	url := testenv.DatabaseURL(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	getenv := func(k string) string { return map[string]string{"DATABASE_URL": url}[k] }
	tingting := func(args ...string) string {
		var out bytes.Buffer
		require.NoError(t, run(ctx, append([]string{"tingting", "outbox"}, args...), getenv, &out, io.Discard))
		return out.String()
	}
	require.Equal(t, "Nothing is parked.\n", tingting("list"))

	var parked, other, waiting uuid.UUID
	for _, row := range []struct {
		id     *uuid.UUID
		parked bool
	}{{&parked, true}, {&other, true}, {&waiting, false}} {
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO outbox (kind, ref, attempts, next_attempt_at, parked_at, last_error)
			VALUES ('notify', gen_random_uuid(), 1, now() + interval '1 hour', CASE WHEN $1 THEN now() END,
			        'search attribute IntegrationId value size 2100 exceeds size limit 2048') RETURNING id`, row.parked).Scan(row.id))
	}
	list := tingting("list")
	require.Contains(t, list, parked.String())
	require.Contains(t, list, other.String())
	require.Contains(t, list, "search attribute IntegrationId value size 2100 exceeds size limit 2048")
	require.NotContains(t, list, waiting.String(), "only what is parked")

	require.Contains(t, tingting("retry", parked.String(), waiting.String()), waiting.String()+" is not parked")
	var due bool
	var attempts int
	require.NoError(t, pool.QueryRow(ctx, "SELECT parked_at IS NULL AND next_attempt_at <= now(), attempts FROM outbox WHERE id = $1", parked).Scan(&due, &attempts))
	require.True(t, due, "sent again at once")
	require.Zero(t, attempts)
	require.NotContains(t, tingting("list"), parked.String())
	require.Contains(t, tingting("list"), other.String(), "only the ids given")

	require.Equal(t, "1 parked rows sent again; the dispatcher starts them now (a row refused again is parked again).\n", tingting("retry"))
	require.Equal(t, "Nothing is parked.\n", tingting("list"))
	err = run(ctx, []string{"tingting", "outbox", "retry", "nope"}, getenv, io.Discard, io.Discard)
	require.ErrorContains(t, err, `"nope" is not an outbox id`)
}

// TestRekeyAfterARotation: `tingting rekey`, run with the new key and the
// old one beside it, seals the stored secrets again, so that the new key
// alone opens them; run again, it has nothing to do.
func TestRekeyAfterARotation(t *testing.T) {
	url := testenv.DatabaseURL(t)
	ctx := context.Background()
	oldKey, newKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	env := map[string]string{"DATABASE_URL": url, "TINGTING_ENCRYPTION_KEY": oldKey}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"tingting", "workspace", "create", "--name", "Shop"}, getenv, &out, io.Discard))
	a, err := app.New(getenv, io.Discard)
	require.NoError(t, err)
	box, err := a.Box()
	require.NoError(t, err)
	pool, err := db.Open(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(ctx, "INSERT INTO webhook_sources (workspace_id, provider, secret) SELECT id, 'casso_v2', $1 FROM workspaces",
		box.Seal("casso-secret", secret.WebhookSecret))
	require.NoError(t, err)

	env["TINGTING_ENCRYPTION_KEY"], env["TINGTING_ENCRYPTION_OLD_KEYS"] = newKey, oldKey
	out.Reset()
	require.NoError(t, run(ctx, []string{"tingting", "rekey"}, getenv, &out, io.Discard))
	require.Regexp(t, `webhook_sources.secret\s+1\s+0\s+0\s+0`, out.String())

	delete(env, "TINGTING_ENCRYPTION_OLD_KEYS")
	a, err = app.New(getenv, io.Discard)
	require.NoError(t, err)
	box, err = a.Box()
	require.NoError(t, err)
	var sealed []byte
	require.NoError(t, pool.QueryRow(ctx, "SELECT secret FROM webhook_sources").Scan(&sealed))
	plain, err := box.Open(sealed, secret.WebhookSecret)
	require.NoError(t, err, "the new key alone opens it")
	require.Equal(t, "casso-secret", plain)
	out.Reset()
	require.NoError(t, run(ctx, []string{"tingting", "rekey"}, getenv, &out, io.Discard))
	require.Regexp(t, `webhook_sources.secret\s+0\s+1\s+0\s+0`, out.String(), "nothing left to do")
}
