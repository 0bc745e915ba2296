// Package oatoken keeps the OA's token pair: one row, both tokens sealed
// with TINGTING_ENCRYPTION_KEY, and a version that grows with every change,
// so a refresh can require the version it replaces.
package oatoken

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
)

// ErrNone means no OA token has been stored yet.
var ErrNone = errors.New("no OA token stored: set ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN for the worker's first start")

// Store reads and writes the sealed pair.
type Store struct {
	Pool *db.Pool
	Box  *secret.Box
}

// State is what is known of the stored pair without opening it.
type State struct {
	Present   bool
	Version   int64
	ExpiresAt time.Time
}

// Where a refresh of the stored pair stands. Zalo's refresh tokens are
// single use, so a call whose answer was lost leaves the pair Uncertain:
// the old refresh token may be spent.
type RefreshState string

const (
	RefreshIdle        RefreshState = ""
	RefreshInFlight    RefreshState = "in_flight"
	RefreshUncertain   RefreshState = "uncertain"
	RefreshReauthorize RefreshState = "reauthorize"
)

// Current returns the access token and the version of the pair it is from.
func (s *Store) Current(ctx context.Context) (token string, version int64, err error) {
	row, err := db.New(s.Pool).GetOAToken(ctx)
	if errors.Is(err, db.ErrNotFound) {
		return "", 0, ErrNone
	} else if err != nil {
		return "", 0, fmt.Errorf("oa token: %w", err)
	}
	token, err = s.Box.Open(row.AccessToken, secret.OAAccessToken)
	return token, row.Version, err
}

// State reads the stored pair's version and expiry; Present is false when
// there is none.
func (s *Store) State(ctx context.Context) (State, error) {
	row, err := db.New(s.Pool).GetOAToken(ctx)
	if errors.Is(err, db.ErrNotFound) {
		return State{}, nil
	} else if err != nil {
		return State{}, fmt.Errorf("oa token: %w", err)
	}
	return State{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}, nil
}

// RefreshToken returns the stored refresh token, the pair's state and
// where its refresh stands.
func (s *Store) RefreshToken(ctx context.Context) (string, State, RefreshState, error) {
	row, err := db.New(s.Pool).GetOAToken(ctx)
	if err != nil {
		return "", State{}, "", fmt.Errorf("oa token: %w", err)
	}
	st := State{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}
	refresh, err := s.Box.Open(row.RefreshToken, secret.OARefreshToken)
	return refresh, st, RefreshState(row.RefreshState), err
}

// Mark records where the refresh of the pair of the given version stands.
func (s *Store) Mark(ctx context.Context, version int64, rs RefreshState) error {
	return db.New(s.Pool).MarkOARefresh(ctx, db.MarkOARefreshParams{Version: version, RefreshState: string(rs)})
}

// Put saves a pair given by configuration. A pair already stored wins
// unless force is set: refreshes have made it newer than any configuration.
func (s *Store) Put(ctx context.Context, access, refresh string, expiresAt time.Time, force bool) error {
	return db.New(s.Pool).SetOAToken(ctx, db.SetOATokenParams{
		AccessToken: s.Box.Seal(access, secret.OAAccessToken), RefreshToken: s.Box.Seal(refresh, secret.OARefreshToken),
		ExpiresAt: expiresAt, Force: force,
	})
}

// Swap replaces the pair of the given version with a new one; it fails
// with db.ErrNotFound if that version is no longer current.
func (s *Store) Swap(ctx context.Context, version int64, access, refresh string, expiresAt time.Time) (State, error) {
	row, err := db.New(s.Pool).SwapOAToken(ctx, db.SwapOATokenParams{
		AccessToken:  s.Box.Seal(access, secret.OAAccessToken),
		RefreshToken: s.Box.Seal(refresh, secret.OARefreshToken),
		ExpiresAt:    expiresAt,
		Version:      version,
	})
	if err != nil {
		return State{}, err
	}
	return State{Present: true, Version: row.Version, ExpiresAt: row.ExpiresAt}, nil
}
