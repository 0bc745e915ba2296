package workflows_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// night is a shop whose owner has not written to the OA for three days (so
// their alerts go by transaction message), with the real activities on a
// real database and the sandbox over HTTP, all on the test environment's
// clock, which starts at 23:00 in Vietnam.
type night struct {
	env   *testsuite.TestWorkflowEnvironment
	acts  *activities.Activities
	pool  *db.Pool
	sim   *zalosim.Sim
	owner zalosim.User
	acct  db.BankAccount
	integ db.CreateIntegrationRow
}

func newNight(t *testing.T) *night {
	today := time.Now().In(vntime.Zone)
	return newScene(t, time.Date(today.Year(), today.Month(), today.Day(), 23, 0, 0, 0, vntime.Zone))
}

// newScene is that shop with the environment's clock starting at start.
func newScene(t *testing.T, start time.Time) *night {
	ctx := context.Background()
	n := &night{pool: testenv.Pool(t)}
	var s testsuite.WorkflowTestSuite
	n.env = s.NewTestWorkflowEnvironment()
	n.env.SetStartTime(start)

	n.sim = zalosim.New(zalosim.Config{OAAccessToken: "oa-token", OARefreshToken: "refresh", AccessTokenTTL: 365 * 24 * time.Hour, Now: n.env.Now})
	srv := httptest.NewServer(n.sim)
	t.Cleanup(srv.Close)
	n.owner = n.sim.CreateUser("Chủ", true)

	ws, _, err := apikey.CreateWorkspace(ctx, n.pool, "Tiệm bánh")
	require.NoError(t, err)
	n.acct, err = db.New(n.pool).CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111", BankName: "VPBank"})
	require.NoError(t, err)
	n.integ, err = seed.CreateIntegration(ctx, n.pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{n.acct.ID},
		Owner: seed.Person{OAUserID: n.owner.OAUserID, AppUserID: n.owner.AppUserID, Name: n.owner.Name},
	})
	require.NoError(t, err)
	_, err = n.pool.Exec(ctx, "UPDATE zalo_followers SET last_interaction_at = $1 WHERE oa_user_id = $2", n.env.Now().Add(-72*time.Hour), n.owner.OAUserID)
	require.NoError(t, err)

	box, err := secret.New(make([]byte, 32))
	require.NoError(t, err)
	tokens := &oatoken.Store{Pool: n.pool, Box: box}
	require.NoError(t, tokens.Put(ctx, "oa-token", "refresh", time.Now().Add(25*time.Hour), false))
	n.acts = &activities.Activities{
		Pool: n.pool, Zalo: zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL, ZNSURL: srv.URL}), Tokens: tokens,
		Metrics: metrics.New(), Now: n.env.Now, Reach: activities.Reach{Policy: route.Default()},
	}
	n.env.RegisterActivity(n.acts)
	return n
}

// pay records a transaction at the environment's clock and sends its
// alert as NotifyTransaction's activities would; it returns the outcome.
func (n *night) pay(t *testing.T, amount int64, memo string) activities.Outcome {
	ctx := context.Background()
	txn, err := db.New(n.pool).RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: n.acct.WorkspaceID, BankAccountID: n.acct.ID, ExternalID: uuid.NewString(),
		Amount: amount, Description: memo, OccurredAt: n.env.Now(),
	})
	require.NoError(t, err)
	plan, err := n.acts.PlanNotifications(ctx, activities.PlanInput{TransactionID: txn.ID})
	require.NoError(t, err)
	require.Len(t, plan.Deliveries, 1)
	out, err := n.acts.SendZaloMessage(ctx, activities.SendInput{DeliveryID: plan.Deliveries[0].DeliveryID})
	require.NoError(t, err)
	return out
}

