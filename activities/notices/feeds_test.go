package notices_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestABankFeedThatFellSilentIsTold: a webhook source that delivered
// every few hours for a week, then nothing for longer than its longest
// gap, makes the owner a silence notice for the account it fed, though the
// integration asked for none; a source without a week of daily deliveries
// does not.
func TestABankFeedThatFellSilentIsTold(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := context.Background()
	q := db.New(s.Pool)
	dueNotices := func() []contract.OwnerNotice {
		t.Helper()
		v, err := s.Env.ExecuteActivity(acts.DueNotices, 6*time.Minute)
		require.NoError(t, err)
		var due []contract.OwnerNotice
		require.NoError(t, v.Get(&due))
		return due
	}
	feed := func(every time.Duration, days int, quiet time.Duration) uuid.UUID {
		id, err := q.CreateWebhookSource(ctx, db.CreateWebhookSourceParams{WorkspaceID: s.Acct.WorkspaceID, Provider: "casso_v2", Secret: []byte("x")})
		require.NoError(t, err)
		_, err = s.Pool.Exec(ctx, `
			INSERT INTO transactions (workspace_id, bank_account_id, external_id, amount, occurred_at, received_at, source_id, via)
			SELECT $1, $2, $3::text || g, 1000, now() - g * $4::interval - $6::interval, now() - g * $4::interval - $6::interval, $7, 'webhook'
			FROM generate_series(0, (extract(epoch FROM $5::interval) / extract(epoch FROM $4::interval))::int) g`,
			s.Acct.WorkspaceID, s.Acct.ID, id.String(), every.String(), fmt.Sprintf("%d days", days), quiet.String(), id)
		require.NoError(t, err)
		_, err = s.Pool.Exec(ctx, "UPDATE webhook_sources SET last_webhook_at = now() - $2::interval WHERE id = $1", id, quiet.String())
		require.NoError(t, err)
		return id
	}
	young := feed(3*time.Hour, 2, 5*time.Hour) // two days of history: not yet known to be daily
	require.Empty(t, dueNotices(), "a feed without a week behind it")
	_, err := s.Pool.Exec(ctx, "DELETE FROM transactions WHERE source_id = $1", young)
	require.NoError(t, err)

	feed(3*time.Hour, 8, 2*time.Hour) // a week of deliveries every 3 hours, quiet for 2
	require.Empty(t, dueNotices(), "quiet for less than its usual gap")

	_, err = s.Pool.Exec(ctx, "UPDATE transactions SET received_at = received_at - interval '2 hours'")
	require.NoError(t, err)
	_, err = s.Pool.Exec(ctx, "UPDATE webhook_sources SET last_webhook_at = last_webhook_at - interval '2 hours'")
	require.NoError(t, err)
	due := dueNotices()
	require.Len(t, due, 1, "quiet for 4 hours, where 3 was its longest")
	require.Equal(t, contract.NoticeSilence, due[0].Kind)
	require.Equal(t, 3, due[0].Hours)
	require.Empty(t, dueNotices(), "told once per silence")
	out, err := s.tell(t, due[0])
	require.NoError(t, err)
	require.Equal(t, send.Sent, out.Status)
	require.Contains(t, s.Sim.Inbox(s.Owner.OAUserID)[0].Text, "Tài khoản 111 chưa có giao dịch nào trong 3 giờ qua")
}
