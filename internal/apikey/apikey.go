// Package apikey makes and hashes workspace API keys. Keys are shown once
// and stored only as their SHA-256.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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

// Issue makes a key for a workspace, stores its hash and returns the key;
// the key itself is never stored.
func Issue(ctx context.Context, q *db.Queries, workspaceID uuid.UUID, label string) (string, error) {
	key, hash := New()
	if err := q.CreateAPIKey(ctx, db.CreateAPIKeyParams{WorkspaceID: workspaceID, KeyHash: hash, Label: label}); err != nil {
		return "", fmt.Errorf("store api key: %w", err)
	}
	return key, nil
}

// CreateWorkspace creates a workspace with its first API key.
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
