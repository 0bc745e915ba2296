package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestAStartTemporalRefusesForGoodIsParked: a transaction whose
// NotifyTransaction Temporal refuses (here its search attributes pass the
// server's limit on a value, which a server set lower shows with three
// integrations) is not tried every few seconds for ever: the dispatcher
// parks it with Temporal's refusal, logs it and counts it, and once the
// cause is gone `retry` starts it.
func TestAStartTemporalRefusesForGoodIsParked(t *testing.T) {
	testenv.SkipShort(t, "a Temporal dev server")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bin, err := devtemporal.Binary(ctx, nil)
	require.NoError(t, err)
	srv, err := devtemporal.Start(ctx, devtemporal.Options{Binary: bin, Namespace: "default",
		ExtraArgs: []string{"--dynamic-config-value", "frontend.searchAttributesSizeOfValueLimit=100"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })

	pool := testenv.Pool(t)
	q := db.New(pool)
	ws, _, err := apikey.CreateWorkspace(ctx, pool, "Shop")
	require.NoError(t, err)
	acct, err := q.CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111"})
	require.NoError(t, err)
	var integrations []uuid.UUID
	for i := range 3 {
		integ, err := seed.CreateIntegration(ctx, pool, seed.Integration{WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{acct.ID},
			Owner: seed.Person{OAUserID: fmt.Sprint(100 + i), AppUserID: fmt.Sprint(200 + i), Name: "Lan"}})
		require.NoError(t, err)
		integrations = append(integrations, integ.ID)
	}
	txn, err := q.RecordTransaction(ctx, db.RecordTransactionParams{WorkspaceID: ws.ID, BankAccountID: acct.ID,
		ExternalID: "FT1", Amount: 5000, OccurredAt: time.Now()}) // and its outbox row
	require.NoError(t, err)

	m := metrics.New()
	var log testenv.Buffer
	d := &worker.Dispatcher{Pool: pool, Temporal: srv.Client(), Log: slog.New(slog.NewTextHandler(&log, nil)), Metrics: m}
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()

	var parked []db.ListParkedWorkRow
	require.Eventually(t, func() bool {
		parked, err = q.ListParkedWork(ctx)
		require.NoError(t, err)
		return len(parked) == 1
	}, 20*time.Second, 50*time.Millisecond, "the refused start was never parked; log: %s", &log)
	require.Equal(t, txn.ID, parked[0].Ref)
	require.Contains(t, parked[0].LastError, "IntegrationId", "Temporal's refusal is kept: %s", parked[0].LastError)
	require.EqualValues(t, 3, parked[0].Attempts, "refused three times in a row, then parked")
	require.Eventually(t, func() bool { return testutil.ToFloat64(m.OutboxParked) == 1 }, 5*time.Second, 50*time.Millisecond)
	require.Contains(t, log.String(), "outbox row parked")
	time.Sleep(6 * time.Second) // a dispatcher that retried would have tried at least once more by now
	parked, err = q.ListParkedWork(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 3, parked[0].Attempts, "a parked row is not tried again on its own")

	// The operator fixes the cause (two integrations paused: one id left
	// fits), and sends the row again.
	_, err = pool.Exec(ctx, "UPDATE integrations SET status = 'paused' WHERE id = ANY($1)", integrations[1:])
	require.NoError(t, err)
	retried, err := q.RetryParkedWork(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{parked[0].ID}, retried)
	require.Eventually(t, func() bool {
		_, err := srv.Client().DescribeWorkflowExecution(ctx, contract.TransactionWorkflowID(txn.ID), "")
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "the retried row's workflow never started")
	require.Eventually(t, func() bool { return testutil.ToFloat64(m.OutboxParked) == 0 }, 5*time.Second, 50*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}
