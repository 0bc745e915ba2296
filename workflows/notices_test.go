package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// noon is a scene at noon today in Vietnam, the owner in the chat window.
func noon(t *testing.T) *night {
	today := time.Now().In(vntime.Zone)
	return chatting(t, time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, vntime.Zone))
}

// chatting is a scene starting at start, the owner in the chat window.
func chatting(t *testing.T, start time.Time) *night {
	n := newScene(t, start)
	_, err := n.Pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = now() WHERE oa_user_id = $1", n.Owner.OAUserID)
	require.NoError(t, err)
	return n
}

// tell runs one notice's workflow to its end and returns its status.
func (n *night) tell(t *testing.T, notice contract.OwnerNotice) string {
	n.env.ExecuteWorkflow(workflows.OwnerNotice, notice)
	require.True(t, n.env.IsWorkflowCompleted())
	require.NoError(t, n.env.GetWorkflowError())
	var status string
	require.NoError(t, n.env.GetWorkflowResult(&status))
	return status
}

func (n *night) ownerInbox() []string {
	var out []string
	for _, m := range n.Sim.Inbox(n.Owner.OAUserID) {
		out = append(out, m.Text)
	}
	return out
}

// TestASilentAccountIsToldOnceAndItsReturnToo: an account with no
// transaction for the integration's silence_alert_hours makes the owner
// one notice, found again by every maintenance run until it is sent (its
// workflow id the same each time); the account's next transaction tells
// them it is back, once however often that transaction is planned.
func TestASilentAccountIsToldOnceAndItsReturnToo(t *testing.T) {
	t.Parallel()
	n := noon(t)
	ctx := context.Background()
	q := db.New(n.Pool)
	_, err := n.Pool.Exec(ctx, "UPDATE integrations SET silence_alert_hours = 2, created_at = now() - interval '1 day' WHERE id = $1", n.Integ.ID)
	require.NoError(t, err)
	_, err = q.RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: n.Acct.WorkspaceID, BankAccountID: n.Acct.ID, ExternalID: "old", Amount: 1000, OccurredAt: time.Now().Add(-3 * time.Hour),
	})
	require.NoError(t, err)
	_, err = n.Pool.Exec(ctx, "UPDATE transactions SET received_at = now() - interval '3 hours' WHERE external_id = 'old'")
	require.NoError(t, err)

	due := n.due(t)
	require.Len(t, due, 1)
	require.Equal(t, contract.NoticeSilence, due[0].Kind)
	require.Equal(t, "111", due[0].About)
	require.NotContains(t, contract.NoticeWorkflowID(due[0]), "111", "Temporal keeps ids in plain text")
	require.Equal(t, due, n.due(t), "found again until told: the same notice")
	require.Equal(t, string(send.Sent), n.tell(t, due[0]))
	require.Empty(t, n.due(t), "told once per silence")
	require.Len(t, n.ownerInbox(), 1)
	require.Contains(t, n.ownerInbox()[0], "Tài khoản 111 chưa có giao dịch nào trong 2 giờ qua")

	txn, err := q.RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: n.Acct.WorkspaceID, BankAccountID: n.Acct.ID, ExternalID: "new", Amount: 5000, OccurredAt: time.Now(),
	})
	require.NoError(t, err)
	sent, err := n.Acts.Notify.DeliverTransaction(ctx, notify.DeliverInput{TransactionID: txn.ID})
	require.NoError(t, err)
	require.Equal(t, contract.NotifyResult{Sent: 1}, sent.Done, "the alert goes out")
	require.Len(t, sent.Notices, 1)
	require.Equal(t, contract.NoticeResumed, sent.Notices[0].Kind)
	again, err := n.Acts.Notify.PlanNotifications(ctx, notify.PlanInput{TransactionID: txn.ID})
	require.NoError(t, err)
	require.Equal(t, sent.Notices, again.Notices, "planned again (its answer lost), the transaction finds the same notice")
}

