package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The floor plans, then runs one activity per recipient, each noting one
// message for the transaction.
func TestFloorWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	log := &MessageLog{}
	env.RegisterWorkflowWithOptions(FloorWorkflow, workflow.RegisterOptions{Name: FloorWorkflowName})
	env.RegisterActivity(&FloorActivities{Recipients: []string{"u1", "u2", "u3"}, Log: log, Pacer: newPacer(0)})
	env.ExecuteWorkflow(FloorWorkflowName, FloorInput{ExternalID: "BENCH-abc-000001"})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res FloorResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, 3, res.Sent)
	var to []string
	for _, m := range log.items {
		assert.Equal(t, "BENCH-abc-000001", m.Text)
		to = append(to, m.UserID)
	}
	assert.ElementsMatch(t, []string{"u1", "u2", "u3"}, to)
}

func TestSendRate(t *testing.T) {
	for v, want := range map[string]float64{"": 0, "0": 0, "30": 30, "2.5": 2.5} {
		r, err := parseSendRate(v)
		require.NoError(t, err, v)
		assert.Equal(t, want, r)
	}
	for _, v := range []string{"-1", "fast"} {
		_, err := parseSendRate(v)
		assert.Error(t, err, v)
	}
}
