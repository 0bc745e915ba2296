// Package worker builds the Temporal worker that runs tingting's workflows
// and activities.
package worker

import (
	"context"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/workflows"
)

// New returns a worker on workflows.TaskQueue with every workflow and
// activity registered; the caller runs and stops it.
func New(c client.Client, acts *activities.Activities) worker.Worker {
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	for name, fn := range map[string]any{
		workflows.NotifyTransactionName: workflows.NotifyTransaction,
		workflows.OATokenKeeperName:     workflows.OATokenKeeper,
		workflows.ZaloInboundName:       workflows.ZaloInbound,
		workflows.SyncFollowersName:     workflows.SyncZaloFollowers,
		workflows.SetupWizardName:       workflows.SetupWizard,
	} {
		w.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	w.RegisterActivity(acts)
	return w
}

// StartKeeper makes sure the singleton OATokenKeeper runs; starting it
// again is a no-op.
func StartKeeper(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.OATokenKeeperID,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.OATokenKeeperName, workflows.KeeperInput{})
	if err != nil {
		return fmt.Errorf("starting the OA token keeper: %w", err)
	}
	return nil
}

// Keeper asks the OATokenKeeper for refreshes through a Temporal Update.
type Keeper struct {
	Client client.Client
}

// RequestRefresh reports a refused token and waits for the keeper's answer.
func (k Keeper) RequestRefresh(ctx context.Context, staleVersion int64) error {
	h, err := k.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.OATokenKeeperID,
		UpdateName:   workflows.RefreshOATokenUpdate,
		Args:         []any{workflows.RefreshRequest{StaleVersion: staleVersion}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}
