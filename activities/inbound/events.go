// Package inbound holds the activities of what the OA receives: it keeps
// the follower table (who follows, which app id is whose OA id, when each
// last interacted), accepts "/invite: CODE", answers the recipients'
// commands and says which owners to tell of a member who left.
package inbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/command"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// replyEvery is how often at most the OA answers one sender's malformed
// commands.
const replyEvery = time.Minute

// A recipient's answers: up to answerBurst at once, then one each
// answerEvery. Someone in no integration gets one a day (stranger_answers).
const (
	answerBurst = 10
	answerEvery = time.Minute
)

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
func (a *Activities) HandleZaloEvent(ctx context.Context, in EventInput) (EventResult, error) {
	row, err := db.New(a.Pool).GetZaloEvent(ctx, in.EventID)
	if err != nil {
		return EventResult{}, fmt.Errorf("zalo event: %w", err)
	}
	if row.Raw == nil {
		return EventResult{}, nil // purged: far older than any redelivery
	}
	ev, err := zalo.ParseEvent(row.Raw)
	if err != nil {
		return EventResult{}, contract.FailUnreadable.Final("the recorded event cannot be read: %v", err)
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
	case zalo.EventTemplateChanged:
		return EventResult{Template: ev.TemplateID}, nil
	default:
		return EventResult{}, nil
	}
	if err := a.RecordFollower(ctx, update); err != nil {
		return EventResult{}, err
	}
	q := db.New(a.Pool)
	var res EventResult
	switch ev.Kind {
	case zalo.EventUnfollow:
		res, err = a.unfollowed(ctx, q, ev.UserID, row.DedupKey)
	case zalo.EventUserSendText:
		res, err = a.command(ctx, q, ev.UserID, ev.Text, row.DedupKey, at)
	}
	for i := range res.Replies {
		res.Replies[i].Key = fmt.Sprintf("reply:%s:%d", row.DedupKey, i)
	}
	return res, err
}

// command answers what a user wrote, if it is a command. at is when they
// wrote it, so handling the event again answers the same.
func (a *Activities) command(ctx context.Context, q *db.Queries, sender, text, event string, at time.Time) (EventResult, error) {
	answer := func(text string) (EventResult, error) {
		return EventResult{Replies: []Reply{{To: sender, Text: text}}}, nil
	}
	c := command.Parse(text)
	if c.Kind == command.NotCommand {
		return EventResult{}, nil
	}
	switch allowed, stranger, err := a.mayAnswer(ctx, q, c.Kind, sender, event); {
	case err != nil || !allowed:
		return EventResult{}, err
	case stranger:
		return answer(strangerAnswer(c.Kind))
	}
	switch c.Kind {
	case command.BadInvite:
		return answer(message.InviteBadSyntax)
	case command.Unknown, command.Help:
		return answer(message.Help)
	case command.Invite:
		return a.HandleInvite(ctx, InviteInput{Event: event, OAUserID: sender, Code: c.Code})
	case command.Today:
		return a.today(ctx, q, sender, at)
	case command.Mute:
		if c.For == 0 {
			return answer(message.MuteSyntax)
		}
		until := at.Add(c.For)
		if err := q.SetMutedUntil(ctx, db.SetMutedUntilParams{OAUserID: sender, MutedUntil: &until}); err != nil {
			return EventResult{}, err
		}
		return answer(message.Muted(until))
	case command.Unmute:
		if err := q.SetMutedUntil(ctx, db.SetMutedUntilParams{OAUserID: sender}); err != nil {
			return EventResult{}, err
		}
		return answer(message.Unmuted)
	case command.Stop:
		return a.stop(ctx, q, sender, event)
	}
	return EventResult{}, nil // not a command
}

// mayAnswer says whether the OA answers sender's command now. Someone in
// no integration (a stranger) gets one answer a day, the first command's;
// a recipient gets answerBurst, then one each answerEvery; malformed
// commands, which a spammer would send, one a minute besides. Every answer
// takes a slot of the OA's send budget, which every tenant's alerts share.
func (a *Activities) mayAnswer(ctx context.Context, q *db.Queries, kind command.Kind, sender, event string) (allowed, stranger bool, err error) {
	switch kind {
	case command.Invite:
		return true, false, nil // its own guard; and it makes a stranger a member
	case command.Stop:
		// Handled again, a /dung that took the sender out of their last
		// integration finds a stranger: it answers what it did.
		if left, err := q.LeftByEvent(ctx, &event); err != nil || len(left) > 0 {
			return err == nil, false, err
		}
	}
	s, err := q.ClaimStrangerAnswer(ctx, db.ClaimStrangerAnswerParams{OAUserID: sender, Event: event})
	if err != nil || s.Stranger {
		return s.Granted, s.Stranger, err
	}
	if kind == command.BadInvite || kind == command.Unknown {
		ok, err := q.MayReply(ctx, db.MayReplyParams{OAUserID: sender, EverySeconds: replyEvery.Seconds()})
		if err != nil || !ok {
			return false, false, err
		}
	}
	ok, err := q.TakeAnswer(ctx, db.TakeAnswerParams{OAUserID: sender, Event: event, Burst: answerBurst, PerSecond: 1 / answerEvery.Seconds()})
	return ok, false, err
}

