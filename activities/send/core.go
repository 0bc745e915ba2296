// Package send is tingting's send core: it sends one message to one person
// exactly once. It picks the routes that may reach them (package route
// decides, purely), waits for the OA's send budget, calls Zalo with the OA
// token, sorts Zalo's answers into outcomes, and settles a send whose
// answer was lost from the evidence of the person's conversation.
//
// Alerts, morning messages, owner notices and command replies all go
// through Core.Send; each keeps its own rows (a Ledger) and records the
// Outcome it gets back. Activity packages hold a *Core; nothing else in
// them calls Zalo's message API.
package send

import (
	"context"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// Core sends messages. Its fields are its dependencies and settings.
type Core struct {
	Pool      *db.Pool
	Zalo      Zalo
	Tokens    *oatoken.Store
	Refresher Refresher
	Metrics   *metrics.Metrics
	Now       func() time.Time

	// Routes is how recipients are reached (ZALO_ROUTES, the windows, the
	// night).
	Routes route.Policy
	// TransactionTemplate is the transaction message's template_type.
	TransactionTemplate string
	// SendRate is how many messages a second every worker together may
	// send (ZALO_SEND_RATE); 0: no limit.
	SendRate float64
	// Doubt is how sends whose answer was lost are settled.
	Doubt DoubtPolicy
}

// DoubtPolicy is how a send whose answer was lost is settled.
type DoubtPolicy struct {
	// Check: look in the recipient's conversation before sending again.
	// Off, such a send is simply sent again (and may arrive twice).
	Check bool
	// Wait: how long after the lost answer to look, so that a message Zalo
	// was still delivering has arrived.
	Wait time.Duration
}

// Zalo is the part of the Zalo client sending needs.
type Zalo interface {
	SendText(ctx context.Context, accessToken, userID, text string) (zalo.SendResult, error)
	SendTransaction(ctx context.Context, accessToken, userID string, m zalo.TransactionMessage) (zalo.SendResult, error)
	SendZNS(ctx context.Context, accessToken string, m zalo.ZNSMessage) (zalo.SendResult, error)
	Conversation(ctx context.Context, accessToken, userID string, offset, count int) ([]zalo.ConversationMessage, error)
	UserDetail(ctx context.Context, accessToken, userID string) (zalo.UserDetail, error)
}

// Refresher asks the OATokenKeeper workflow for a new token because the
// one of staleVersion was refused; it returns once the keeper has one.
type Refresher interface {
	RequestRefresh(ctx context.Context, staleVersion int64) error
}
