package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/maintenance"
	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/harness/scene"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// night is a shop whose owner has not written to the OA for three days (so
// their alerts go by transaction message), with the real activities on a
// real database and the sandbox over HTTP, all on the test environment's
// clock, which starts at 23:00 in Vietnam.
type night struct {
	*scene.Scene
	env *testsuite.TestWorkflowEnvironment
}

func newNight(t *testing.T) *night {
	today := time.Now().In(vntime.Zone)
	return newScene(t, time.Date(today.Year(), today.Month(), today.Day(), 23, 0, 0, 0, vntime.Zone))
}

// newScene is that shop with the environment's clock starting at start.
func newScene(t *testing.T, start time.Time) *night {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	routes := route.Default()
	n := &night{env: env, Scene: scene.New(t, scene.Options{NoMember: true, Now: env.Now, Routes: &routes, Business: "Tiệm bánh"})}
	n.Interacted(t, n.Owner, env.Now().Add(-72*time.Hour))
	n.Acts.Register(env)
	return n
}

// pay records a transaction at the environment's clock and sends its
// alert as NotifyTransaction's activities would; it returns the outcome.
func (n *night) pay(t *testing.T, amount int64, memo string) send.Outcome {
	ctx := context.Background()
	plan, err := n.Acts.Notify.PlanNotifications(ctx, notify.PlanInput{TransactionID: n.Pay(t, amount, memo)})
	require.NoError(t, err)
	require.Len(t, plan.Deliveries, 1)
	out, err := n.Acts.Notify.SendZaloMessage(ctx, notify.SendInput{DeliveryID: plan.Deliveries[0].DeliveryID})
	require.NoError(t, err)
	return out
}

// TestQuietHoursHoldAlertsForOneMessage: a recipient who chose quiet hours
// (22:00–06:00) has their alerts of those hours deferred, not sent, not
// retried and not failed; at 06:00 they get one message with the count and
// totals and a line per transaction, and every alert is recorded as sent
// under its id.
func TestQuietHoursHoldAlertsForOneMessage(t *testing.T) {
	t.Parallel()
	n := newNight(t)
	_, err := n.Pool.Exec(context.Background(), "UPDATE integrations SET owner_quiet_hours = '22:00-06:00' WHERE id = $1", n.Integ.ID)
	require.NoError(t, err)
	morning := n.env.Now().Add(7 * time.Hour) // 06:00

	for i, amount := range []int64{500_000, -120_000, 2_000_000} {
		out := n.pay(t, amount, fmt.Sprint("don ", i+1))
		require.Equal(t, send.Deferred, out.Status)
		require.Equal(t, send.QuietHours, out.Reason)
		require.True(t, morning.Equal(*out.DeferredUntil), "deferred until %s", out.DeferredUntil)
	}
	require.Empty(t, n.Sim.Inbox(n.Owner.OAUserID), "nothing sent in their quiet hours")
	require.Zero(t, n.Sim.Stats().Calls[zalosim.KindCS], "and nothing tried")

	late, err := n.Acts.Maintenance.LateMornings(context.Background())
	require.NoError(t, err)
	require.Empty(t, late, "not overdue while the quiet hours last")
	// Had they ended an hour ago, maintenance would find them.
	_, err = n.Pool.Exec(context.Background(), "UPDATE deliveries SET deferred_until = now() - interval '1 hour' WHERE recipient = $1", n.Owner.OAUserID)
	require.NoError(t, err)
	late, err = n.Acts.Maintenance.LateMornings(context.Background())
	require.NoError(t, err)
	require.Len(t, late, 1)
	require.Equal(t, n.Owner.OAUserID, late[0].Recipient)
	var ownerID uuid.UUID
	require.NoError(t, n.Pool.QueryRow(context.Background(), "SELECT id FROM zalo_followers WHERE oa_user_id = $1", n.Owner.OAUserID).Scan(&ownerID))
	require.Equal(t, ownerID, late[0].RecipientID, "named by our row id")

	n.env.ExecuteWorkflow(workflows.MorningMessage, contract.MorningInput{Recipient: n.Owner.OAUserID, At: morning})
	require.True(t, n.env.IsWorkflowCompleted())
	require.NoError(t, n.env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, n.env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 3}, res)

	inbox := n.Sim.Inbox(n.Owner.OAUserID)
	require.Len(t, inbox, 1, "one message for the whole night")
	require.Equal(t, zalosim.KindCS, inbox[0].Kind)
	require.True(t, morning.Equal(inbox[0].ReceivedAt), "sent at 06:00, when the quiet hours end, not at %s", inbox[0].ReceivedAt)
	require.Equal(t, strings.Join([]string{
		"Biến động số dư trong đêm",
		"Số giao dịch: 3",
		"Tổng tiền vào: +2.500.000 VND",
		"Tổng tiền ra: -120.000 VND",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": +500.000 VND · don 1",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": -120.000 VND · don 2",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": +2.000.000 VND · don 3",
	}, "\n"), inbox[0].Text)

	rows, err := n.Pool.Query(context.Background(), "SELECT status, zalo_message_id, route FROM deliveries WHERE recipient = $1", n.Owner.OAUserID)
	require.NoError(t, err)
	defer rows.Close()
	count := 0
	for rows.Next() {
		var status, id, rt string
		require.NoError(t, rows.Scan(&status, &id, &rt))
		require.Equal(t, []string{"sent", inbox[0].MessageID, "cs"}, []string{status, id, rt})
		count++
	}
	require.Equal(t, 3, count)
}

