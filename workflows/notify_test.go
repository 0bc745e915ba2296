package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	worker.NewActivities(worker.Deps{}).Register(env)
	return env
}

func plan(ids ...uuid.UUID) notify.PlanResult {
	res := notify.PlanResult{Together: true}
	for _, id := range ids {
		res.Deliveries = append(res.Deliveries, notify.PlannedDelivery{DeliveryID: id})
	}
	return res
}

// recorder records the outcomes RecordDelivery is asked to store.
func recorder(env *testsuite.TestWorkflowEnvironment) func() map[uuid.UUID]send.Outcome {
	var a *notify.Activities
	var mu sync.Mutex // the mocked activities run concurrently
	recorded := map[uuid.UUID]send.Outcome{}
	env.OnActivity(a.RecordDelivery, mock.Anything, mock.Anything).Return(func(_ context.Context, in notify.RecordInput) error {
		mu.Lock()
		defer mu.Unlock()
		recorded[in.DeliveryID] = in.Outcome
		return nil
	})
	return func() map[uuid.UUID]send.Outcome {
		mu.Lock()
		defer mu.Unlock()
		return recorded
	}
}

func TestNotifyTransactionSendsToEveryRecipientAndRecordsEachOutcome(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn, d2, d3 := uuid.New(), uuid.New(), uuid.New()

	// One local activity plans and sends: one delivery ended there; d2's
	// outcome could not be stored (a database blip), d3 was not settled
	// and goes on its own.
	env.OnActivity(a.DeliverTransaction, mock.Anything, notify.DeliverInput{TransactionID: txn}).Return(notify.DeliverResult{
		Done: contract.NotifyResult{Sent: 1},
		Left: []notify.Left{{DeliveryID: d2, Outcome: send.Outcome{Status: send.Sent, MessageID: "m2"}}, {DeliveryID: d3}},
	}, nil).Once()
	env.OnActivity(a.SendZaloMessage, mock.Anything, notify.SendInput{DeliveryID: d3, TransactionID: txn}).
		Return(send.Outcome{}, temporal.NewNonRetryableApplicationError("bad param", "zalo_permanent", nil)).Once()
	recorded := recorder(env)

	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, OneStep: true})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 2, Failed: 1}, res)
	env.AssertExpectations(t) // each message sent once: a permanent error is not retried, nor is a send whose record failed

	require.Len(t, recorded(), 2, "the first recorded by its send")
	require.Equal(t, send.Outcome{Status: send.Sent, MessageID: "m2"}, recorded()[d2])
	require.Equal(t, send.Failed, recorded()[d3].Status)
	require.Contains(t, recorded()[d3].Reason, "zalo_permanent")
}

// A run started before notifications planned and sent in one step plans,
// then sends its deliveries together, as it did.
func TestARunStartedBeforeOneStepPlansThenSends(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn, d1, d2, d3 := uuid.New(), uuid.New(), uuid.New(), uuid.New()

	env.OnActivity(a.PlanNotifications, mock.Anything, notify.PlanInput{TransactionID: txn}).Return(plan(d1, d2, d3), nil)
	env.OnActivity(a.SendZaloMessages, mock.Anything, notify.BatchInput{DeliveryIDs: []uuid.UUID{d1, d2, d3}}).Return(notify.BatchResult{
		Outcomes: []send.Outcome{
			{Status: send.Sent, MessageID: "m1", Recorded: true},
			{Status: send.Sent, MessageID: "m2"},
			{Reason: "zalo: HTTP 503"},
		},
	}, nil).Once()
	env.OnActivity(a.SendZaloMessage, mock.Anything, notify.SendInput{DeliveryID: d3, TransactionID: txn}).
		Return(send.Outcome{}, temporal.NewNonRetryableApplicationError("bad param", "zalo_permanent", nil)).Once()
	recorded := recorder(env)

	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 2, Failed: 1}, res)
	env.AssertExpectations(t)
	require.NotContains(t, recorded(), d1, "recorded by the send itself")
	require.Equal(t, send.Outcome{Status: send.Sent, MessageID: "m2"}, recorded()[d2])
	require.Equal(t, send.Failed, recorded()[d3].Status)
}

