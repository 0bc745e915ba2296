package send

import (
	"context"
	"errors"
	"time"

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

// askInteraction reads a user's last interaction from user/detail, for a
// user no webhook has told us of since tingting began tracking them (at
// most once a day each). It is an improvement, not a need: failing, the
// route is chosen without it.
func (c *Core) askInteraction(ctx context.Context, oaUserID string) *time.Time {
	d, err := Call(ctx, c, "user_detail", func(token string) (zalo.UserDetail, error) {
		return c.Zalo.UserDetail(ctx, token, oaUserID)
	})
	if err != nil {
		activity.GetLogger(ctx).Warn("reading a user's last interaction", "error", err)
		return nil
	}
	if err := db.New(c.Pool).RecordInteractionDate(ctx, db.RecordInteractionDateParams{OAUserID: oaUserID, Following: d.IsFollower, InteractedAt: d.LastInteraction}); err != nil {
		activity.GetLogger(ctx).Warn("recording a user's last interaction", "error", err)
	}
	return d.LastInteraction
}

// unlearn corrects the belief that made rt look open to a user, now that
// Zalo refused it: chat refused for want of an interaction stays closed
// until they interact again; a transaction message refused to a
// non-follower means they no longer follow.
func (c *Core) unlearn(ctx context.Context, oaUserID string, rt route.Route) error {
	q := db.New(c.Pool)
	if rt == route.CS {
		return q.RecordCSRefused(ctx, oaUserID)
	}
	following := false
	return q.UpsertZaloFollower(ctx, db.UpsertZaloFollowerParams{OAUserID: oaUserID, Following: &following, At: c.Now()})
}
