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
	"sync"
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
	// Prices is what a chat message costs (templates carry their own).
	Prices Prices
	// SendRate is how many messages a second every worker together may
	// send (ZALO_SEND_RATE); 0: no limit.
	SendRate float64
	// AnswerShare is the share of SendRate answers to commands may take
	// at most (ZALO_ANSWER_SHARE; 1: as much as alerts).
	AnswerShare float64
	// Doubt is how sends whose answer was lost are settled.
	Doubt DoubtPolicy
	// ProbeEvery is how often one send tries a route paused for the OA.
	ProbeEvery time.Duration

	pauses pauseCache
}

// Prices are Zalo's prices of a chat message (ZALO.md §5): free within
// Free of the user's last interaction, Price đồng after.
type Prices struct {
	Free  time.Duration
	Price int64
}

// DoubtPolicy is how a send whose answer was lost is settled.
type DoubtPolicy struct {
	// Check: look for evidence before sending again (the conversation, a
	// receipt). Off, such a send is simply sent again and marked a
	// possible duplicate.
	Check bool
	// Wait: how long after the lost answer to look, so that a message Zalo
	// was still delivering has arrived.
	Wait time.Duration
	// GiveUp: how long evidence is waited for (a receipt that has not
	// come, a conversation Zalo will not list). Past it the message is
	// sent again and marked maybe_duplicate: for a money alert a possible
	// duplicate is better than a loss.
	GiveUp time.Duration
	// TemplatesListed: Zalo's conversation lists template messages sent
	// by user id (unconfirmed, ZALO.md §5). Off, such a send in doubt
	// waits GiveUp and is sent again.
	TemplatesListed bool
}

// Zalo is the part of the Zalo client sending needs.
type Zalo interface {
	SendText(ctx context.Context, accessToken, userID, text string) (zalo.SendResult, error)
	SendTemplate(ctx context.Context, accessToken, userID string, t zalo.Template) (zalo.SendResult, error)
	SendTemplateByPhone(ctx context.Context, accessToken, phone, trackingID string, t zalo.Template) (zalo.SendResult, error)
	Conversation(ctx context.Context, accessToken, userID string, offset, count int) ([]zalo.ConversationMessage, error)
	QuotaMessage(ctx context.Context, accessToken, userID string) (zalo.Quota, error)
}

// pauseCache holds the routes paused for the OA as last read: every send
// asks, and they change rarely.
type pauseCache struct {
	mu     sync.Mutex
	readAt time.Time
	routes map[string]pause
}

// Refresher asks the OATokenKeeper workflow for a new token because the
// one of staleVersion was refused; it returns once the keeper has one.
type Refresher interface {
	RequestRefresh(ctx context.Context, staleVersion int64) error
}
