package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/maintenance"
	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/workflows/contract"
)

var maintenanceOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 5},
}

// readOAOptions read the OA and its templates from Zalo: a few tries, and
// the next run reads again.
var readOAOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second, MaximumAttempts: 3},
}

// noticesAhead is how far ahead maintenance plans daily summaries: past
// its next run, so none is missed; each waits for its minute.
const noticesAhead = 6 * time.Minute

// Maintenance is what the maintenance schedule runs every few minutes:
// bring the OA token keeper back if it is gone, purge what is kept only
// for a while, and send the morning message of alerts still held after
// their night ended (their MorningMessage did not start, or had gathered
// the night's alerts just before this one was held), and start the owner
// notices due: silences, and the daily summaries of the next minutes. All
// idempotent; a
// run that fails is the next run's to redo.
func Maintenance(ctx workflow.Context, in contract.MaintenanceInput) (maintenance.PurgeResult, error) {
	var a *maintenance.Activities
	var n *notices.Activities
	ctx = workflow.WithActivityOptions(ctx, maintenanceOptions)
	keeper := workflow.ExecuteActivity(ctx, a.EnsureKeeper)
	var res maintenance.PurgeResult
	purged := workflow.ExecuteActivity(ctx, a.Purge, in).Get(ctx, &res)
	if workflow.GetVersion(ctx, "late-mornings", workflow.DefaultVersion, 1) == 1 {
		var late []contract.MorningInput
		if err := workflow.ExecuteActivity(ctx, a.LateMornings).Get(ctx, &late); err != nil {
			return res, err
		}
		for _, m := range late {
			wakeInTheMorning(ctx, m)
		}
	}
	if workflow.GetVersion(ctx, "zalo-2026", workflow.DefaultVersion, 1) == 1 {
		// What Zalo says of the OA and its templates now: before the
		// notices, which tell owners of a template gone unfit.
		var o *oa.Activities
		templates := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, readOAOptions), o.SyncTemplates)
		health := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, readOAOptions), o.CheckOA)
		for _, f := range []workflow.Future{templates, health} {
			if err := f.Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Error("reading the OA from Zalo failed; the next run reads it again", "error", err)
			}
		}
	}
	if workflow.GetVersion(ctx, "owner-notices", workflow.DefaultVersion, 1) == 1 {
		var due []contract.OwnerNotice
		if err := workflow.ExecuteActivity(ctx, n.DueNotices, noticesAhead).Get(ctx, &due); err != nil {
			return res, err
		}
		tellOwners(ctx, due)
	}
	if err := keeper.Get(ctx, nil); err != nil {
		return res, err
	}
	return res, purged
}