// TestANoticeFoundByMaintenanceIsNeverLost: maintenance's answer is lost
// (its activity ran, the workflow never heard): the next run finds the
// same notices, and each is told exactly once however often its workflow
// runs. A silence and a daily summary, which used to be marked told when
// found, and so dropped.
func TestANoticeFoundByMaintenanceIsNeverLost(t *testing.T) {
	t.Parallel()
	n := chatting(t, time.Now())
	ctx := context.Background()
	at := time.Now().In(vntime.Zone) // due this minute: no other day's summary is
	_, err := n.Pool.Exec(ctx, `UPDATE integrations SET silence_alert_hours = 2, created_at = now() - interval '1 day', daily_summary_at = $1
		WHERE id = $2`, at.Format("15:04"), n.Integ.ID)
	require.NoError(t, err)

	n.due(t) // its answer lost
	due := n.due(t)
	require.Len(t, due, 2, "the silence and the summary, found again")
	for _, notice := range due {
		for range 2 { // its workflow's activity run twice
			out, err := n.Acts.Notices.SendOwnerNotice(ctx, notice)
			require.NoError(t, err)
			require.Equal(t, send.Sent, out.Status)
		}
	}
	require.Len(t, n.ownerInbox(), 2, "each told once")
	require.Empty(t, n.due(t), "and found no more")
}

// due is what a maintenance run finds to tell owners.
func (n *night) due(t *testing.T) []contract.OwnerNotice {
	t.Helper()
	due, err := n.Acts.Notices.DueNotices(context.Background(), 6*time.Minute)
	require.NoError(t, err)
	return due
}

// TestTheDailySummaryComesAtItsMinute: maintenance plans the summary due
// within its next run; its workflow waits for the minute (a timer, skipped
// here) and sums the day up to it.
func TestTheDailySummaryComesAtItsMinute(t *testing.T) {
	t.Parallel()
	n := chatting(t, time.Now()) // cs is not closed at night: any hour will do
	ctx := context.Background()
	at := time.Now().In(vntime.Zone).Add(3 * time.Minute).Truncate(time.Minute)
	if at.Hour() == 0 && at.Minute() == 0 {
		at = at.Add(time.Minute) // the day's transactions below must fall within its day
	}
	_, err := n.Pool.Exec(ctx, "UPDATE integrations SET daily_summary_at = $1 WHERE id = $2", at.Format("15:04"), n.Integ.ID)
	require.NoError(t, err)
	for i, amount := range []int64{700_000, -100_000} {
		_, err = db.New(n.Pool).RecordTransaction(ctx, db.RecordTransactionParams{
			WorkspaceID: n.Acct.WorkspaceID, BankAccountID: n.Acct.ID, ExternalID: uuid.NewString(), Amount: amount,
			OccurredAt: at.Add(-time.Duration(i+1) * 10 * time.Second),
		})
		require.NoError(t, err)
	}

	due := n.due(t)
	require.Len(t, due, 1)
	require.Equal(t, contract.NoticeDailySummary, due[0].Kind)
	require.Equal(t, at.Format("15:04"), due[0].DueAt.In(vntime.Zone).Format("15:04"))
	require.Equal(t, due, n.due(t), "found again until told: the same notice")

	require.Equal(t, string(send.Sent), n.tell(t, due[0]))
	require.Empty(t, n.due(t), "told once a day")
	inbox := n.Sim.Inbox(n.Owner.OAUserID)
	require.Len(t, inbox, 1)
	require.False(t, inbox[0].ReceivedAt.Before(due[0].DueAt), "not before its minute")
	require.Equal(t, strings.Join([]string{
		"Tổng kết ngày " + at.Format("02/01") + ", Tiệm bánh:",
		"Số giao dịch: 2",
		"Tổng tiền vào: +700.000 VND",
		"Tổng tiền ra: -100.000 VND",
	}, "\n"), inbox[0].Text)
}

// TestANoticeWaitsOutZalosNight: Zalo refuses nothing but promotion at
// night since 2026, but should it answer -234, the notice waits for 06:00
// and goes then, once.
func TestANoticeWaitsOutZalosNight(t *testing.T) {
	t.Parallel()
	n := newNight(t) // 23:00
	n.Sim.SetFaults(zalosim.Faults{ErrorCode: -234, Routes: []zalosim.Kind{zalosim.KindCS}})
	n.env.RegisterDelayedCallback(func() { n.Sim.SetFaults(zalosim.Faults{}) }, 6*time.Hour)
	status := n.tell(t, contract.OwnerNotice{IntegrationID: n.Integ.ID, Kind: contract.NoticeMemberLeft, About: "Minh", Key: "e1"})
	require.Equal(t, string(send.Sent), status)
	inbox := n.Sim.Inbox(n.Owner.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, zalosim.KindCS, inbox[0].Kind)
	require.Equal(t, "06:00", inbox[0].ReceivedAt.In(vntime.Zone).Format("15:04"))
	require.Contains(t, inbox[0].Text, "Tài khoản Zalo Minh đã rời tích hợp nhận thông báo biến động số dư.")
}
