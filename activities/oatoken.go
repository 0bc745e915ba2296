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

// RefreshOAToken trades the stored refresh token for a new pair and stores
// it. Only the OATokenKeeper workflow calls it, one at a time: Zalo's
// refresh tokens are single use, and a second concurrent refresh would
// revoke the OA's tokens for good.
func (a *Activities) RefreshOAToken(ctx context.Context, in RefreshInput) (oatoken.State, error) {
	refresh, st, err := a.Tokens.RefreshToken(ctx)
	if errors.Is(err, secret.ErrOpen) {
		return oatoken.State{}, temporal.NewNonRetryableApplicationError("stored refresh token cannot be opened: is TINGTING_ENCRYPTION_KEY the one it was sealed with?", "oa_token_sealed", err)
	} else if err != nil {
		return oatoken.State{}, err
	}
	if st.Version != in.Version {
		// Replaced meanwhile (by `dev`, or an operator): nothing to refresh.
		return st, nil
	}
	tok, err := a.Zalo.RefreshOAToken(ctx, refresh)
	if err != nil {
		class := zalo.Classify(err)
		if !class.Retryable() {
			return oatoken.State{}, temporal.NewNonRetryableApplicationError(err.Error(), "zalo_"+class.String(), nil)
		}
		return oatoken.State{}, temporal.NewApplicationError(err.Error(), "zalo_"+class.String())
	}
	return a.storeRefreshed(ctx, in.Version, tok)
}

// storeRefreshed persists a pair Zalo just issued. The old refresh token is
// spent, so this write is retried here, in place, rather than by retrying
// the activity (which would spend it twice).
func (a *Activities) storeRefreshed(ctx context.Context, version int64, tok zalo.OAToken) (oatoken.State, error) {
	expiresAt := a.Now().Add(tok.ExpiresIn)
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		st, err := a.Tokens.Swap(ctx, version, tok.AccessToken, tok.RefreshToken, expiresAt)
		if err == nil {
			return st, nil
		}
		activity.GetLogger(ctx).Error("storing the refreshed OA token failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return oatoken.State{}, temporal.NewNonRetryableApplicationError(
				"a refreshed OA token could not be stored; the OA must be re-authorized", "oa_token_lost", err)
		case <-time.After(wait):
		}
	}
}
