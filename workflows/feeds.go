package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/feeds"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// readBackOptions: a source's read-back pages through Casso with a
// heartbeat a page, and a retry goes on from the page it was at. Casso
// away for longer is the next period's to read.
var readBackOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Minute,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute, MaximumAttempts: 5},
}

const (
	// readBackAtOnce sources are read at the same time.
	readBackAtOnce = 20
	// readBackPerRun sources are read before the run continues as new,
	// so its history stays small however many sources there are.
	readBackPerRun = 200
)

// CassoReadBack reads Casso's transactions back over a few days, for the
// sources named or (the schedule's runs) every source holding a Casso API
// key, and records what the webhooks missed, notified as any transaction
// is. An owner whose key Casso refuses is told, once per refusal.
func CassoReadBack(ctx workflow.Context, in contract.ReadBackInput) (contract.ReadBackResult, error) {
	var a *feeds.Activities
	ctx = workflow.WithActivityOptions(ctx, readBackOptions)
	if in.From == "" {
		in.From, in.To = contract.ReadBackDates(workflow.Now(ctx), in.Days)
	}
	res := in.Done
	if in.SourceIDs != nil {
		readBack(ctx, in, in.SourceIDs, &res)
		return res, nil
	}
	for read := 0; read < readBackPerRun; read += readBackAtOnce {
		var ids []uuid.UUID
		page := feeds.SourcesPage{After: in.After, Max: readBackAtOnce}
		if err := workflow.ExecuteActivity(ctx, a.ReadBackSources, page).Get(ctx, &ids); err != nil {
			return res, err
		}
		readBack(ctx, in, ids, &res)
		if len(ids) < readBackAtOnce {
			return res, nil
		}
		in.After = ids[len(ids)-1]
	}
	in.Done = res
	return res, workflow.NewContinueAsNewError(ctx, contract.ReadBackName, in)
}

// readBack reads sources back at the same time and adds up what they
// found; a source whose read-back failed is the next period's to read.
func readBack(ctx workflow.Context, in contract.ReadBackInput, ids []uuid.UUID, res *contract.ReadBackResult) {
	var a *feeds.Activities
	futures := make([]workflow.Future, len(ids))
	for i, id := range ids {
		futures[i] = workflow.ExecuteActivity(ctx, a.ReadBack, contract.ReadBackSource{SourceID: id, From: in.From, To: in.To})
	}
	for i, f := range futures {
		var out contract.ReadBackOutcome
		if err := f.Get(ctx, &out); err != nil {
			workflow.GetLogger(ctx).Warn("a Casso read-back failed; the next one reads again", "source_id", ids[i], "error", err)
			continue
		}
		res.Sources++
		res.Read += out.Read
		res.Recovered += out.Recovered
		if out.RefusedSince.IsZero() {
			continue
		}
		res.Refused++
		if len(out.Tell) > 0 {
			tellOwners(ctx, out.Tell)
			told := contract.ReadBackTold{SourceID: ids[i], Since: out.RefusedSince}
			if err := workflow.ExecuteActivity(ctx, a.ReadBackTold, told).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("marking a refusal told failed; its notice's id keeps it told once", "error", err)
			}
		}
	}
}