// A failure before any send (the database away) is retried: nothing was
// sent, so the next try plans and sends as the first would have.
func TestNotifyTransactionRetriesPlanningUntilTheDatabaseAnswers(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn := uuid.New()
	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{}, errors.New("database down")).Times(3)
	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{Done: contract.NotifyResult{Sent: 3}}, nil).Once()
	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, OneStep: true})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 3}, res)
	env.AssertExpectations(t)
}

// The delivery log is read by the tenant: an error of our own (which can
// name the database's host and user) is shown only as "internal", while
// Zalo's refusals keep Zalo's words.
func TestTheDeliveryLogShowsNoInternalErrorText(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn, d1 := uuid.New(), uuid.New()
	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{Left: []notify.Left{{DeliveryID: d1}}}, nil)
	env.OnActivity(a.SendZaloMessage, mock.Anything, notify.SendInput{DeliveryID: d1, TransactionID: txn}).Return(send.Outcome{},
		temporal.NewNonRetryableApplicationError(`failed to connect to host=10.0.0.5 user=tingting: password authentication failed`, "", nil))
	recorded := recorder(env)
	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, OneStep: true})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, send.Failed, recorded()[d1].Status)
	require.Equal(t, "internal: failed (the worker's log has the details)", recorded()[d1].Log())
}

// A send the one step did not settle goes on its own, a regular activity
// with the day-long retry policy.
func TestNotifyTransactionRetriesTransientFailures(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	txn, d1 := uuid.New(), uuid.New()

	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{Left: []notify.Left{{DeliveryID: d1}}}, nil).Once()
	env.OnActivity(a.SendZaloMessage, mock.Anything, mock.Anything).
		Return(send.Outcome{}, errors.New("zalo: HTTP 503")).Times(5)
	env.OnActivity(a.SendZaloMessage, mock.Anything, mock.Anything).
		Return(send.Outcome{Status: send.Sent, MessageID: "m1", Recorded: true}, nil).Once()

	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, OneStep: true})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.NotifyResult{Sent: 1}, res)
	env.AssertExpectations(t)
}

func TestNotifyTransactionWithNobodyToNotify(t *testing.T) {
	env := newEnv(t)
	var a *notify.Activities
	env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(notify.DeliverResult{}, nil)
	env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: uuid.New(), OneStep: true})
	require.NoError(t, env.GetWorkflowError())
	var res contract.NotifyResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Zero(t, res)
}

// TestABacklogWaitsBehindFreshAlerts: a notification started long after
// its transaction was recorded takes no local attempt: its transaction
// waits whole on the backlog queue (at priority 4, weighing as many sends
// as it has messages: checked end to end, in cmd/tingting); a fresh one
// goes out in one local step first. What either leaves is sent on its own.
func TestABacklogWaitsBehindFreshAlerts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backlog bool
		local   bool
		queue   string
	}{
		{"fresh", false, true, ""},
		{"backlog", true, false, contract.BacklogTaskQueue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			var a *notify.Activities
			txn, d1 := uuid.New(), uuid.New()
			var local, regular bool
			var queue string
			env.OnActivity(a.DeliverTransaction, mock.Anything, mock.Anything).Return(func(ctx context.Context, _ notify.DeliverInput) (notify.DeliverResult, error) {
				info := activity.GetInfo(ctx)
				if local = info.IsLocalActivity; !local {
					queue = info.TaskQueue
				}
				return notify.DeliverResult{Left: []notify.Left{{DeliveryID: d1}}}, nil // the OA's send budget is taken
			})
			env.OnActivity(a.SendZaloMessage, mock.Anything, mock.Anything).Return(func(ctx context.Context, _ notify.SendInput) (send.Outcome, error) {
				regular = !activity.GetInfo(ctx).IsLocalActivity
				return send.Outcome{Status: send.Sent, Recorded: true}, nil
			})
			env.ExecuteWorkflow(workflows.NotifyTransaction, contract.NotifyInput{TransactionID: txn, Backlog: tc.backlog, OneStep: true, Messages: 10})
			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, tc.local, local, "local attempts")
			require.Equal(t, tc.queue, queue)
			require.True(t, regular, "what it left goes on its own")
		})
	}
}
