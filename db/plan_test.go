package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
)

// TestPlanDeliveries checks who is planned to get a message for a
// transaction: the integration's rules decide, and planning twice plans
// nothing twice.
func TestPlanDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Pool(t)
	q := db.New(pool)

	ws, _, err := apikey.CreateWorkspace(ctx, pool, "Shop")
	require.NoError(t, err)
	acct, err := q.CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111"})
	require.NoError(t, err)
	other, err := q.CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "222"})
	require.NoError(t, err)

	person := func(n string) seed.Person {
		return seed.Person{OAUserID: "oa" + n, AppUserID: "app" + n, Name: "P" + n}
	}
	mk := func(dir db.Direction, min int64, members ...seed.Person) db.CreateIntegrationRow {
		integ, err := seed.CreateIntegration(ctx, pool, seed.Integration{
			WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{acct.ID}, Owner: person("owner"),
			Members: members, Direction: dir, MinAmount: min,
		})
		require.NoError(t, err)
		return integ
	}
	in := mk(db.DirectionIn, 0, person("1"), person("2"))
	out := mk(db.DirectionOut, 0)
	big := mk(db.DirectionBoth, 1_000_000)

	txn := func(bank uuid.UUID, amount int64) uuid.UUID {
		row, err := q.RecordTransaction(ctx, db.RecordTransactionParams{
			WorkspaceID: ws.ID, BankAccountID: bank, ExternalID: uuid.NewString(), Amount: amount, OccurredAt: time.Now(),
		})
		require.NoError(t, err)
		return row.ID
	}
	planned := func(txnID uuid.UUID) map[uuid.UUID][]string {
		first, err := q.PlanDeliveries(ctx, txnID)
		require.NoError(t, err)
		again, err := q.PlanDeliveries(ctx, txnID)
		require.NoError(t, err)
		require.Equal(t, first, again, "idempotent: the same open deliveries, none added")
		rows, err := q.ListTransactionDeliveries(ctx, txnID)
		require.NoError(t, err)
		require.Len(t, first, len(rows))
		got := map[uuid.UUID][]string{}
		for _, r := range rows {
			got[r.IntegrationID] = append(got[r.IntegrationID], r.Recipient+"/"+string(r.Role))
		}
		return got
	}

	t.Run("money in reaches the in-integration's owner and members only", func(t *testing.T) {
		got := planned(txn(acct.ID, 599_000))
		require.ElementsMatch(t, []string{"oaowner/owner", "oa1/member", "oa2/member"}, got[in.ID])
		require.Len(t, got, 1)
	})
	t.Run("money out over the minimum reaches out and big", func(t *testing.T) {
		got := planned(txn(acct.ID, -1_250_000))
		require.Equal(t, []string{"oaowner/owner"}, got[out.ID])
		require.Equal(t, []string{"oaowner/owner"}, got[big.ID])
		require.Len(t, got, 2)
	})
	t.Run("another account reaches nobody", func(t *testing.T) {
		require.Empty(t, planned(txn(other.ID, 599_000)))
	})
	t.Run("a paused integration and a removed member are left out", func(t *testing.T) {
		_, err := pool.Exec(ctx, "UPDATE integrations SET status = 'paused' WHERE id = $1", out.ID)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, "UPDATE integration_members SET removed_at = now() WHERE oa_user_id = 'oa2'")
		require.NoError(t, err)
		require.Empty(t, planned(txn(acct.ID, -5)))
		got := planned(txn(acct.ID, 5))
		require.ElementsMatch(t, []string{"oaowner/owner", "oa1/member"}, got[in.ID])
	})
}

// TestTransactionIdentity: the same (bank account, external id) is stored
// once, however often it is inserted.
func TestTransactionIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Pool(t)
	q := db.New(pool)
	ws, _, err := apikey.CreateWorkspace(ctx, pool, "Shop")
	require.NoError(t, err)
	acct, err := q.CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111"})
	require.NoError(t, err)
	p := db.RecordTransactionParams{WorkspaceID: ws.ID, BankAccountID: acct.ID, ExternalID: "FT1", Amount: 1, OccurredAt: time.Now()}
	first, err := q.RecordTransaction(ctx, p)
	require.NoError(t, err)
	require.True(t, first.Inserted)
	again, err := q.RecordTransaction(ctx, p)
	require.NoError(t, err)
	require.False(t, again.Inserted, "a second recording says it inserted nothing")
	require.Equal(t, first.ID, again.ID, "and returns the row first recorded")

	_, err = q.CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111"})
	require.ErrorIs(t, err, db.ErrConflict, "a unique violation is a conflict, without calling a classifier")
	_, err = q.GetBankAccount(ctx, db.GetBankAccountParams{WorkspaceID: ws.ID, ID: uuid.New()})
	require.ErrorIs(t, err, db.ErrNotFound)
}
