// Package worker builds the Temporal worker that runs tingting's workflows
// and activities.
package worker

import (
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
	w.RegisterWorkflowWithOptions(workflows.NotifyTransaction, workflow.RegisterOptions{Name: workflows.NotifyTransactionName})
	w.RegisterActivity(acts)
	return w
}