// TestTheNightHoldsAlertsForOneMorningMessage: at night a recipient whose
// route is the transaction message (refused by Zalo from 22:00 to 06:00)
// has their alerts deferred, not retried and not failed; at 06:00 they get
// one message with the night's count and totals and a line per
// transaction, and every alert is recorded as sent under its id.
func TestTheNightHoldsAlertsForOneMorningMessage(t *testing.T) {
	t.Parallel()
	n := newNight(t)
	morning := n.env.Now().Add(7 * time.Hour) // 06:00

	for i, amount := range []int64{500_000, -120_000, 2_000_000} {
		out := n.pay(t, amount, fmt.Sprint("don ", i+1))
		require.Equal(t, activities.StatusDeferred, out.Status)
		require.Equal(t, "transaction", out.Route)
		require.True(t, morning.Equal(*out.DeferredUntil), "deferred until %s", out.DeferredUntil)
	}
	require.Empty(t, n.sim.Inbox(n.owner.OAUserID), "nothing sent at night")
	require.Zero(t, n.sim.Stats().Calls[zalosim.KindTransaction], "and nothing tried: the policy knows the night")

	late, err := n.acts.LateMornings(context.Background())
	require.NoError(t, err)
	require.Empty(t, late, "not overdue while the night lasts")
	// Had the night ended an hour ago, maintenance would find them.
	_, err = n.pool.Exec(context.Background(), "UPDATE deliveries SET deferred_until = now() - interval '1 hour' WHERE recipient = $1", n.owner.OAUserID)
	require.NoError(t, err)
	late, err = n.acts.LateMornings(context.Background())
	require.NoError(t, err)
	require.Len(t, late, 1)
	require.Equal(t, n.owner.OAUserID, late[0].Recipient)

	n.env.ExecuteWorkflow(workflows.MorningMessage, contract.MorningInput{Recipient: n.owner.OAUserID, At: morning})
	require.True(t, n.env.IsWorkflowCompleted())
	require.NoError(t, n.env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, n.env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 3}, res)

	inbox := n.sim.Inbox(n.owner.OAUserID)
	require.Len(t, inbox, 1, "one message for the whole night")
	require.Equal(t, zalosim.KindTransaction, inbox[0].Kind)
	require.True(t, morning.Equal(inbox[0].ReceivedAt), "sent at 06:00, when the night ends, not at %s", inbox[0].ReceivedAt)
	require.Equal(t, strings.Join([]string{
		"Biến động số dư trong đêm",
		"Số giao dịch: 3",
		"Tổng tiền vào: +2.500.000 VND",
		"Tổng tiền ra: -120.000 VND",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": +500.000 VND · don 1",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": -120.000 VND · don 2",
		"23:00 " + morning.AddDate(0, 0, -1).In(vntime.Zone).Format("02/01") + ": +2.000.000 VND · don 3",
	}, "\n"), inbox[0].Text)

	rows, err := n.pool.Query(context.Background(), "SELECT status, zalo_message_id, route FROM deliveries WHERE recipient = $1", n.owner.OAUserID)
	require.NoError(t, err)
	defer rows.Close()
	count := 0
	for rows.Next() {
		var status, id, rt string
		require.NoError(t, rows.Scan(&status, &id, &rt))
		require.Equal(t, []string{"sent", inbox[0].MessageID, "transaction"}, []string{status, id, rt})
		count++
	}
	require.Equal(t, 3, count)
}

// TestARecipientInTheChatWindowIsNotHeld: the night closes only the
// transaction route; someone who wrote to the OA today gets chat at once.
func TestARecipientInTheChatWindowIsNotHeld(t *testing.T) {
	t.Parallel()
	n := newNight(t)
	_, err := n.pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = $1 WHERE oa_user_id = $2", n.env.Now().Add(-time.Hour), n.owner.OAUserID)
	require.NoError(t, err)
	out := n.pay(t, 500_000, "don 1")
	require.Equal(t, activities.StatusSent, out.Status)
	require.Equal(t, "cs", out.Route)
	require.Len(t, n.sim.Inbox(n.owner.OAUserID), 1)
}

// TestADeferredAlertWakesTheMorningMessage: NotifyTransaction starts the
// recipient's MorningMessage for a deferred alert, to outlive it; a second
// alert finds it started.
func TestADeferredAlertWakesTheMorningMessage(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	txn, d1 := uuid.New(), uuid.New()
	morning := time.Date(2026, 11, 26, 6, 0, 0, 0, vntime.Zone)
	env.OnActivity(a.PlanNotifications, mock.Anything, mock.Anything).Return(plan(d1), nil)
	env.OnActivity(a.SendZaloMessages, mock.Anything, mock.Anything).Return(activities.BatchResult{Outcomes: []activities.Outcome{{
		Status: activities.StatusDeferred, Route: "transaction", Recipient: "u1", DeferredUntil: &morning, Recorded: true,
	}}}, nil)
	env.RegisterWorkflowWithOptions(workflows.MorningMessage, workflow.RegisterOptions{Name: contract.MorningName})
	var started []contract.MorningInput
	env.OnWorkflow(contract.MorningName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in contract.MorningInput) (contract.NotifyResult, error) {
		started = append(started, in)
		return contract.NotifyResult{}, nil
	})
	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Deferred: 1}, res)
	require.Len(t, started, 1)
	require.Equal(t, "u1", started[0].Recipient)
	require.True(t, morning.Equal(started[0].At))
}

// TestMaintenanceSendsOverdueMornings: alerts still held after their
// night ended (their morning message had gathered just before them) get
// their morning message from the next maintenance run.
func TestMaintenanceSendsOverdueMornings(t *testing.T) {
	env := newEnv(t)
	var a *activities.Activities
	late := contract.MorningInput{Recipient: "u1", At: time.Date(2026, 11, 26, 6, 0, 0, 0, vntime.Zone)}
	env.OnActivity(a.EnsureKeeper, mock.Anything).Return(nil)
	env.OnActivity(a.Purge, mock.Anything, mock.Anything).Return(activities.PurgeResult{}, nil)
	env.OnActivity(a.LateMornings, mock.Anything).Return([]contract.MorningInput{late}, nil)
	env.OnActivity(a.DueNotices, mock.Anything, mock.Anything).Return([]contract.OwnerNotice(nil), nil)
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
