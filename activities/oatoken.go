package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// Purposes the OA tokens are sealed for.
const (
	sealAccess  = "oa_tokens.access"
	sealRefresh = "oa_tokens.refresh"
)

// ErrNoOAToken means no OA token has been stored yet.
var ErrNoOAToken = errors.New("no OA token stored: set ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN for the worker's first start")

// OATokens reads and stores the OA's sealed token pair.
type OATokens struct {
	Pool *pgxpool.Pool
	Box  *secret.Box
}

// Current returns the access token and the version of the pair it is from.
func (t *OATokens) Current(ctx context.Context) (token string, version int64, err error) {
	row, err := db.New(t.Pool).GetOAToken(ctx)
	if errors.Is(db.Classify(err), db.ErrNotFound) {
		return "", 0, ErrNoOAToken
	} else if err != nil {
		return "", 0, fmt.Errorf("oa token: %w", err)
	}
	token, err = t.Box.Open(row.AccessToken, sealAccess)
	return token, row.Version, err
}

// Store saves a pair given by configuration. A pair already stored wins
// unless force is set: refreshes have made it newer than any configuration.
func (t *OATokens) Store(ctx context.Context, access, refresh string, expiresAt time.Time, force bool) error {
	return db.New(t.Pool).SetOAToken(ctx, db.SetOATokenParams{
		AccessToken: t.Box.Seal(access, sealAccess), RefreshToken: t.Box.Seal(refresh, sealRefresh),
		ExpiresAt: expiresAt, Force: force,
	})
}

// Refresher asks the OATokenKeeper workflow for a new token because the
// one of staleVersion was refused; it returns once the keeper has one.
type Refresher interface {
	RequestRefresh(ctx context.Context, staleVersion int64) error
}

// OATokenState is what the keeper knows of the stored pair.
type OATokenState struct {
	Present   bool
	Version   int64
	ExpiresAt time.Time
}

// LoadOATokenState reads the stored pair's version and expiry.
func (a *Activities) LoadOATokenState(ctx context.Context) (OATokenState, error) {
	row, err := db.New(a.Pool).GetOAToken(ctx)
	if errors.Is(db.Classify(err), db.ErrNotFound) {
		return OATokenState{}, nil
	} else if err != nil {
		return OATokenState{}, err
	}
	return OATokenState{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}, nil
}

// RefreshInput names the version the keeper believes is current.
type RefreshInput struct {
	Version int64
}

// RefreshOAToken trades the stored refresh token for a new pair and stores
// it. Only the OATokenKeeper workflow calls it, one at a time: Zalo's
// refresh tokens are single use, and a second concurrent refresh would
// revoke the OA's tokens for good.
func (a *Activities) RefreshOAToken(ctx context.Context, in RefreshInput) (OATokenState, error) {
	q := db.New(a.Pool)
	row, err := q.GetOAToken(ctx)
	if err != nil {
		return OATokenState{}, fmt.Errorf("oa token: %w", db.Classify(err))
	}
	if row.Version != in.Version {
		// Replaced meanwhile (by `dev`, or an operator): nothing to refresh.
		return OATokenState{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}, nil
	}
	refresh, err := a.Tokens.Box.Open(row.RefreshToken, sealRefresh)
	if err != nil {
		return OATokenState{}, temporal.NewNonRetryableApplicationError("stored refresh token cannot be opened: is TINGTING_ENCRYPTION_KEY the one it was sealed with?", "oa_token_sealed", err)
	}
	tok, err := a.Zalo.RefreshOAToken(ctx, refresh)
	if err != nil {
		class := zalo.Classify(err)
		if !class.Retryable() {
			return OATokenState{}, temporal.NewNonRetryableApplicationError(err.Error(), "zalo_"+class.String(), nil)
		}
		return OATokenState{}, temporal.NewApplicationError(err.Error(), "zalo_"+class.String())
	}
	return a.storeRefreshed(ctx, q, in.Version, tok)
}

// storeRefreshed persists a pair Zalo just issued. The old refresh token is
// spent, so this write is retried here, in place, rather than by retrying
// the activity (which would spend it twice).
func (a *Activities) storeRefreshed(ctx context.Context, q *db.Queries, version int64, tok zalo.OAToken) (OATokenState, error) {
	p := db.SwapOATokenParams{
		AccessToken:  a.Tokens.Box.Seal(tok.AccessToken, sealAccess),
		RefreshToken: a.Tokens.Box.Seal(tok.RefreshToken, sealRefresh),
		ExpiresAt:    a.Now().Add(tok.ExpiresIn),
		Version:      version,
	}
	var err error
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		var row db.SwapOATokenRow
		if row, err = q.SwapOAToken(ctx, p); err == nil {
			return OATokenState{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}, nil
		}
		activity.GetLogger(ctx).Error("storing the refreshed OA token failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return OATokenState{}, temporal.NewNonRetryableApplicationError(
				"a refreshed OA token could not be stored; the OA must be re-authorized", "oa_token_lost", err)
		case <-time.After(wait):
		}
	}
}
