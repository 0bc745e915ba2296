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
