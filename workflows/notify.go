package workflows

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Retries for a Zalo send: exponential from 1 s to a 5-minute cap, for a
// day. Zalo's permanent errors come back non-retryable from the activity.
// Sends wait on their own task queue, which Temporal paces.
var sendOptions = workflow.ActivityOptions{
	TaskQueue:              contract.SendTaskQueue,
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
	},
}

// A send is first tried as a local activity — inside the workflow task,
// with no round trip through the server — for a few quick attempts; one
// still failing then becomes a regular activity under sendOptions, with
// its retries visible in the Temporal UI. A refused OA token, a send whose
// answer was lost, one that would wait for its turn in the OA's send rate,
// Zalo's -32, or a route stopped for the OA, ends the local attempts at
// once: waiting (for the keeper's new token, for the lost message to show
// up, for the send budget, for a person to act) is the regular activity's
// job, not the workflow task's.
var sendLocalOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumAttempts:    3,
		NonRetryableErrorTypes: []string{string(contract.FailTokenRefused), string(contract.FailInDoubt), string(contract.FailPaced),
			string(contract.FailRateLimited), string(contract.FailNightBlock), string(contract.FailRoutePaused)},
	},
}

// Database activities retry for as long as a send would: a transaction must
// not be dropped because Postgres was briefly away.
var dbOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    10 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// Planning is one statement, so it runs as a local activity: inside the
// workflow task, without a round trip through the server.
var planOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    10 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy:            dbOptions.RetryPolicy,
}

// NotifyTransaction sends one Zalo message per recipient of every matching
// integration, in parallel, and records each outcome.
func NotifyTransaction(ctx workflow.Context, in contract.NotifyInput) (contract.NotifyResult, error) {
	lane := fresh
	if in.Backlog {
		lane = backlog
	}
	if in.OneStep {
		return deliverTransaction(ctx, in, lane)
	}
	var a *notify.Activities
	var plan notify.PlanResult
	planCtx := workflow.WithLocalActivityOptions(ctx, planOptions)
	if err := workflow.ExecuteLocalActivity(planCtx, a.PlanNotifications, notify.PlanInput{TransactionID: in.TransactionID}).Get(ctx, &plan); err != nil {
		return contract.NotifyResult{}, err
	}
	tellOwners(ctx, plan.Notices)

	ids := make([]uuid.UUID, len(plan.Deliveries))
	for i, d := range plan.Deliveries {
		ids[i] = d.DeliveryID
	}
	var outcomes []send.Outcome
	// Whether the deliveries go out together is in the plan's recorded
	// result, not behind GetVersion: that would upsert a search attribute
	// (a visibility write) in every notification (docs/DECISIONS.md).
	if plan.Together && lane.local {
		outcomes = deliverAll(ctx, lane, in.TransactionID, ids)
	} else {
		outcomes = each(ctx, ids, func(ctx workflow.Context, _ int, id uuid.UUID) send.Outcome {
			return deliverIn(ctx, lane, in.TransactionID, id)
		})
	}

	return finished(ctx, in, tally(outcomes...)), nil
}

// finished logs a notification's end and returns its counts.
func finished(ctx workflow.Context, in contract.NotifyInput, res contract.NotifyResult) contract.NotifyResult {
	workflow.GetLogger(ctx).Info("notification finished", "transaction_id", in.TransactionID,
		"sent", res.Sent, "skipped", res.Skipped, "failed", res.Failed, "deferred", res.Deferred)
	return res
}

// deliverOptions is the local activity that plans a fresh transaction's
// deliveries and sends them (DeliverTransaction). It fails only before a
// send or once every send is recorded, so it is retried as planning is;
// whatever it does not settle is sent on its own.
var deliverOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy:            dbOptions.RetryPolicy,
}

// backlogOptions is DeliverTransaction for a backlog: a regular activity
// on the backlog queue, which waits as long as the fresh sends fill the
// send rate (it heartbeats meanwhile), retried as planning is.
var backlogOptions = workflow.ActivityOptions{
	TaskQueue:              contract.BacklogTaskQueue,
	StartToCloseTimeout:    time.Hour,
	HeartbeatTimeout:       30 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy:            dbOptions.RetryPolicy,
}

