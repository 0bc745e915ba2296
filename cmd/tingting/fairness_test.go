package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// late records n transactions of the shop's account whose outbox rows are
// a minute old when the dispatcher first sees them (as after an outage):
// their notifications start as a backlog, whose sends wait on the paced
// queue. It returns their ids.
func (sh *shop) late(t *testing.T, n int) []uuid.UUID {
	t.Helper()
	ctx := context.Background()
	pool, err := db.Open(ctx, sh.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	acct, err := db.New(pool).GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{
		WorkspaceID: uuid.MustParse(sh.workspaceOf(t, sh.key)), AccountNumber: "111"})
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	var ids []uuid.UUID
	for range n {
		sh.txns++
		txn, err := db.New(tx).RecordTransaction(ctx, db.RecordTransactionParams{
			WorkspaceID: acct.WorkspaceID, BankAccountID: acct.ID, ExternalID: fmt.Sprint("LATE", sh.txns), Amount: 10_000, OccurredAt: time.Now(),
		})
		require.NoError(t, err)
		ids = append(ids, txn.ID)
	}
	_, err = tx.Exec(ctx, "UPDATE outbox SET created_at = now() - interval '1 minute' WHERE ref = ANY($1)", ids)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	return ids
}

// TestOneShopsBacklogDoesNotHoldAnothersSends: two shops on one OA paced
// at 4 messages a second. One shop's backlog of 24 transactions is waiting
// on the backlog queue when the other's 3 arrive, as a backlog too: they
// go out in turn with the first shop's, not behind all of them, because
// each shop's tasks carry its workspace as their Temporal fairness key.
func TestOneShopsBacklogDoesNotHoldAnothersSends(t *testing.T) {
	noisy := newShopWith(t, "ZALO_SEND_RATE", "4")
	quiet := noisy.shop(t, "Quiet shop", "Anh Minh")

	first := noisy.late(t, 24)
	require.Eventually(t, func() bool { return len(noisy.sim.Inbox(noisy.owner.OAUserID)) > 0 },
		20*time.Second, 20*time.Millisecond, "the noisy shop's backlog never started sending")
	quiet.late(t, 3)
	require.Eventually(t, func() bool { return len(quiet.sim.Inbox(quiet.owner.OAUserID)) == 3 },
		30*time.Second, 20*time.Millisecond, "the quiet shop's alerts never arrived")
	waiting := 24 - len(noisy.sim.Inbox(noisy.owner.OAUserID))
	require.GreaterOrEqual(t, waiting, 6, "the quiet shop's alerts waited for most of the other's backlog")

	// The notification carries its workspace as its fairness key, and its
	// sends inherit it.
	desc, err := temporalServer.Client().DescribeWorkflowExecution(context.Background(), contract.TransactionWorkflowID(first[0]), "")
	require.NoError(t, err)
	require.Equal(t, noisy.workspaceOf(t, noisy.key), desc.GetWorkflowExecutionInfo().GetPriority().GetFairnessKey())
	require.Eventually(t, func() bool { return len(noisy.sim.Inbox(noisy.owner.OAUserID)) == 24 },
		30*time.Second, 50*time.Millisecond, "the noisy shop's backlog drains too")
}
