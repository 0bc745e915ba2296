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
	"github.com/tingting-vn/tingting/workflows/contract"
)

// New returns a worker on contract.TaskQueue with every workflow and
// activity registered; the caller runs and stops it.
func New(c client.Client, acts *activities.Activities) worker.Worker {
	w := worker.New(c, contract.TaskQueue, worker.Options{})
	RegisterWorkflows(w)
	w.RegisterActivity(acts)
	return w
}

// Registry is where workflows are registered: a worker, or a replayer.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its contract name.
func RegisterWorkflows(r Registry) {
	for name, fn := range map[string]any{
		contract.NotifyTransactionName: workflows.NotifyTransaction,
		contract.OATokenKeeperName:     workflows.OATokenKeeper,
		contract.ZaloInboundName:       workflows.ZaloInbound,
		contract.SyncFollowersName:     workflows.SyncZaloFollowers,
		contract.SetupWizardName:       workflows.SetupWizard,
	} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}

// StartKeeper makes sure the singleton OATokenKeeper runs; starting it
// again is a no-op.
func StartKeeper(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       contract.OATokenKeeperID,
		TaskQueue:                contract.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, contract.OATokenKeeperName, contract.KeeperInput{})
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
		WorkflowID:   contract.OATokenKeeperID,
		UpdateName:   contract.RefreshOATokenUpdate,
		Args:         []any{contract.RefreshRequest{StaleVersion: staleVersion}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}