// deliverTransaction is a notification in one activity: local when fresh,
// one task of the backlog queue in a backlog; one history marker (or one
// activity), with a result of a few bytes when every send ended there. A
// delivery it left is sent on its own, in the lane.
func deliverTransaction(ctx workflow.Context, in contract.NotifyInput, l lane) (contract.NotifyResult, error) {
	var a *notify.Activities
	var res notify.DeliverResult
	deliver := notify.DeliverInput{TransactionID: in.TransactionID}
	var err error
	if l.local {
		err = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, deliverOptions), a.DeliverTransaction, deliver).Get(ctx, &res)
	} else {
		opts := backlogOptions
		opts.Priority = temporal.Priority{PriorityKey: l.priority, FairnessWeight: perMessage(ctx, in.Messages)}
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), a.DeliverTransaction, deliver).Get(ctx, &res)
	}
	if err != nil {
		return contract.NotifyResult{}, err
	}
	tellOwners(ctx, res.Notices)
	ids := make([]uuid.UUID, len(res.Left))
	for i, left := range res.Left {
		ids[i] = left.DeliveryID
	}
	alone := lane{priority: l.priority}
	outcomes := each(ctx, ids, func(ctx workflow.Context, i int, id uuid.UUID) send.Outcome {
		if out := res.Left[i].Outcome; out.Status != "" {
			return finish(ctx, id, out)
		}
		return deliverIn(ctx, alone, in.TransactionID, id)
	})
	return finished(ctx, in, res.Done.Plus(tally(outcomes...))), nil
}

// tally counts deliveries' outcomes.
func tally(outcomes ...send.Outcome) contract.NotifyResult {
	var res contract.NotifyResult
	for _, o := range outcomes {
		res.Add(string(o.Status), 1)
	}
	return res
}

// deliver sends one message; the send records its own outcome. What it
// could not record (a failure, or a database hiccup after Zalo accepted
// the message) is recorded by a separate activity, which retries only the
// write, never the send.
func deliver(ctx workflow.Context, deliveryID uuid.UUID) send.Outcome {
	return deliverIn(ctx, fresh, uuid.Nil, deliveryID)
}

// A lane is how a send waits its turn. Fresh alerts go first: a local
// activity, then a regular one at the head of the send queue. A backlog
// (notifications started long after their transaction arrived: after an
// outage, or deep in a burst) waits in the queue behind them, paced by
// Temporal, without taking the local attempts fresh alerts need.
type lane struct {
	local    bool
	priority int // Temporal's priority key: 1 first; 3 is the default
}

var (
	fresh   = lane{local: true, priority: 1}
	backlog = lane{local: false, priority: 4}
)

// deliverIn is deliver in a lane, of a delivery of transaction txn
// (uuid.Nil: the send looks it up).
func deliverIn(ctx workflow.Context, l lane, txn, deliveryID uuid.UUID) send.Outcome {
	var a *notify.Activities
	return finish(ctx, deliveryID, sendIn(ctx, l, a.SendZaloMessage, notify.SendInput{DeliveryID: deliveryID, TransactionID: txn}))
}

// batchOptions is the local activity that sends a transaction's deliveries
// together: one attempt; whatever it does not settle is sent on its own.
var batchOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
}

// deliverAll sends a transaction's fresh deliveries in one local activity
// (SendZaloMessages: two statements and one history marker, however many
// recipients); each one it did not settle is then sent on its own, from
// the send queue, at the lane's priority.
func deliverAll(ctx workflow.Context, l lane, txn uuid.UUID, ids []uuid.UUID) []send.Outcome {
	var a *notify.Activities
	var res notify.BatchResult
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, batchOptions), a.SendZaloMessages,
		notify.BatchInput{DeliveryIDs: ids}).Get(ctx, &res)
	if err != nil {
		workflow.GetLogger(ctx).Warn("sending the deliveries together failed; each goes on its own", "error", err)
	}
	alone := lane{priority: l.priority}
	return each(ctx, ids, func(ctx workflow.Context, i int, id uuid.UUID) send.Outcome {
		if i < len(res.Outcomes) && res.Outcomes[i].Status != "" {
			return finish(ctx, id, res.Outcomes[i])
		}
		return deliverIn(ctx, alone, txn, id)
	})
}

// perMessage is the fairness weight of one task that sends messages
// messages: the shop's weight (the workflow's, 1 if unset) shared between
// them, so that the shops' fair shares count messages, not tasks.
func perMessage(ctx workflow.Context, messages int) float32 {
	w := workflow.GetInfo(ctx).Priority.FairnessWeight
	if w <= 0 {
		w = 1
	}
	return w / float32(max(1, messages))
}

