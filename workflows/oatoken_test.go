package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/workflows"
)

func newKeeperEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.OATokenKeeper, workflow.RegisterOptions{Name: workflows.OATokenKeeperName})
	return env
}

// refreshes answers every RefreshOAToken call with the next version and a
// fresh 25-hour token, counting the calls.
func refreshes(env *testsuite.TestWorkflowEnvironment, calls *int) {
	var a *activities.Activities
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RefreshInput) (activities.OATokenState, error) {
			*calls++
			return activities.OATokenState{Present: true, Version: in.Version + 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil
		})
}

// TestKeeperRefreshesOnceForABurstOfRefusedSends: ten sends report the
// same stale token at once; the keeper refreshes once and answers all ten
// with the new version, and a late report of the old version costs nothing.
func TestKeeperRefreshesOnceForABurstOfRefusedSends(t *testing.T) {
	env := newKeeperEnv(t)
	var a *activities.Activities
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		activities.OATokenState{Present: true, Version: 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil)
	calls := 0
	refreshes(env, &calls)

	answers := make([]int64, 0, 11)
	update := func(id string, stale int64) {
		env.UpdateWorkflow(workflows.RefreshOATokenUpdate, id, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("update %s rejected: %v", id, err) },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				require.NoError(t, err)
				answers = append(answers, res.(workflows.RefreshResponse).Version)
			},
		}, workflows.RefreshRequest{StaleVersion: stale})
	}
	env.RegisterDelayedCallback(func() {
		for i := range 10 {
			update(fmt.Sprint("burst-", i), 1)
		}
	}, time.Minute)
	env.RegisterDelayedCallback(func() { update("late", 1) }, time.Hour)
	env.RegisterDelayedCallback(func() {
		require.Equal(t, 1, calls, "one refresh for the whole burst")
		require.Len(t, answers, 11)
		for _, v := range answers {
			require.EqualValues(t, 2, v)
		}
		env.CancelWorkflow()
	}, 2*time.Hour)

	env.ExecuteWorkflow(workflows.OATokenKeeper, workflows.KeeperInput{})
	var canceled *temporal.CanceledError
	require.True(t, errors.As(env.GetWorkflowError(), &canceled), "ended by the test: %v", env.GetWorkflowError())
}

// TestKeeperRefreshesAheadOfExpiryAndContinuesAsNew: left alone, the keeper
// refreshes an hour before each expiry and starts a fresh run after a
// bounded number of refreshes.
func TestKeeperRefreshesAheadOfExpiryAndContinuesAsNew(t *testing.T) {
	env := newKeeperEnv(t)
	var a *activities.Activities
	start := env.Now()
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		activities.OATokenState{Present: true, Version: 7, ExpiresAt: start.Add(25 * time.Hour)}, nil)
	calls := 0
	var first time.Time
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RefreshInput) (activities.OATokenState, error) {
			if calls == 0 {
				first = env.Now()
			}
			calls++
			return activities.OATokenState{Present: true, Version: in.Version + 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil
		})

	env.ExecuteWorkflow(workflows.OATokenKeeper, workflows.KeeperInput{})
	require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()), "got %v", env.GetWorkflowError())
	require.Equal(t, 50, calls)
	require.WithinDuration(t, start.Add(24*time.Hour), first, time.Second, "first refresh an hour before expiry")
}

// TestKeeperReportsAFailedRefresh: when Zalo refuses the refresh token, the
// waiting sends get an error instead of hanging, and the keeper keeps going.
func TestKeeperReportsAFailedRefresh(t *testing.T) {
	env := newKeeperEnv(t)
	var a *activities.Activities
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		activities.OATokenState{Present: true, Version: 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil)
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		activities.OATokenState{}, temporal.NewNonRetryableApplicationError("invalid refresh token", "zalo_auth", nil))

	var got error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.RefreshOATokenUpdate, "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { got = err },
		}, workflows.RefreshRequest{StaleVersion: 1})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		require.ErrorContains(t, got, "invalid refresh token")
		env.CancelWorkflow()
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OATokenKeeper, workflows.KeeperInput{})
}
