package workflows

import (
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// OwnerNotice tells an integration's owner one thing, once (its id is the
// notice's): it waits until the notice is due (a daily summary's minute),
// and while the night closes the owner's route, on timers; it ends with
// the notice's status.
func OwnerNotice(ctx workflow.Context, n contract.OwnerNotice) (string, error) {
	if err := sleepUntil(ctx, n.DueAt); err != nil {
		return "", err
	}
	var a *notices.Activities
	for {
		out := sendOnce(ctx, a.SendOwnerNotice, n)
		if out.Status != send.Deferred || out.DeferredUntil == nil {
			return string(out.Status), nil
		}
		if err := sleepUntil(ctx, *out.DeferredUntil); err != nil {
			return "", err
		}
	}
}

// tellOwners starts a notice's workflow for each, to outlive the caller; a
// notice told before (its id taken) is not told again.
func tellOwners(ctx workflow.Context, ns []contract.OwnerNotice) {
	for _, n := range ns {
		opts := workflow.ChildWorkflowOptions{
			WorkflowID:            contract.NoticeWorkflowID(n),
			ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}
		f := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), contract.OwnerNoticeName, n)
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			workflow.GetLogger(ctx).Error("an owner notice could not be started", "kind", n.Kind, "error", err)
		}
	}
}
