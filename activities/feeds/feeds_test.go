package feeds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/activities/feeds"
	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/ingest"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/workflows/contract"
)

var acts *feeds.Activities

// fakeCasso is Casso's read-back API as a list of pages, for one key.
type fakeCasso struct {
	key     string
	mu      sync.Mutex
	pages   [][]casso.Transaction
	refuse  bool
	queries []string
}

func (c *fakeCasso) Transactions(_ context.Context, apiKey, from, to string, page int) (casso.Page, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries = append(c.queries, fmt.Sprintf("%s..%s p%d", from, to, page))
	if c.refuse || apiKey != c.key {
		return casso.Page{}, &feeds.KeyRefusedError{Status: 401, Message: "Unauthorized"}
	}
	if page > len(c.pages) {
		return casso.Page{Page: page, TotalPages: len(c.pages)}, nil
	}
	return casso.Page{Page: page, TotalPages: len(c.pages), Records: c.pages[page-1]}, nil
}

func cassoTxn(id int, account string) casso.Transaction {
	raw, _ := json.Marshal(map[string]any{"id": id})
	return casso.Transaction{
		ID: fmt.Sprint(id), Amount: int64(1000 * id), Description: fmt.Sprint("Thanh toan ", id), AccountNumber: account,
		BankName: "VPBank", OccurredAt: time.Now().Add(-time.Hour), Raw: raw,
	}
}

type feed struct {
	pool   *db.Pool
	env    *testsuite.TestActivityEnvironment
	casso  *fakeCasso
	source uuid.UUID
	ws     uuid.UUID
}

func newFeed(t *testing.T) *feed {
	t.Helper()
	ctx := context.Background()
	f := &feed{pool: testenv.Pool(t), casso: &fakeCasso{key: "casso-api-key"}}
	ws, _, err := apikey.CreateWorkspace(ctx, f.pool, "Shop")
	require.NoError(t, err)
	f.ws = ws.ID
	box, err := secret.New(make([]byte, 32))
	require.NoError(t, err)
	f.source, err = db.New(f.pool).CreateWebhookSource(ctx, db.CreateWebhookSourceParams{
		WorkspaceID: ws.ID, Provider: "casso_v2", Secret: box.Seal("secret", secret.WebhookSecret),
		CassoAPIKey: box.Seal("casso-api-key", secret.CassoAPIKey),
	})
	require.NoError(t, err)
	var s testsuite.WorkflowTestSuite
	f.env = s.NewTestActivityEnvironment()
	f.env.RegisterActivity(&feeds.Activities{Pool: f.pool, Box: box, Casso: f.casso, Metrics: metrics.New(), Now: time.Now})
	return f
}

func (f *feed) readBack(t *testing.T) contract.ReadBackOutcome {
	t.Helper()
	v, err := f.env.ExecuteActivity(acts.ReadBack, contract.ReadBackSource{SourceID: f.source, From: "2026-11-22", To: "2026-11-25"})
	require.NoError(t, err)
	var out contract.ReadBackOutcome
	require.NoError(t, v.Get(&out))
	return out
}

func TestReadBackRecordsWhatTheWebhooksMissed(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	ctx := context.Background()
	// The webhook brought 1; Casso lists 1, 2 and 3 over two pages.
	err := db.InTx(ctx, f.pool, func(q *db.Queries) error {
		t := ingest.FromCasso(cassoTxn(1, "88888888"))
		if err := t.Check(ingest.Cut, time.Now()); err != nil {
			return err
		}
		_, err := ingest.Record(ctx, q, ingest.Feed(f.ws, f.source, db.TransactionViaWebhook), t)
		return err
	})
	require.NoError(t, err)
	f.casso.pages = [][]casso.Transaction{{cassoTxn(1, "88888888"), cassoTxn(2, "88888888")}, {cassoTxn(3, "99999999")}}

	out := f.readBack(t)
	require.Equal(t, contract.ReadBackOutcome{Read: 3, Recovered: 2}, out)
	require.Equal(t, []string{"2026-11-22..2026-11-25 p1", "2026-11-22..2026-11-25 p2"}, f.casso.queries)
	rows, err := f.pool.Query(ctx, "SELECT external_id, via FROM transactions ORDER BY external_id")
	require.NoError(t, err)
	var got []string
	for rows.Next() {
		var id, via string
		require.NoError(t, rows.Scan(&id, &via))
		got = append(got, id+":"+via)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"1:webhook", "2:reconcile", "3:reconcile"}, got)
	var queued int
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE kind = 'notify'").Scan(&queued))
	require.Equal(t, 3, queued, "each recovered transaction is notified as any is")
	var lastSync *time.Time
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT last_sync_at FROM webhook_sources WHERE id = $1", f.source).Scan(&lastSync))
	require.NotNil(t, lastSync)

	require.Equal(t, contract.ReadBackOutcome{Read: 3}, f.readBack(t), "read again: nothing new")
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE kind = 'notify'").Scan(&queued))
	require.Equal(t, 3, queued)
}

func TestAKeyCassoRefusesIsToldOnce(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	ctx := context.Background()
	for _, name := range []string{"Chủ A", "Chủ B"} {
		_, err := seed.CreateIntegration(ctx, f.pool, seed.Integration{
			WorkspaceID: f.ws, Owner: seed.Person{OAUserID: uuid.NewString(), AppUserID: uuid.NewString(), Name: name},
		})
		require.NoError(t, err)
	}
	f.casso.refuse = true
	out := f.readBack(t)
	require.False(t, out.RefusedSince.IsZero())
	require.Len(t, out.Tell, 2, "one notice per owner")
	for _, n := range out.Tell {
		require.Equal(t, contract.NoticeCassoKeyRefused, n.Kind)
		require.Equal(t, f.source.String()[:8], n.About)
	}
	var syncError string
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT sync_error FROM webhook_sources WHERE id = $1", f.source).Scan(&syncError))
	require.Equal(t, "Casso refused the API key (401: Unauthorized)", syncError)

	again := f.readBack(t)
	require.Equal(t, out.RefusedSince, again.RefusedSince, "the same refusal")
	require.Equal(t, out.Tell, again.Tell, "not told yet: the same notices (their ids keep them once)")
	_, err := f.env.ExecuteActivity(acts.ReadBackTold, contract.ReadBackTold{SourceID: f.source, Since: out.RefusedSince})
	require.NoError(t, err)
	require.Empty(t, f.readBack(t).Tell, "told once")

	// The key works again: the error is gone, and a later refusal is
	// another one, told again.
	f.casso.refuse = false
	require.True(t, f.readBack(t).RefusedSince.IsZero())
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT sync_error FROM webhook_sources WHERE id = $1", f.source).Scan(&syncError))
	require.Empty(t, syncError)
	f.casso.refuse = true
	require.Len(t, f.readBack(t).Tell, 2)
}

func TestReadBackSources(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	v, err := f.env.ExecuteActivity(acts.ReadBackSources, feeds.SourcesPage{Max: 10})
	require.NoError(t, err)
	var ids []uuid.UUID
	require.NoError(t, v.Get(&ids))
	require.Contains(t, ids, f.source)
	_, err = f.pool.Exec(context.Background(), "UPDATE webhook_sources SET deleted_at = now() WHERE id = $1", f.source)
	require.NoError(t, err)
	v, err = f.env.ExecuteActivity(acts.ReadBackSources, feeds.SourcesPage{Max: 10})
	require.NoError(t, err)
	require.NoError(t, v.Get(&ids))
	require.NotContains(t, ids, f.source, "a deleted source is not read back")
	require.Equal(t, contract.ReadBackOutcome{}, f.readBack(t))
}
