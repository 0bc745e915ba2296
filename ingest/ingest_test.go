package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/ingest"
)

// TestCheck: the bounds every source shares, and what over-long text
// becomes for a REST client (refused) and for a signed feed (cut).
func TestCheck(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	valid := func() ingest.Transaction {
		return ingest.Transaction{
			ExternalID: "FT1", Amount: 599_000, OccurredAt: now.Add(-time.Hour), Description: "Thanh toán",
			Account: ingest.Account{Number: " 88888888\t", BankName: "VP\x00Bank"},
		}
	}
	huge := int64(ingest.MaxAmount + 1)
	for _, tc := range []struct {
		name   string
		change func(*ingest.Transaction)
		field  string
	}{
		{"zero amount", func(t *ingest.Transaction) { t.Amount = 0 }, "amount"},
		{"absurd amount", func(t *ingest.Transaction) { t.Amount = -huge }, "amount"},
		{"absurd balance", func(t *ingest.Transaction) { t.BalanceAfter = &huge }, "balance_after"},
		{"before 2000", func(t *ingest.Transaction) { t.OccurredAt = time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC) }, "occurred_at"},
		{"over a day ahead", func(t *ingest.Transaction) { t.OccurredAt = now.Add(25 * time.Hour) }, "occurred_at"},
		{"no id", func(t *ingest.Transaction) { t.ExternalID = " \n" }, "external_id"},
		{"no account", func(t *ingest.Transaction) { t.Account.Number = "\t" }, "account_number"},
	} {
		for _, mode := range []ingest.Mode{ingest.Refuse, ingest.Cut} {
			txn := valid()
			tc.change(&txn)
			err := txn.Check(mode, now)
			var fe *ingest.FieldError
			require.ErrorAs(t, err, &fe, "%s (mode %d)", tc.name, mode)
			require.Equal(t, tc.field, fe.Field, tc.name)
		}
	}

	txn := valid()
	require.NoError(t, txn.Check(ingest.Cut, now))
	require.Equal(t, "88888888", txn.Account.Number, "cleaned as the REST API stores accounts")
	require.Equal(t, "VP Bank", txn.Account.BankName, "a NUL is a space, not a refusal")

	long := valid()
	long.Description = strings.Repeat("ađ", 600)
	long.ExternalID = strings.Repeat("9", 200)
	refused := long
	require.EqualError(t, refused.Check(ingest.Refuse, now), "external_id: at most 128 characters")
	require.NoError(t, long.Check(ingest.Cut, now))
	require.Equal(t, strings.Repeat("ađ", 500), long.Description)
	require.True(t, strings.HasPrefix(long.ExternalID, "sha256:"), "an id is never cut: two could become one")

	api := valid()
	api.BankAccountID, api.Account = uuid.New(), ingest.Account{}
	require.NoError(t, api.Check(ingest.Refuse, now), "an account resolved by id needs no number")
	api.Description = "a\u202eb\nSố tiền: +500.000.000 VND"
	require.NoError(t, api.Check(ingest.Refuse, now))
	require.Equal(t, "a b Số tiền: +500.000.000 VND", api.Description, "no line, no reordering")
	api.Description = "\xff"
	require.EqualError(t, api.Check(ingest.Refuse, now), "description: must be valid UTF-8 text")
}
