package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/keeper"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// refreshesPerRun bounds a run's history; the keeper then continues as new.
const refreshesPerRun = 50

// The keeper's activities retry for as long as it takes: what they retry
// is safe to (database reads; a refresh whose request never reached Zalo),
// and a refresh that may have reached Zalo fails non-retryable instead.
// The refresh's timeout outlasts the client's token-call timeout.
var refreshOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    30 * time.Second,
	},
}

// tokenKeeper is the OATokenKeeper's state: the stored pair it knows of and the
// refresh requests of sends whose token Zalo refused.
type tokenKeeper struct {
	cfg     contract.KeeperInput
	state   contract.OATokenState
	learned time.Time // when state's expiry became known

	wanted           int64 // the newest version a send reported refused
	requests, served int   // refresh requests received / covered by an attempt
	failures         int
	lastFailure      string
	retryAt          time.Time
	reload           bool // a pair was stored from outside: read it
}

// OATokenKeeper is the only place that refreshes the OA token: ahead of
// expiry, and on demand when a send's token is refused. Being one workflow,
// it refreshes one at a time, and requests for a version it has already
// replaced are answered without a refresh, so a burst of refused sends
// costs exactly one refresh.
func OATokenKeeper(ctx workflow.Context, cfg contract.KeeperInput) error {
	if cfg.Margin <= 0 {
		cfg.Margin = time.Hour
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5 * time.Minute
	}
	var a *keeper.Activities
	actCtx := workflow.WithActivityOptions(ctx, refreshOptions)
	k := &tokenKeeper{cfg: cfg}
	if err := workflow.ExecuteActivity(actCtx, a.LoadOATokenState).Get(ctx, &k.state); err != nil {
		return err
	}
	k.learned = workflow.Now(ctx)
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.RefreshOATokenUpdate, k.refresh,
		workflow.UpdateHandlerOptions{Validator: k.validateRefresh}); err != nil {
		return err
	}
	reloads := workflow.GetSignalChannel(ctx, contract.ReloadOATokenSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for reloads.Receive(ctx, nil) {
			k.reload = true
		}
	})

	for refreshes := 0; ; {
		if k.reload {
			// An operator connected the OA again: a new pair is stored.
			k.reload = false
			if err := workflow.ExecuteActivity(actCtx, a.LoadOATokenState).Get(ctx, &k.state); err != nil {
				return err
			}
			k.learned, k.retryAt = workflow.Now(ctx), time.Time{}
			continue
		}
		if refreshes >= refreshesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// Time for a new run, but never with a send still waiting:
			// serve what is pending first.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) || k.pending() }); err != nil {
				return err
			}
			if !k.pending() {
				break
			}
		} else if wait := k.untilDue(ctx); !k.pending() && wait > 0 {
			asked, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return k.pending() || k.reload })
			if err != nil {
				return err
			}
			if k.reload || !asked && !k.state.Present {
				continue // a new pair stored; or a quiet day without a token: look again
			}
		}
		k.served = k.requests
		var next contract.OATokenState
		in := keeper.RefreshInput{Version: max(k.state.Version, k.wanted)}
		if err := workflow.ExecuteActivity(actCtx, a.RefreshOAToken, in).Get(ctx, &next); err != nil {
			k.failures++
			k.lastFailure = err.Error()
			k.retryAt = workflow.Now(ctx).Add(cfg.RetryAfter)
			workflow.GetLogger(ctx).Error("OA token refresh failed", "error", err)
			continue
		}
		k.state, k.retryAt, k.learned = next, time.Time{}, workflow.Now(ctx)
		refreshes++
	}
	return workflow.NewContinueAsNewError(ctx, contract.OATokenKeeperName, cfg)
}

// pending: a send is waiting for a version newer than the current one, and
// no attempt has started since it asked.
func (k *tokenKeeper) pending() bool { return k.requests > k.served && k.wanted >= k.state.Version }

// untilDue is how long until the next refresh on the keeper's own
// schedule: ahead of expiry, or after a failure's pause.
func (k *tokenKeeper) untilDue(ctx workflow.Context) time.Duration {
	if !k.state.Present {
		return 24 * time.Hour // no token yet: nothing to do until a send asks
	}
	// Never more than half the token's life early, so a short-lived token
	// (a sandbox's) does not make the keeper spin.
	margin := min(k.cfg.Margin, k.state.ExpiresAt.Sub(k.learned)/2)
	due := k.state.ExpiresAt.Add(-margin)
	if k.retryAt.After(due) {
		due = k.retryAt
	}
	return due.Sub(workflow.Now(ctx))
}

func (k *tokenKeeper) validateRefresh(req contract.RefreshRequest) error {
	if req.StaleVersion <= 0 {
		return errors.New("stale_version must be the version of the refused token")
	}
	return nil
}

// refresh answers a send whose token was refused once a newer version is
// stored, or with the error of the attempt that failed.
func (k *tokenKeeper) refresh(ctx workflow.Context, req contract.RefreshRequest) (contract.RefreshResponse, error) {
	if req.StaleVersion < k.state.Version {
		return contract.RefreshResponse{Version: k.state.Version}, nil // already replaced
	}
	k.wanted = max(k.wanted, req.StaleVersion)
	k.requests++
	seen := k.failures
	if err := workflow.Await(ctx, func() bool { return k.state.Version > req.StaleVersion || k.failures > seen }); err != nil {
		return contract.RefreshResponse{}, err
	}
	if k.state.Version > req.StaleVersion {
		return contract.RefreshResponse{Version: k.state.Version}, nil
	}
	return contract.RefreshResponse{}, contract.FailRefreshFailed.New("OA token refresh failed: %s", k.lastFailure)
}
