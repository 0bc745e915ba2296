package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/invite"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
)

// replyEvery is how often at most the OA answers one sender's malformed
// commands.
const replyEvery = time.Minute

// EventInput names a Zalo event recorded in zalo_events.
type EventInput struct {
	EventID uuid.UUID
}

// HandleZaloEvent acts on a recorded Zalo event: it keeps the follower
// table (who follows, since when, which app id is whose OA id, when they
// last interacted with the OA: a follow, a message, any user action) and handles
// "/invite: CODE", returning what the OA answers. It reads the event from
// the database, so what the user wrote (a referral code) never enters
// workflow history. Handling the same event again answers the same.
func (a *Activities) HandleZaloEvent(ctx context.Context, in EventInput) (InviteResult, error) {
	row, err := db.New(a.Pool).GetZaloEvent(ctx, in.EventID)
	if err != nil {
		return InviteResult{}, fmt.Errorf("zalo event: %w", err)
	}
	if row.Raw == nil {
		return InviteResult{}, nil // purged: far older than any redelivery
	}
	ev, err := zalo.ParseEvent(row.Raw)
	if err != nil {
		return InviteResult{}, temporal.NewNonRetryableApplicationError("recorded event cannot be read", "bad_event", err)
	}
	at := ev.Timestamp
	if at.IsZero() {
		at = row.ReceivedAt
	}
	update := FollowerUpdate{OAUserID: ev.UserID, AppUserID: ev.UserIDByApp, At: at}
	switch ev.Kind {
	case zalo.EventFollow, zalo.EventUnfollow:
		following := ev.Kind == zalo.EventFollow
		update.Following = &following
		if following {
			update.InteractedAt = &at
		}
	case zalo.EventUserSendText, zalo.EventUserAction:
		// A message maps the ids but says nothing about following.
		update.InteractedAt = &at
	default:
		return InviteResult{}, nil
	}
	if err := a.RecordFollower(ctx, update); err != nil {
		return InviteResult{}, err
	}
	if ev.Kind != zalo.EventUserSendText {
		return InviteResult{}, nil
	}
	switch kind, code := invite.Parse(ev.Text); kind {
	case invite.BadSyntax:
		// Anyone can write to the OA: answers to malformed commands are
		// throttled per sender, so nobody can make the OA spam.
		ok, err := db.New(a.Pool).MayReply(ctx, db.MayReplyParams{OAUserID: ev.UserID, EverySeconds: replyEvery.Seconds()})
		if err != nil || !ok {
			return InviteResult{}, err
		}
		return InviteResult{Replies: []Reply{{To: ev.UserID, Text: message.InviteBadSyntax}}}, nil
	case invite.Invite:
		return a.HandleInvite(ctx, InviteInput{Event: row.DedupKey, OAUserID: ev.UserID, Code: code})
	}
	return InviteResult{}, nil // not a command
}
