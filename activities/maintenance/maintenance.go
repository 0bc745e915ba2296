// Package maintenance holds the activities the maintenance schedule runs:
// bring the OA token keeper back, forget what is kept only for a while,
// and find the morning messages overdue.
package maintenance

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool *db.Pool
	Now  func() time.Time
}

// EnsureKeeper starts the OATokenKeeper unless it runs: whatever ended it
// (an operator's terminate, a bug), the next maintenance run brings it back.
func (a *Activities) EnsureKeeper(ctx context.Context) error {
	_, err := activity.GetClient(ctx).ExecuteWorkflow(ctx, contract.KeeperStartOptions(), contract.OATokenKeeperName, contract.KeeperInput{})
	return err
}

// PurgeResult counts what a purge removed.
type PurgeResult struct {
	EventBodies, TransactionBodies, OAuthLogins, InviteFailures int64
	Notes                                                       int64 `json:",omitempty"`
	Events                                                      int64 `json:",omitempty"`
}

// Purge forgets what is kept only for a while: raw webhook bodies (the
// parsed fields stay), OAuth logins, the invite guard's log, the notes
// (owner notices and replies sent) once no retry can need them, and Zalo
// events past the webhook age limit. A zero duration keeps that kind for
// ever.
func (a *Activities) Purge(ctx context.Context, in contract.MaintenanceInput) (PurgeResult, error) {
	q := db.New(a.Pool)
	now := a.Now()
	var res PurgeResult
	for _, p := range []struct {
		keep  time.Duration
		count *int64
		purge func(context.Context, time.Time) (int64, error)
	}{
		{in.WebhookBodies, &res.EventBodies, q.PurgeZaloEventBodies},
		{in.WebhookBodies, &res.TransactionBodies, q.PurgeTransactionBodies},
		{in.OAuthLogins, &res.OAuthLogins, q.PurgeOAuthLogins},
		{in.InviteFailures, &res.InviteFailures, q.PurgeInviteFailures},
		{noteLife, &res.Notes, q.PurgeNotes},
		{in.ZaloEvents, &res.Events, q.PurgeZaloEvents},
	} {
		if p.keep <= 0 {
			continue
		}
		n, err := p.purge(ctx, now.Add(-p.keep))
		if err != nil {
			return res, fmt.Errorf("purge: %w", err)
		}
		*p.count = n
	}
	return res, nil
}

// noteLife is how long a note (a notice, a reply) is kept once sent: a
// workflow retrying its send gives up after a day.
const noteLife = 7 * 24 * time.Hour

// lateMorningGrace is how long after its night ends an alert may still be
// held before maintenance sends its morning message: longer than a morning
// message takes to gather its alerts.
const lateMorningGrace = 2 * time.Minute

// LateMornings lists the recipients and nights whose alerts are still held
// well after the night ended.
func (a *Activities) LateMornings(ctx context.Context) ([]contract.MorningInput, error) {
	rows, err := db.New(a.Pool).LateMornings(ctx, lateMorningGrace.Seconds())
	if err != nil {
		return nil, fmt.Errorf("late mornings: %w", err)
	}
	out := make([]contract.MorningInput, len(rows))
	for i, r := range rows {
		out[i] = contract.MorningInput{Recipient: r.Recipient, RecipientID: r.RecipientID.UUID, At: r.DeferredUntil}
	}
	return out, nil
}
