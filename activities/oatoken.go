package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// Refresher asks the OATokenKeeper workflow for a new token because the
// one of staleVersion was refused; it returns once the keeper has one.
type Refresher interface {
	RequestRefresh(ctx context.Context, staleVersion int64) error
}

// LoadOATokenState reads the stored pair's version and expiry.
func (a *Activities) LoadOATokenState(ctx context.Context) (oatoken.State, error) {
	return a.Tokens.State(ctx)
}

// RefreshInput names the version the keeper believes is current.
type RefreshInput struct {
	Version int64
}

// Error types of a refresh that ended after Zalo was called; never retried
// by Temporal, since retrying would call Zalo again with the same refresh
// token.
const (
	ErrRefreshUncertain = "oa_refresh_uncertain" // the answer was lost: the token may be spent
	ErrReauthorize      = "oa_reauthorize"       // Zalo refused the refresh token: re-authorize the OA
)

// RefreshOAToken trades the stored refresh token for a new pair and stores
// it. Only the OATokenKeeper workflow calls it, one at a time: Zalo's
// refresh tokens are single use, and a second concurrent refresh would
// revoke the OA's tokens for good. Everything before the call to Zalo
// (reading the pair, marking the call) is safe to retry and is; from the
// call on, nothing is: a lost answer marks the pair uncertain, and the
// keeper's next attempt, made deliberately after a pause, is the one more
// call that settles it (a new pair, or -14014: re-authorize).
func (a *Activities) RefreshOAToken(ctx context.Context, in RefreshInput) (oatoken.State, error) {
	refresh, st, rs, err := a.Tokens.RefreshToken(ctx)
	switch {
	case errors.Is(err, secret.ErrOpen):
		return oatoken.State{}, temporal.NewNonRetryableApplicationError("stored refresh token cannot be opened: is TINGTING_ENCRYPTION_KEY the one it was sealed with?", "oa_token_sealed", err)
	case err != nil:
		return oatoken.State{}, err
	case st.Version != in.Version:
		return st, nil // replaced meanwhile (by `dev`, or an operator): nothing to refresh
	case rs == oatoken.RefreshReauthorize:
		return oatoken.State{}, temporal.NewNonRetryableApplicationError(reauthorize, ErrReauthorize, nil)
	}
	settling := rs == oatoken.RefreshInFlight || rs == oatoken.RefreshUncertain
	if settling {
		activity.GetLogger(ctx).Warn("settling an uncertain OA token refresh: one more call with the same refresh token")
	}
	if err := a.Tokens.Mark(ctx, in.Version, oatoken.RefreshInFlight); err != nil {
		return oatoken.State{}, err
	}

	tok, err := a.Zalo.RefreshOAToken(ctx, refresh)
	if err == nil {
		return a.storeRefreshed(ctx, in.Version, tok)
	}
	class := zalo.Classify(err)
	switch {
	case class == zalo.ClassAuth:
		a.markAfterCall(ctx, in.Version, oatoken.RefreshReauthorize)
		msg := reauthorize
		if settling {
			msg = "the uncertain refresh had reached Zalo and its new token was lost; " + reauthorize
		}
		return oatoken.State{}, temporal.NewNonRetryableApplicationError(msg, ErrReauthorize, nil)
	case mayHaveReached(err):
		a.markAfterCall(ctx, in.Version, oatoken.RefreshUncertain)
		a.Metrics.OARefreshUncertain.Inc()
		activity.GetLogger(ctx).Error("OA token refresh answer lost: the refresh token may be spent; the keeper will settle it with one more call", "error", err)
		return oatoken.State{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrRefreshUncertain, nil)
	case class.Retryable():
		// The request never reached Zalo (or Zalo said to retry): the
		// refresh token is unspent, and trying again is safe.
		a.markAfterCall(ctx, in.Version, oatoken.RefreshIdle)
		return oatoken.State{}, temporal.NewApplicationError(err.Error(), "zalo_"+class.String())
	}
	a.markAfterCall(ctx, in.Version, oatoken.RefreshIdle)
	return oatoken.State{}, temporal.NewNonRetryableApplicationError(err.Error(), "zalo_"+class.String(), nil)
}

const reauthorize = "Zalo refused the OA's refresh token (-14014): authorize the OA again and store the new pair (README: runbook)"

// mayHaveReached tells a call whose request may have reached Zalo but
// whose answer did not come back.
func mayHaveReached(err error) bool { return zalo.Classify(err) == zalo.ClassInDoubt }

// markAfterCall records where a refresh stands once Zalo was called: the
// call cannot be repeated, so the write is retried here until it lands.
func (a *Activities) markAfterCall(ctx context.Context, version int64, rs oatoken.RefreshState) {
	retryInPlace(ctx, func() error { return a.Tokens.Mark(ctx, version, rs) })
}

// storeRefreshed persists a pair Zalo just issued. The old refresh token is
// spent, so this write is retried here, in place, rather than by retrying
// the activity (which would spend it twice).
func (a *Activities) storeRefreshed(ctx context.Context, version int64, tok zalo.OAToken) (oatoken.State, error) {
	expiresAt := a.Now().Add(tok.ExpiresIn)
	var st oatoken.State
	err := retryInPlace(ctx, func() error {
		var err error
		st, err = a.Tokens.Swap(ctx, version, tok.AccessToken, tok.RefreshToken, expiresAt)
		return err
	})
	if err != nil {
		return oatoken.State{}, temporal.NewNonRetryableApplicationError(
			"a refreshed OA token could not be stored; the OA must be re-authorized", "oa_token_lost", err)
	}
	return st, nil
}

// retryInPlace retries a database write that follows a call to Zalo, which
// cannot be repeated, until it lands or the activity's time runs out.
func retryInPlace(ctx context.Context, write func() error) error {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := write()
		if err == nil {
			return nil
		}
		activity.GetLogger(ctx).Error("a write after a call to Zalo failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}
