package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// morningSpace names the morning messages' ids, made from their runs' ids.
var morningSpace = uuid.MustParse("5b0b9a5e-6c1e-4c44-9d64-52f1b1f0a7d3")

// MorningMessage sleeps until the night ends, then sends the recipient one
// message for every alert the night held for them, and records each of
// those alerts as sent with that message's id. The wait is a timer in the
// workflow: nothing polls. Alerts no morning message can carry (the
// recipient is reached by template only) go one by one.
func MorningMessage(ctx workflow.Context, in contract.MorningInput) (contract.NotifyResult, error) {
	if err := sleepUntil(ctx, in.At); err != nil {
		return contract.NotifyResult{}, err
	}
	var a *notify.Activities
	morning := notify.MorningInput{
		DigestID:  uuid.NewSHA1(morningSpace, []byte(workflow.GetInfo(ctx).WorkflowExecution.RunID)),
		Recipient: in.Recipient, DueAt: in.At,
	}
	var plan notify.MorningPlan
	prepCtx := workflow.WithLocalActivityOptions(ctx, planOptions)
	if err := workflow.ExecuteLocalActivity(prepCtx, a.PrepareMorning, morning).Get(ctx, &plan); err != nil {
		return contract.NotifyResult{}, err
	}
	var res contract.NotifyResult
	release := plan.Release
	if plan.Count > 0 {
		out := sendOnce(ctx, a.SendMorning, morning)
		if !out.Recorded {
			if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, dbOptions), a.RecordMorning, morning, out).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Error("morning message outcome not recorded", "recipient", in.Recipient, "error", err)
			}
		}
		release = append(release, out.Release...)
		if len(out.Release) == 0 {
			res.Add(string(out.Status), plan.Count)
		}
	}
	for _, o := range each(ctx, release, func(ctx workflow.Context, _ int, id uuid.UUID) send.Outcome { return deliver(ctx, id) }) {
		res.Add(string(o.Status), 1)
	}
	return res, nil
}

// sleepUntil waits, on a timer, until at (the zero time: not at all).
func sleepUntil(ctx workflow.Context, at time.Time) error {
	if wait := at.Sub(workflow.Now(ctx)); !at.IsZero() && wait > 0 {
		return workflow.Sleep(ctx, wait)
	}
	return nil
}
