// Package keeper holds the activities of the OATokenKeeper: reading the
// stored pair's state, and the one refresh of it at a time.
package keeper

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Tokens  *oatoken.Store
	Zalo    Zalo
	Metrics *metrics.Metrics
	Now     func() time.Time
}

// Zalo is the part of the Zalo client the keeper needs.
type Zalo interface {
	RefreshOAToken(ctx context.Context, refreshToken string) (zalo.OAToken, error)
}

// LoadOATokenState reads the stored pair's version and expiry.
func (a *Activities) LoadOATokenState(ctx context.Context) (contract.OATokenState, error) {
	st, err := a.Tokens.State(ctx)
	return contract.OATokenState(st), err
}

// RefreshInput names the version the keeper believes is current.
type RefreshInput struct {
	Version int64
}

// RefreshOAToken trades the stored refresh token for a new pair and stores
// it. Only the OATokenKeeper workflow calls it, one at a time: Zalo's
// refresh tokens are single use, and a second concurrent refresh would
// revoke the OA's tokens for good. Everything before the call to Zalo
// (reading the pair, marking the call) is safe to retry and is; from the
// call on, nothing is: a lost answer marks the pair uncertain, and the
// keeper's next attempt, made deliberately after a pause, is the one more
// call that settles it (a new pair, or -14014: re-authorize).
func (a *Activities) RefreshOAToken(ctx context.Context, in RefreshInput) (contract.OATokenState, error) {
	refresh, st, rs, err := a.Tokens.RefreshToken(ctx)
	switch {
	case errors.Is(err, secret.ErrOpen):
		return contract.OATokenState{}, contract.FailSealed.Final("the stored refresh token cannot be opened: is TINGTING_ENCRYPTION_KEY the one it was sealed with?")
	case err != nil:
		return contract.OATokenState{}, err
	case st.Version != in.Version:
		return contract.OATokenState(st), nil // replaced meanwhile (by `dev`, or an operator): nothing to refresh
	case rs == oatoken.RefreshReauthorize:
		return contract.OATokenState{}, contract.FailReauthorize.Final(reauthorize)
	}
	settling := rs == oatoken.RefreshInFlight || rs == oatoken.RefreshUncertain
	if settling {
		activity.GetLogger(ctx).Warn("settling an uncertain OA token refresh: one more call with the same refresh token")
	}
	if err := a.Tokens.Mark(ctx, in.Version, oatoken.RefreshInFlight); err != nil {
		return contract.OATokenState{}, err
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
		return contract.OATokenState{}, contract.FailReauthorize.Final("%s", msg)
	case mayHaveReached(err):
		a.markAfterCall(ctx, in.Version, oatoken.RefreshUncertain)
		a.Metrics.OARefreshUncertain.Inc()
		activity.GetLogger(ctx).Error("OA token refresh answer lost: the refresh token may be spent; the keeper will settle it with one more call", "error", err)
		return contract.OATokenState{}, contract.FailRefreshUncertain.Final("%v", err)
	case class.Retryable():
		// The request never reached Zalo (or Zalo said to retry): the
		// refresh token is unspent, and trying again is safe.
		a.markAfterCall(ctx, in.Version, oatoken.RefreshIdle)
		return contract.OATokenState{}, contract.FailZaloRetryable.New("%v", err)
	}
	a.markAfterCall(ctx, in.Version, oatoken.RefreshIdle)
	return contract.OATokenState{}, contract.FailZaloPermanent.Final("%v", err)
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
func (a *Activities) storeRefreshed(ctx context.Context, version int64, tok zalo.OAToken) (contract.OATokenState, error) {
	expiresAt := a.Now().Add(tok.ExpiresIn)
	var st oatoken.State
	err := retryInPlace(ctx, func() error {
		var err error
		st, err = a.Tokens.Swap(ctx, version, tok.AccessToken, tok.RefreshToken, expiresAt)
		return err
	})
	if err != nil {
		return contract.OATokenState{}, contract.FailTokenLost.Final("a refreshed OA token could not be stored (%v); the OA must be re-authorized", err)
	}
	return contract.OATokenState(st), nil
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
