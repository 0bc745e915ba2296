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

	"github.com/tingting-vn/tingting/activities/keeper"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func newKeeperEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.OATokenKeeper, workflow.RegisterOptions{Name: contract.OATokenKeeperName})
	return env
}

// refreshes answers every RefreshOAToken call with the next version and a
// fresh 25-hour token, counting the calls.
func refreshes(env *testsuite.TestWorkflowEnvironment, calls *int) {
	var a *keeper.Activities
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in keeper.RefreshInput) (contract.OATokenState, error) {
			*calls++
			return contract.OATokenState{Present: true, Version: in.Version + 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil
		})
}

// TestKeeperRefreshesOnceForABurstOfRefusedSends: ten sends report the
// same stale token at once; the keeper refreshes once and answers all ten
// with the new version, and a late report of the old version costs nothing.
func TestKeeperRefreshesOnceForABurstOfRefusedSends(t *testing.T) {
	env := newKeeperEnv(t)
	var a *keeper.Activities
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		contract.OATokenState{Present: true, Version: 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil)
	calls := 0
	refreshes(env, &calls)

	answers := make([]int64, 0, 11)
	update := func(id string, stale int64) {
		env.UpdateWorkflow(contract.RefreshOATokenUpdate, id, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("update %s rejected: %v", id, err) },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				require.NoError(t, err)
				answers = append(answers, res.(contract.RefreshResponse).Version)
			},
		}, contract.RefreshRequest{StaleVersion: stale})
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

	env.ExecuteWorkflow(workflows.OATokenKeeper, contract.KeeperInput{})
	var canceled *temporal.CanceledError
	require.True(t, errors.As(env.GetWorkflowError(), &canceled), "ended by the test: %v", env.GetWorkflowError())
}

// TestKeeperRefreshesAheadOfExpiryAndContinuesAsNew: left alone, the keeper
// refreshes an hour before each expiry and starts a fresh run after a
// bounded number of refreshes; a send that asks during the last of them is
// served before the new run starts, not left waiting.
func TestKeeperRefreshesAheadOfExpiryAndContinuesAsNew(t *testing.T) {
	env := newKeeperEnv(t)
	var a *keeper.Activities
	start := env.Now()
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		contract.OATokenState{Present: true, Version: 7, ExpiresAt: start.Add(25 * time.Hour)}, nil)
	calls := 0
	var first time.Time
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in keeper.RefreshInput) (contract.OATokenState, error) {
			if calls == 0 {
				first = env.Now()
			}
			calls++
			if calls == 50 {
				time.Sleep(300 * time.Millisecond) // at Zalo while a send reports the token it is making
			}
			return contract.OATokenState{Present: true, Version: in.Version + 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil
		})
	var served int64
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(contract.RefreshOATokenUpdate, "during-the-last", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(res any, err error) {
				require.NoError(t, err)
				served = res.(contract.RefreshResponse).Version
			},
		}, contract.RefreshRequest{StaleVersion: 7 + 50}) // the version the 50th refresh makes, refused at once
	}, 50*24*time.Hour+time.Millisecond)

	env.ExecuteWorkflow(workflows.OATokenKeeper, contract.KeeperInput{})
	require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()), "got %v", env.GetWorkflowError())
	require.Equal(t, 51, calls, "fifty on schedule, one for the send")
	require.EqualValues(t, 7+51, served, "the send was answered before the new run")
	require.WithinDuration(t, start.Add(24*time.Hour), first, time.Second, "first refresh an hour before expiry")
}

// TestKeeperReportsAFailedRefresh: when Zalo refuses the refresh token, the
// waiting sends get an error instead of hanging, and the keeper keeps going.
func TestKeeperReportsAFailedRefresh(t *testing.T) {
	env := newKeeperEnv(t)
	var a *keeper.Activities
	env.OnActivity(a.LoadOATokenState, mock.Anything).Return(
		contract.OATokenState{Present: true, Version: 1, ExpiresAt: env.Now().Add(25 * time.Hour)}, nil)
	env.OnActivity(a.RefreshOAToken, mock.Anything, mock.Anything).Return(
		contract.OATokenState{}, temporal.NewNonRetryableApplicationError("invalid refresh token", "zalo_auth", nil))

	var got error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(contract.RefreshOATokenUpdate, "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { got = err },
		}, contract.RefreshRequest{StaleVersion: 1})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		require.ErrorContains(t, got, "invalid refresh token")
		env.CancelWorkflow()
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OATokenKeeper, contract.KeeperInput{})
}
