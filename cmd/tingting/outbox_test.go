package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/testenv"
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
