// Package apikey makes, hashes and revokes workspace API keys. Keys are
// shown once and stored only as their SHA-256. An admin key may do
// everything; an ingest key only post transactions.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
)

// Prefix starts every key, so a leaked key is recognisable in a scan.
const Prefix = "tt_"

const (
	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	length   = 40 // 40 base62 characters ≈ 238 bits
)

// New returns a fresh key and the hash to store.
func New() (key string, hash []byte) {
	b := make([]byte, length)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // never happens on Linux
		}
		b[i] = alphabet[n.Int64()]
	}
	key = Prefix + string(b)
	return key, Hash(key)
}

// Hash is what the database stores and looks keys up by.
func Hash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// Issue makes an admin key for a workspace, stores its hash and returns the
// key; the key itself is never stored.
func Issue(ctx context.Context, q *db.Queries, workspaceID uuid.UUID, label string) (string, error) {
	k, err := Create(ctx, q, workspaceID, label, db.ApiKeyScopeAdmin)
	return k.Key, err
}

// Created is a key just made: its row, and the key itself, which only the
// answer that made it ever shows.
type Created struct {
	db.CreateAPIKeyRow
	Key string
}

// Create makes a key with the given scope for a workspace and stores its
// hash.
func Create(ctx context.Context, q *db.Queries, workspaceID uuid.UUID, label string, scope db.ApiKeyScope) (Created, error) {
	key, hash := New()
	row, err := q.CreateAPIKey(ctx, db.CreateAPIKeyParams{WorkspaceID: workspaceID, KeyHash: hash, Label: label, Scope: scope})
	if err != nil {
		return Created{}, fmt.Errorf("store api key: %w", err)
	}
	return Created{CreateAPIKeyRow: row, Key: key}, nil
}

// ErrLastAdminKey: revoking the key would leave its workspace without an
// admin key, and so without a way to make keys or see anything.
var ErrLastAdminKey = errors.New("the workspace's last admin key")

// Revoke revokes one of a workspace's keys: from then on it authenticates
// nothing. A key of another workspace, or none, is db.ErrNotFound; a key
// revoked already stays revoked (nil). The workspace's last unrevoked
// admin key is refused with ErrLastAdminKey. Revocations in one workspace
// take turns, so two admins revoking each other's keys at once leave one.
func Revoke(ctx context.Context, pool *db.Pool, workspaceID, id uuid.UUID) error {
	return db.InTx(ctx, pool, func(q *db.Queries) error {
		if err := q.LockWorkspaceKeys(ctx, workspaceID); err != nil {
			return err
		}
		// Read after the lock: each statement sees what the revocation
		// before it committed.
		k, err := q.GetAPIKey(ctx, db.GetAPIKeyParams{ID: id, WorkspaceID: workspaceID})
		if err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		if k.Scope == db.ApiKeyScopeAdmin {
			admins, err := q.CountAdminKeys(ctx, workspaceID)
			if err != nil {
				return err
			}
			if admins <= 1 {
				return ErrLastAdminKey
			}
		}
		return q.RevokeAPIKey(ctx, db.RevokeAPIKeyParams{ID: id, WorkspaceID: workspaceID})
	})
}

// CreateWorkspace creates a workspace with its first API key, an admin key.
func CreateWorkspace(ctx context.Context, pool *db.Pool, name string) (db.Workspace, string, error) {
	var ws db.Workspace
	var key string
	err := db.InTx(ctx, pool, func(q *db.Queries) error {
		var err error
		if ws, err = q.CreateWorkspace(ctx, name); err != nil {
			return fmt.Errorf("create workspace: %w", err)
		}
		key, err = Issue(ctx, q, ws.ID, "first key")
		return err
	})
	return ws, key, err
}
