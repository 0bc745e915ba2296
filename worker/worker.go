// Package worker builds the Temporal worker that runs tingting's workflows
// and activities.
package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Workers are a process's Temporal workers: one on contract.TaskQueue with
// every workflow and activity, one on contract.SendTaskQueue for the sends
// that wait there.
type Workers []worker.Worker

// Options are what a process's workers are built with.
type Options struct {
	// SendRate is ZALO_SEND_RATE: Temporal hands out the send queue's tasks
	// at nine tenths of it across every worker, leaving the rest to the
	// sends that go first as local activities (both kinds draw on one
	// budget; see the send core's pace).
	SendRate float64
	// StopTimeout is how long Stop lets running activities and workflow
	// tasks (with their local activities) finish before cancelling them
	// (WORKER_STOP_TIMEOUT).
	StopTimeout time.Duration
	// OnFatalError hears of an error that stopped a worker for good (its
	// namespace gone, say): the process should end, not linger unpolled.
	OnFatalError func(error)
}

// New returns the workers; the caller starts and stops them.
func New(c client.Client, acts Activities, o Options) Workers {
	main := worker.New(c, contract.TaskQueue, worker.Options{WorkerStopTimeout: o.StopTimeout, OnFatalError: o.OnFatalError})
	RegisterWorkflows(main)
	acts.Register(main)
	opts := worker.Options{DisableWorkflowWorker: true, WorkerStopTimeout: o.StopTimeout, OnFatalError: o.OnFatalError}
	if o.SendRate > 0 {
		opts.TaskQueueActivitiesPerSecond = 0.9 * o.SendRate
	}
	sends := worker.New(c, contract.SendTaskQueue, opts)
	acts.registerSends(sends)
	return Workers{main, sends}
}

// Start starts every worker, or none.
func (ws Workers) Start() error {
	for i, w := range ws {
		if err := w.Start(); err != nil {
			for _, started := range ws[:i] {
				started.Stop()
			}
			return err
		}
	}
	return nil
}

// Stop stops every worker at once, so the drain takes one StopTimeout,
// not one per worker.
func (ws Workers) Stop() {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(w.Stop)
	}
	wg.Wait()
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
		contract.RedeliverName:         workflows.RedeliverMessage,
		contract.MaintenanceName:       workflows.Maintenance,
		contract.MorningName:           workflows.MorningMessage,
		contract.OwnerNoticeName:       workflows.OwnerNotice,
		contract.ReadBackName:          workflows.CassoReadBack,
	} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}

// StartKeeper makes sure the singleton OATokenKeeper runs; starting it
// again is a no-op.
func StartKeeper(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, contract.KeeperStartOptions(), contract.OATokenKeeperName, contract.KeeperInput{})
	if err != nil {
		return fmt.Errorf("starting the OA token keeper: %w", err)
	}
	return nil
}

// maintenanceEvery is how often the maintenance schedule runs: how long at
// most the keeper can be gone.
const maintenanceEvery = 5 * time.Minute

// EnsureMaintenance creates the maintenance schedule, or brings an
// existing one to this worker's retention settings; either way it runs
// now, so a starting worker reads the OA's health and templates at once.
func EnsureMaintenance(ctx context.Context, c client.Client, retention contract.MaintenanceInput) error {
	if err := ensureSchedule(ctx, c, contract.MaintenanceScheduleID, maintenanceEvery, &client.ScheduleWorkflowAction{
		ID: "maintenance", Workflow: contract.MaintenanceName, Args: []any{retention}, TaskQueue: contract.TaskQueue,
	}); err != nil {
		return err
	}
	h := c.ScheduleClient().GetHandle(ctx, contract.MaintenanceScheduleID)
	return h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP})
}

// EnsureReadBack creates the Casso read-back schedule, or brings an
// existing one to this worker's settings: every period, the days before
// today. A period of 0 deletes it.
func EnsureReadBack(ctx context.Context, c client.Client, every time.Duration, days int) error {
	if every <= 0 {
		err := c.ScheduleClient().GetHandle(ctx, contract.ReadBackScheduleID).Delete(ctx)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return nil
		}
		return err
	}
	return ensureSchedule(ctx, c, contract.ReadBackScheduleID, every, &client.ScheduleWorkflowAction{
		ID: "casso-read-back", Workflow: contract.ReadBackName, Args: []any{contract.ReadBackInput{Days: days}}, TaskQueue: contract.TaskQueue,
	})
}

// ensureSchedule creates a schedule that runs action every period (once
// at once), a run skipped while the last one goes on, or brings the one
// existing to them.
func ensureSchedule(ctx context.Context, c client.Client, id string, every time.Duration, action *client.ScheduleWorkflowAction) error {
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action, Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		TriggerImmediately: true,
	})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return err
	}
	return c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			in.Description.Schedule.Spec = &spec
			in.Description.Schedule.Action = action
			return &client.ScheduleUpdate{Schedule: &in.Description.Schedule}, nil
		},
	})
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
