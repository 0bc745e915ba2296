// Package team makes the links that invite a person to a workspace's
// team. A link's code is shown once and stored only as its SHA-256; it
// admits one person, once, within InviteLife.
package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
)

// InviteLife is how long an invite link may be used.
const InviteLife = 7 * 24 * time.Hour

// Invite is an invitation just made: its code, the link that carries it,
// and when it stops working.
type Invite struct {
	Code, URL string
	ExpiresAt time.Time
}

// NewInvite invites someone to a workspace's team with a role; publicURL
// is where the web UI is.
func NewInvite(ctx context.Context, q *db.Queries, publicURL string, workspaceID uuid.UUID, role db.TeamRole) (Invite, error) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	row, err := q.CreateTeamInvite(ctx, db.CreateTeamInviteParams{
		WorkspaceID: workspaceID, CodeHash: Hash(code), Role: role, ExpiresAt: time.Now().Add(InviteLife),
	})
	if err != nil {
		return Invite{}, err
	}
	return Invite{Code: code, URL: publicURL + "/#/join/" + code, ExpiresAt: row.ExpiresAt}, nil
}

// Hash is what is stored of a code, and what it is found by.
func Hash(code string) []byte {
	sum := sha256.Sum256([]byte(code))
	return sum[:]
}
