package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	tingting "github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestRecordedHistoriesReplay replays every history in testdata/ against
// today's workflows: a change that would break a running workflow fails
// here. Histories are named <workflow type>.<label>.json and recorded by
// the end-to-end tests (RECORD_HISTORIES=<label> go test ./cmd/tingting/);
// a change ships behind workflow.GetVersion with a new label recorded, and
// the old histories stay (docs/DECISIONS.md).
func TestRecordedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.SplitN(filepath.Base(f), ".", 2)[0]
		seen[name] = true
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			tingting.RegisterWorkflows(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
	for _, name := range []string{contract.NotifyTransactionName, contract.ZaloInboundName, contract.SetupWizardName,
		contract.OATokenKeeperName, contract.SyncFollowersName, contract.RedeliverName, contract.MaintenanceName, contract.ReadBackName} {
		require.True(t, seen[name], "no recorded history of %s in testdata/", name)
	}
}
