// Package activities holds tingting's Temporal activities: the only code run
// by workflows that touches the database or Zalo.
package activities

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool      *pgxpool.Pool
	Zalo      Zalo
	Tokens    *OATokens
	Refresher Refresher
	Metrics   *metrics.Metrics
	Now       func() time.Time
}

// Zalo is the part of the Zalo client the activities use.
type Zalo interface {
	SendText(ctx context.Context, accessToken, userID, text string) (zalo.SendResult, error)
	SendTemplate(ctx context.Context, accessToken, userID, templateID string, data map[string]string) (zalo.SendResult, error)
	RefreshOAToken(ctx context.Context, refreshToken string) (zalo.OAToken, error)
	ListFollowers(ctx context.Context, accessToken string, offset, count int) (zalo.FollowerPage, error)
	UserDetail(ctx context.Context, accessToken, userID string) (zalo.UserDetail, error)
	ExchangeCode(ctx context.Context, code, codeVerifier string) (zalo.UserToken, error)
	Me(ctx context.Context, userAccessToken string) (zalo.Me, error)
}
