package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/workflows"
)

// TestOATokenKeeperReplays replays a recorded keeper history (a start-up
// refresh, then a burst of refresh Updates from refused sends) against
// today's code: a change that would break running keepers fails here.
// Re-record with RECORD_KEEPER_HISTORY=$PWD/workflows/testdata/oatokenkeeper.json
// go test -run TestABurst ./cmd/tingting/ — only for a deliberate, versioned change.
func TestOATokenKeeperReplays(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.OATokenKeeper, workflow.RegisterOptions{Name: workflows.OATokenKeeperName})
	require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/oatokenkeeper.json"))
}

// TestSetupWizardReplays replays a whole recorded wizard: bank accounts,
// Zalo login, fields, test calls (one retried with the same Idempotency-Key),
// an invalidating change and save. Re-record with
// RECORD_WIZARD_HISTORY=$PWD/workflows/testdata/setupwizard.json go test -run TestTheWizardEndToEnd ./cmd/tingting/
func TestSetupWizardReplays(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: workflows.SetupWizardName})
	require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/setupwizard.json"))
}
