package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/feeds"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func newFeedsEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&feeds.Activities{})
	return env
}

// TestReadBackReadsEverySourceAndTellsARefusalOnce: the schedule's run
// reads each source holding a key over the days before its start, sums
// up what was recovered, tells the owners of a refused key and marks them
// told; a source whose read-back fails does not stop the others.
func TestReadBackReadsEverySourceAndTellsARefusalOnce(t *testing.T) {
	env := newFeedsEnv()
	var a *feeds.Activities
	ok, refused, broken := uuid.New(), uuid.New(), uuid.New()
	start := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC) // 10:00 in Vietnam
	env.SetStartTime(start)
	since := start.Add(-time.Hour)
	notice := contract.OwnerNotice{IntegrationID: uuid.New(), Kind: contract.NoticeCassoKeyRefused, About: "x", Key: refused.String()}

	env.OnActivity(a.ReadBackSources, mock.Anything, feeds.SourcesPage{Max: 20}).Return([]uuid.UUID{ok, refused, broken}, nil).Once()
	var mu sync.Mutex
	read := map[uuid.UUID]contract.ReadBackSource{}
	env.OnActivity(a.ReadBack, mock.Anything, mock.Anything).Return(func(_ context.Context, in contract.ReadBackSource) (contract.ReadBackOutcome, error) {
		mu.Lock()
		read[in.SourceID] = in
		mu.Unlock()
		switch in.SourceID {
		case ok:
			return contract.ReadBackOutcome{Read: 10, Recovered: 2}, nil
		case refused:
			return contract.ReadBackOutcome{RefusedSince: since, Tell: []contract.OwnerNotice{notice}}, nil
		}
		return contract.ReadBackOutcome{}, errors.New("casso: HTTP 503")
	})
	env.OnActivity(a.ReadBackTold, mock.Anything, contract.ReadBackTold{SourceID: refused, Since: since}).Return(nil).Once()
	var told []contract.OwnerNotice
	env.RegisterWorkflowWithOptions(workflows.OwnerNotice, workflow.RegisterOptions{Name: contract.OwnerNoticeName})
	env.OnWorkflow(contract.OwnerNoticeName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, n contract.OwnerNotice) (string, error) {
		told = append(told, n)
		return "sent", nil
	})

	env.ExecuteWorkflow(workflows.CassoReadBack, contract.ReadBackInput{Days: 3})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res contract.ReadBackResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.ReadBackResult{Sources: 2, Read: 10, Recovered: 2, Refused: 1}, res)
	require.Equal(t, contract.ReadBackSource{SourceID: ok, From: "2026-11-22", To: "2026-11-25"}, read[ok])
	require.Len(t, read, 3)
	require.Equal(t, []contract.OwnerNotice{notice}, told)
	env.AssertExpectations(t)
}

// TestReadBackOfOneSource: a sync reads the source it names over the
// days it was given, and lists no others.
func TestReadBackOfOneSource(t *testing.T) {
	env := newFeedsEnv()
	var a *feeds.Activities
	id := uuid.New()
	want := contract.ReadBackSource{SourceID: id, From: "2026-11-01", To: "2026-11-04"}
	env.OnActivity(a.ReadBack, mock.Anything, want).Return(contract.ReadBackOutcome{Read: 1, Recovered: 1}, nil).Once()
	env.ExecuteWorkflow(workflows.CassoReadBack, contract.ReadBackInput{SourceIDs: []uuid.UUID{id}, From: want.From, To: want.To})
	require.NoError(t, env.GetWorkflowError())
	var res contract.ReadBackResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, contract.ReadBackResult{Sources: 1, Read: 1, Recovered: 1}, res)
	env.AssertExpectations(t)
}

// TestReadBackOfManySourcesContinuesAsNew: a run reads a bounded number of
// sources, then goes on as a new run from the last one, carrying its sum
// and its days.
func TestReadBackOfManySourcesContinuesAsNew(t *testing.T) {
	env := newFeedsEnv()
	var a *feeds.Activities
	env.OnActivity(a.ReadBackSources, mock.Anything, mock.Anything).Return(func(_ context.Context, p feeds.SourcesPage) ([]uuid.UUID, error) {
		ids := make([]uuid.UUID, p.Max)
		for i := range ids {
			ids[i] = uuid.New()
		}
		return ids, nil
	})
	env.OnActivity(a.ReadBack, mock.Anything, mock.Anything).Return(contract.ReadBackOutcome{Read: 1}, nil)
	env.ExecuteWorkflow(workflows.CassoReadBack, contract.ReadBackInput{Days: 3})
	err := env.GetWorkflowError()
	var cont *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &cont)
	require.Equal(t, contract.ReadBackName, cont.WorkflowType.Name)
	var next contract.ReadBackInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(cont.Input, &next))
	require.Equal(t, 200, next.Done.Sources)
	require.Equal(t, 200, next.Done.Read)
	require.NotEqual(t, uuid.Nil, next.After)
	require.NotEmpty(t, next.From, "the next run reads the same days")
}
