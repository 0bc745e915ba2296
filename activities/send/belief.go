package send

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// Believe is what the follower table says of a user, for choosing routes:
// someone it does not know yet is taken as a follower (Zalo will say).
func (c *Core) Believe(ctx context.Context, oaUserID string) (route.Recipient, error) {
	f, err := db.New(c.Pool).GetZaloFollower(ctx, oaUserID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return route.Recipient{Following: true}, nil
	case err != nil:
		return route.Recipient{}, err
	}
	return route.Recipient{Following: f.Following, LastInteraction: f.LastInteractionAt, CSRefusedAt: f.CSRefusedAt}, nil
}

// learnWindow asks Zalo for the exact age of a user's chat window
// (quota/message) when what we believe of it may be stale: nothing known,
// or nothing within it (a webhook lost, an interaction before tingting
// tracked them); at most once a day each. It is an improvement, not a
// need: failing, the route is chosen by the belief.
func (c *Core) learnWindow(ctx context.Context, m *Message) {
	q, err := Call(ctx, c, "quota", func(token string) (zalo.Quota, error) {
		return c.Zalo.QuotaMessage(ctx, token, m.To)
	})
	if err != nil {
		activity.GetLogger(ctx).Warn("reading a user's chat window", "error", err)
		return
	}
	if err := db.New(c.Pool).RecordInteractionDate(ctx, db.RecordInteractionDateParams{
		OAUserID: m.To, Following: m.Belief.Following, InteractedAt: q.LastInteraction,
	}); err != nil {
		activity.GetLogger(ctx).Warn("recording a user's last interaction", "error", err)
	}
	if at := q.LastInteraction; at != nil && (m.Belief.LastInteraction == nil || at.After(*m.Belief.LastInteraction)) {
		m.Belief.LastInteraction = at
	}
}

// unlearn corrects the belief that made rt look open to a user, now that
// Zalo refused it: chat refused for want of an interaction stays closed
// until they interact again; a refusal to a non-follower means they no
// longer follow, an inference that any follow event, even one Zalo stamped
// a moment before it, overrides.
func (c *Core) unlearn(ctx context.Context, oaUserID string, rt route.Route, class zalo.Class) error {
	q := db.New(c.Pool)
	switch {
	case rt == route.CS && class == zalo.ClassNoInteraction:
		return q.RecordCSRefused(ctx, oaUserID)
	case class == zalo.ClassNotFollowing:
		following := false
		return q.UpsertZaloFollower(ctx, db.UpsertZaloFollowerParams{OAUserID: oaUserID, Following: &following, At: c.Now(), Inferred: true})
	}
	return nil
}