// strangerAnswer is the one answer a day of someone in no integration: the
// help, the invite's syntax, or that they receive nothing to act on.
func strangerAnswer(kind command.Kind) string {
	switch kind {
	case command.BadInvite:
		return message.InviteBadSyntax
	case command.Help, command.Unknown:
		return message.Help
	}
	return message.NotARecipient
}

// today answers /homnay: each integration the sender receives, its count
// and totals since midnight, within the fields the sender may see.
func (a *Activities) today(ctx context.Context, q *db.Queries, sender string, at time.Time) (EventResult, error) {
	rows, err := q.RecipientIntegrations(ctx, &sender)
	if err != nil {
		return EventResult{}, err
	}
	var totals []message.Totals
	for _, r := range rows {
		t, err := q.IntegrationTotals(ctx, db.IntegrationTotalsParams{IntegrationID: r.ID, FromAt: vntime.Midnight(at), UntilAt: at})
		if err != nil {
			return EventResult{}, err
		}
		fields, _ := message.ParseFields(r.Fields)
		totals = append(totals, message.Totals{
			Business: r.Business, Accounts: r.Accounts, Fields: message.Visible(fields, r.HiddenFields),
			Count: t.Count, In: t.TotalIn, Out: t.TotalOut,
		})
	}
	return EventResult{Replies: []Reply{{To: sender, Text: message.Today(at, totals)}}}, nil
}

// stop answers /dung: the sender leaves every integration they are a
// member of, and each owner is told who left. An owner is told how to stop
// instead: by pausing the integration.
func (a *Activities) stop(ctx context.Context, q *db.Queries, sender, event string) (EventResult, error) {
	left, err := q.LeftByEvent(ctx, &event)
	if err != nil {
		return EventResult{}, err
	}
	if len(left) == 0 {
		gone, err := q.LeaveIntegrations(ctx, db.LeaveIntegrationsParams{EventKey: &event, OAUserID: sender})
		if err != nil {
			return EventResult{}, err
		}
		for _, g := range gone {
			left = append(left, db.LeftByEventRow(g))
		}
	}
	owned, err := q.CountOwnedIntegrations(ctx, &sender)
	if err != nil {
		return EventResult{}, err
	}
	var res EventResult
	switch {
	case len(left) > 0:
		res.Replies = []Reply{{To: sender, Text: message.Left(len(left))}}
	case owned > 0:
		res.Replies = []Reply{{To: sender, Text: message.OwnerCannotStop}}
	default:
		res.Replies = []Reply{{To: sender, Text: message.NotARecipient}}
	}
	for _, l := range left {
		res.Notices = append(res.Notices, contract.OwnerNotice{IntegrationID: l.IntegrationID, Kind: contract.NoticeMemberLeft, About: l.Name, Key: event})
	}
	return res, nil
}

// unfollowed tells the owner of every integration the user is a member of
// that they will get nothing until they follow again: once, as the alerts
// that then skip them would (the trouble is the same, not_following).
func (a *Activities) unfollowed(ctx context.Context, q *db.Queries, user, event string) (EventResult, error) {
	rows, err := q.MemberIntegrations(ctx, user)
	if err != nil {
		return EventResult{}, err
	}
	var res EventResult
	for _, r := range rows {
		_, err := q.TellOwnerOnce(ctx, db.TellOwnerOnceParams{IntegrationID: r.IntegrationID, OAUserID: user, Trouble: string(send.NotFollowing), Key: event})
		switch {
		case errors.Is(err, db.ErrNotFound):
			continue // told already, by an alert before it
		case err != nil:
			return EventResult{}, err
		}
		res.Notices = append(res.Notices, contract.OwnerNotice{IntegrationID: r.IntegrationID, Kind: contract.NoticeMemberUnfollowed, About: r.Name, Key: event})
	}
	return res, nil
}