// each runs do for every delivery in parallel and returns their outcomes.
func each(ctx workflow.Context, ids []uuid.UUID, do func(ctx workflow.Context, i int, id uuid.UUID) send.Outcome) []send.Outcome {
	outcomes := make([]send.Outcome, len(ids))
	wg := workflow.NewWaitGroup(ctx)
	for i, id := range ids {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			outcomes[i] = do(ctx, i, id)
		})
	}
	wg.Wait(ctx)
	return outcomes
}

// finish finishes a delivery's outcome: records it if the send could not,
// wakes the recipient's morning message if the night holds it, and tells
// the owner what they are to be told.
func finish(ctx workflow.Context, deliveryID uuid.UUID, out send.Outcome) send.Outcome {
	var a *notify.Activities
	if !out.Recorded {
		rec := notify.RecordInput{DeliveryID: deliveryID, Outcome: out}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, dbOptions), a.RecordDelivery, rec).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("delivery outcome not recorded", "delivery_id", deliveryID, "error", err)
		}
	}
	if out.Status == send.Deferred && out.DeferredUntil != nil {
		wakeInTheMorning(ctx, contract.MorningInput{Recipient: out.Recipient, RecipientID: out.RecipientID, At: *out.DeferredUntil})
	}
	if out.Notice != nil {
		tellOwners(ctx, []contract.OwnerNotice{*out.Notice})
	}
	return out
}

// sendOnce runs a send activity: first as a local activity, then, if that did
// not settle it, as a regular one on the send queue. An activity that
// failed for good becomes a failed outcome, not yet recorded.
func sendOnce[I any](ctx workflow.Context, activity func(context.Context, I) (send.Outcome, error), in I) send.Outcome {
	return sendIn(ctx, lane{local: true}, activity, in)
}

// sendIn is sendOnce in a lane.
func sendIn[I any](ctx workflow.Context, l lane, activity func(context.Context, I) (send.Outcome, error), in I) send.Outcome {
	var out send.Outcome
	var err error
	if l.local {
		err = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, sendLocalOptions), activity, in).Get(ctx, &out)
	}
	if !l.local || err != nil && !contract.IsFinal(err) {
		opts := sendOptions
		opts.Priority = temporal.Priority{PriorityKey: l.priority}
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), activity, in).Get(ctx, &out)
	}
	if err != nil {
		out = failed(ctx, err)
	}
	return out
}

// wakeInTheMorning makes sure the recipient's morning message for the
// night ending at m.At is coming: it starts its workflow, which outlives
// this one, unless it runs already (it will gather this alert too).
func wakeInTheMorning(ctx workflow.Context, m contract.MorningInput) {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            morningWorkflowID(ctx, m),
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}
	// The morning message gathers the recipient's alerts from every
	// workspace, so its payloads belong to none of them (package codec).
	child := workflow.WithChildOptions(codec.WithoutWorkspace(ctx), opts)
	f := workflow.ExecuteChildWorkflow(child, contract.MorningName, contract.MorningInput{Recipient: m.Recipient, At: m.At})
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		workflow.GetLogger(ctx).Error("the morning message could not be started; maintenance will", "recipient_id", m.RecipientID, "error", err)
	}
}

// morningWorkflowID names a morning message by our row id of its
// recipient. Runs that named it by the Zalo user id before (replayed
// down the default version), and a recipient held before row ids existed,
// keep that name: two morning messages for one night then gather its
// alerts once between them (PrepareMorning's claim is one statement).
func morningWorkflowID(ctx workflow.Context, m contract.MorningInput) string {
	if workflow.GetVersion(ctx, "morning-by-row-id", workflow.DefaultVersion, 1) == 1 && m.RecipientID != uuid.Nil {
		return contract.MorningWorkflowID(m.RecipientID, m.At)
	}
	return "morning:" + m.Recipient + ":" + m.At.In(vntime.Zone).Format("2006-01-02T15:04")
}

// failed is the outcome of a send Temporal stopped retrying; an error of
// ours is logged here, its words kept out of the delivery log.
func failed(ctx workflow.Context, err error) send.Outcome {
	out, ok := send.FailedBy(err)
	if !ok {
		workflow.GetLogger(ctx).Error("delivery failed", "error", err)
	}
	return out
}