// TestAChatAlertAtNightGoesAtOnce: since 2026 Zalo refuses chat at no
// hour: at 23:00 an alert to someone within the 7 days goes at once.
func TestAChatAlertAtNightGoesAtOnce(t *testing.T) {
	t.Parallel()
	n := newNight(t) // 23:00, the owner wrote three days ago
	out := n.pay(t, 500_000, "don 1")
	require.Equal(t, send.Sent, out.Status)
	require.Equal(t, "cs", out.Route)
	inbox := n.Sim.Inbox(n.Owner.OAUserID)
	require.Len(t, inbox, 1)
	require.True(t, n.env.Now().Equal(inbox[0].ReceivedAt))
}

// TestATemplateAtNightArrivesSilently: at 23:00 a template goes at once,
// and the log says it arrived without its push sound.
func TestATemplateAtNightArrivesSilently(t *testing.T) {
	t.Parallel()
	n := newNight(t)
	n.UseTemplate(t, seed.AlertTemplate(), seed.AlertMapping)
	ago := n.env.Now().Add(-10 * 24 * time.Hour)
	n.Interacted(t, n.Owner, ago)
	require.True(t, n.Sim.SetLastInteraction(n.Owner.OAUserID, ago))
	out := n.pay(t, 500_000, "don 1")
	require.Equal(t, send.Sent, out.Status)
	require.Equal(t, "template", out.Route)
	require.True(t, out.Silent)
	inbox := n.Sim.Inbox(n.Owner.OAUserID)
	require.Len(t, inbox, 1)
	require.True(t, inbox[0].Silent, "the sandbox agrees")
	var silent bool
	require.NoError(t, n.Pool.QueryRow(context.Background(), "SELECT silent FROM deliveries WHERE recipient = $1", n.Owner.OAUserID).Scan(&silent))
	require.True(t, silent)
}

// TestADeferredAlertWakesTheMorningMessage: NotifyTransaction starts the
// recipient's MorningMessage for a deferred alert, to outlive it; a second
// alert finds it started.
func TestADeferredAlertWakesTheMorningMessage(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn, d1 := uuid.New(), uuid.New()
	morning := time.Date(2026, 11, 26, 6, 0, 0, 0, vntime.Zone)
	recipient := uuid.New()
	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{Left: []notify.Left{{DeliveryID: d1,
		Outcome: send.Outcome{Status: send.Deferred, Route: "cs", Recipient: "8473625140", RecipientID: recipient, DeferredUntil: &morning, Recorded: true}}}}, nil)
	env.RegisterWorkflowWithOptions(workflows.MorningMessage, workflow.RegisterOptions{Name: contract.MorningName})
	var started []contract.MorningInput
	var ids []string
	env.OnWorkflow(contract.MorningName, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in contract.MorningInput) (contract.NotifyResult, error) {
		started = append(started, in)
		ids = append(ids, workflow.GetInfo(ctx).WorkflowExecution.ID)
		return contract.NotifyResult{}, nil
	})
	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, OneStep: true})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Deferred: 1}, res)
	require.Len(t, started, 1)
	require.Equal(t, "8473625140", started[0].Recipient)
	require.True(t, morning.Equal(started[0].At))
	require.Equal(t, []string{"morning:" + recipient.String() + ":2026-11-26T06:00"}, ids,
		"named by our row id: Temporal keeps ids in plain text, and a Zalo user id is the person's")
}

