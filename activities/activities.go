// Package activities holds tingting's Temporal activities: the only code run
// by workflows that touches the database or Zalo.
package activities

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool   *pgxpool.Pool
	Zalo   Sender
	Tokens TokenSource
	Log    *slog.Logger
	Now    func() time.Time
}

// Sender is the part of the Zalo client the activities use.
type Sender interface {
	SendText(ctx context.Context, accessToken, userID, text string) (zalo.SendResult, error)
}

// TokenSource hands out the OA access token; it is read inside activities so
// that it never enters workflow history.
type TokenSource interface {
	OAAccessToken(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource for a token given by configuration.
type StaticToken string

// OAAccessToken returns the token itself.
func (t StaticToken) OAAccessToken(context.Context) (string, error) { return string(t), nil }
