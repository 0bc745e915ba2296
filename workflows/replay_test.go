package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	tingting "github.com/tingting-vn/tingting/worker"
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
	registered := registry{}
	tingting.RegisterWorkflows(registered)
	for name := range registered {
		require.True(t, seen[name], "no recorded history of %s in testdata/", name)
	}
}

// registry collects the names of the workflows registered with it.
type registry map[string]bool

func (r registry) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) { r[o.Name] = true }