// TestTwoMorningMessagesForOneNightSendOne: the night a deploy renames
// the morning message (a Zalo user id, then our row id), one run started
// under each name wakes for the same night. Gathering the night's alerts
// is one claim, so one of them sends them all and the other nothing; so it
// is when both gather at the same moment.
func TestTwoMorningMessagesForOneNightSendOne(t *testing.T) {
	t.Parallel()
	n := newNight(t)
	ctx := context.Background()
	_, err := n.Pool.Exec(ctx, "UPDATE integrations SET owner_quiet_hours = '22:00-06:00' WHERE id = $1", n.Integ.ID)
	require.NoError(t, err)
	morning := n.env.Now().Add(7 * time.Hour)
	for _, amount := range []int64{500_000, -120_000} {
		require.Equal(t, send.Deferred, n.pay(t, amount, "").Status)
	}

	var wg sync.WaitGroup
	plans := make([]notify.MorningPlan, 8)
	for i := range plans {
		wg.Go(func() {
			var err error
			plans[i], err = n.Acts.Notify.PrepareMorning(ctx, notify.MorningInput{DigestID: uuid.New(), Recipient: n.Owner.OAUserID, DueAt: morning})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	var counts []int
	for _, p := range plans {
		counts = append(counts, p.Count)
	}
	require.ElementsMatch(t, []int{2, 0, 0, 0, 0, 0, 0, 0}, counts, "eight gathering at once: one takes the night")

	// Two whole morning messages, one after the other.
	require.Equal(t, send.Deferred, n.pay(t, 70_000, "").Status)
	for i := range 2 {
		var ts testsuite.WorkflowTestSuite
		env := ts.NewTestWorkflowEnvironment()
		env.SetStartTime(n.env.Now())
		n.Acts.Register(env)
		env.ExecuteWorkflow(workflows.MorningMessage, contract.MorningInput{Recipient: n.Owner.OAUserID, At: morning})
		require.NoError(t, env.GetWorkflowError())
		var res contract.NotifyResult
		require.NoError(t, env.GetWorkflowResult(&res))
		require.Equal(t, []contract.NotifyResult{{Sent: 1}, {}}[i], res)
	}
	require.Len(t, n.Sim.Inbox(n.Owner.OAUserID), 1, "one message for the night")
}

// TestMaintenanceSendsOverdueMornings: alerts still held after their
// night ended (their morning message had gathered just before them) get
// their morning message from the next maintenance run.
func TestMaintenanceSendsOverdueMornings(t *testing.T) {
	env := newEnv(t)
	var a *maintenance.Activities
	var na *notices.Activities
	late := contract.MorningInput{Recipient: "u1", At: time.Date(2026, 11, 26, 6, 0, 0, 0, vntime.Zone)}
	env.OnActivity(a.EnsureKeeper, mock.Anything).Return(nil)
	env.OnActivity(a.Purge, mock.Anything, mock.Anything).Return(maintenance.PurgeResult{}, nil)
	env.OnActivity(a.LateMornings, mock.Anything).Return([]contract.MorningInput{late}, nil)
	env.OnActivity(na.DueNotices, mock.Anything, mock.Anything).Return([]contract.OwnerNotice(nil), nil)
	env.RegisterWorkflowWithOptions(workflows.MorningMessage, workflow.RegisterOptions{Name: contract.MorningName})
	var started []string
	env.OnWorkflow(contract.MorningName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in contract.MorningInput) (contract.NotifyResult, error) {
		started = append(started, in.Recipient)
		return contract.NotifyResult{}, nil
	})
	env.ExecuteWorkflow(workflows.Maintenance, contract.MaintenanceInput{})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{"u1"}, started)
}
