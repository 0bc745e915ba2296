// Package activities holds tingting's Temporal activities: the only code run
// by workflows that touches the database or Zalo.
package activities

import (
	"context"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool      *db.Pool
	Zalo      Zalo
	Tokens    *oatoken.Store
	Box       *secret.Box // opens what the API sealed (login verifiers)
	Refresher Refresher
	Metrics   *metrics.Metrics
	Now       func() time.Time
	InDoubt   InDoubt
	Reach     Reach
}

// Zalo is the part of the Zalo client the activities use.
type Zalo interface {
	SendText(ctx context.Context, accessToken, userID, text string) (zalo.SendResult, error)
	Conversation(ctx context.Context, accessToken, userID string, offset, count int) ([]zalo.ConversationMessage, error)
	SendTransaction(ctx context.Context, accessToken, userID string, m zalo.TransactionMessage) (zalo.SendResult, error)
	SendZNS(ctx context.Context, accessToken string, m zalo.ZNSMessage) (zalo.SendResult, error)
	RefreshOAToken(ctx context.Context, refreshToken string) (zalo.OAToken, error)
	ListFollowers(ctx context.Context, accessToken string, offset, count int) (zalo.FollowerPage, error)
	UserDetail(ctx context.Context, accessToken, userID string) (zalo.UserDetail, error)
	ExchangeCode(ctx context.Context, code, codeVerifier string) (zalo.UserToken, error)
	Me(ctx context.Context, userAccessToken string) (zalo.Me, error)
}
