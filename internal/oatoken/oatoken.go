// Package oatoken keeps the OA's token pair: one row, both tokens sealed
// with TINGTING_ENCRYPTION_KEY, and a version that grows with every change,
// so a refresh can require the version it replaces.
package oatoken

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

	// The access token as last read, for cacheFor: every message sent
	// needs it, and it changes about once a day.
	mu     sync.Mutex
	token  string
	ver    int64
	readAt time.Time
}

// cacheFor is how long Current trusts the token it read. A send that meets
// a newer one elsewhere (Zalo refuses the old) asks Fresh.
const cacheFor = 2 * time.Second

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

// Current returns the access token and the version of the pair it is
// from, as read at most cacheFor ago.
func (s *Store) Current(ctx context.Context) (token string, version int64, err error) {
	s.mu.Lock()
	token, version, at := s.token, s.ver, s.readAt
	s.mu.Unlock()
	if token != "" && time.Since(at) < cacheFor {
		return token, version, nil
	}
	return s.Fresh(ctx)
}

// Fresh reads the access token from the database.
func (s *Store) Fresh(ctx context.Context) (token string, version int64, err error) {
	row, err := db.New(s.Pool).GetOAToken(ctx)
	if errors.Is(err, db.ErrNotFound) {
		return "", 0, ErrNone
	} else if err != nil {
		return "", 0, fmt.Errorf("oa token: %w", err)
	}
	token, err = s.Box.Open(row.AccessToken, secret.OAAccessToken)
	if err != nil {
		return "", 0, err
	}
	s.mu.Lock()
	s.token, s.ver, s.readAt = token, row.Version, time.Now()
	s.mu.Unlock()
	return token, row.Version, nil
}

// forget drops the cached token: this process changed the pair.
func (s *Store) forget() {
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
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
	defer s.forget()
	return db.New(s.Pool).SetOAToken(ctx, db.SetOATokenParams{
		AccessToken: s.Box.Seal(access, secret.OAAccessToken), RefreshToken: s.Box.Seal(refresh, secret.OARefreshToken),
		ExpiresAt: expiresAt, Force: force,
	})
}

// Swap replaces the pair of the given version with a new one; it fails
// with db.ErrNotFound if that version is no longer current.
func (s *Store) Swap(ctx context.Context, version int64, access, refresh string, expiresAt time.Time) (State, error) {
	defer s.forget()
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
