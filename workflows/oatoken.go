package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
)

// The OATokenKeeper's contract.
const (
	OATokenKeeperID      = "zalo-oa-token"
	OATokenKeeperName    = "OATokenKeeper"
	RefreshOATokenUpdate = "RefreshOAToken"
)

// KeeperInput configures the keeper; zero values take the defaults.
type KeeperInput struct {
	// Margin: refresh this long before the access token expires (default 1h
	// of Zalo's 25h).
	Margin time.Duration
	// RetryAfter: after a failed refresh, wait this long before trying again
	// on the keeper's own schedule (default 5m); sends may ask sooner.
	RetryAfter time.Duration
}

// RefreshRequest is a send's report that the token of StaleVersion was
// refused by Zalo.
type RefreshRequest struct {
	StaleVersion int64
}

// RefreshResponse names the version now current.
type RefreshResponse struct {
	Version int64
}

// refreshesPerRun bounds a run's history; the keeper then continues as new.
const refreshesPerRun = 50

var refreshOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    30 * time.Second,
		MaximumAttempts:    5,
	},
}

// OATokenKeeper is the only place that refreshes the OA token: ahead of
// expiry, and on demand when a send's token is refused. Being one workflow,
// it refreshes one at a time, and requests for a version it has already
// replaced are answered without a refresh, so a burst of refused sends
// costs exactly one refresh.
func OATokenKeeper(ctx workflow.Context, cfg KeeperInput) error {
	if cfg.Margin <= 0 {
		cfg.Margin = time.Hour
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5 * time.Minute
	}
	var a *activities.Activities
	actCtx := workflow.WithActivityOptions(ctx, refreshOptions)

	var state activities.OATokenState
	if err := workflow.ExecuteActivity(actCtx, a.LoadOATokenState).Get(ctx, &state); err != nil {
		return err
	}
	learned := workflow.Now(ctx) // when state's expiry became known
	var (
		wanted           int64 // the newest version a send reported refused
		requests, served int   // refresh requests received / covered by an attempt
		failures         int
		lastFailure      string
		retryAt          time.Time
	)
	// pending: a send is waiting for a version newer than the current one,
	// and no attempt has started since it asked.
	pending := func() bool { return requests > served && wanted >= state.Version }

	err := workflow.SetUpdateHandlerWithOptions(ctx, RefreshOATokenUpdate,
		func(ctx workflow.Context, req RefreshRequest) (RefreshResponse, error) {
			if req.StaleVersion < state.Version {
				return RefreshResponse{Version: state.Version}, nil // already replaced
			}
			wanted = max(wanted, req.StaleVersion)
			requests++
			seen := failures
			if err := workflow.Await(ctx, func() bool { return state.Version > req.StaleVersion || failures > seen }); err != nil {
				return RefreshResponse{}, err
			}
			if state.Version > req.StaleVersion {
				return RefreshResponse{Version: state.Version}, nil
			}
			return RefreshResponse{}, temporal.NewApplicationError("OA token refresh failed: "+lastFailure, "oa_refresh_failed")
		},
		workflow.UpdateHandlerOptions{Validator: func(req RefreshRequest) error {
			if req.StaleVersion <= 0 {
				return errors.New("stale_version must be the version of the refused token")
			}
			return nil
		}},
	)
	if err != nil {
		return err
	}

	for refreshes := 0; refreshes < refreshesPerRun && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); {
		if !pending() {
			wait := 24 * time.Hour // no token yet: nothing to do until a send asks
			if state.Present {
				// Never more than half the token's life early, so a short-lived
				// token (a sandbox's) does not make the keeper spin.
				margin := min(cfg.Margin, state.ExpiresAt.Sub(learned)/2)
				due := state.ExpiresAt.Add(-margin)
				if retryAt.After(due) {
					due = retryAt
				}
				wait = due.Sub(workflow.Now(ctx))
			}
			if wait > 0 {
				asked, err := workflow.AwaitWithTimeout(ctx, wait, pending)
				if err != nil {
					return err
				}
				if !asked && !state.Present {
					continue // a quiet day without a token: look again
				}
			}
		}
		served = requests
		var next activities.OATokenState
		in := activities.RefreshInput{Version: max(state.Version, wanted)}
		if err := workflow.ExecuteActivity(actCtx, a.RefreshOAToken, in).Get(ctx, &next); err != nil {
			failures++
			lastFailure = err.Error()
			retryAt = workflow.Now(ctx).Add(cfg.RetryAfter)
			workflow.GetLogger(ctx).Error("OA token refresh failed", "error", err)
			continue
		}
		state, retryAt, learned = next, time.Time{}, workflow.Now(ctx)
		refreshes++
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, OATokenKeeperName, cfg)
}
