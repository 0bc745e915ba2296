package inbound

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// inviteTries is how many invalid codes a sender may try in an hour.
const inviteTries = 5

// InviteInput is a well-formed "/invite: CODE" from a Zalo user.
type InviteInput struct {
	Event    string // the Zalo event's dedup key
	OAUserID string
	Code     string
}

// Reply is a message the OA sends because of an event. Key names it, so
// that it is sent once (runs started before keys existed have none).
type Reply struct {
	To, Text string
	Key      string `json:",omitempty"`
}

// EventResult is what an event makes the OA say: answers by chat (to the
// sender, who just wrote, and the owner told of a join), and notices to
// owners, which go by the owner's route (contract.OwnerNotice).
type EventResult struct {
	Replies []Reply
	Notices []contract.OwnerNotice `json:",omitempty"`
	// Template: Zalo says this template changed; it is to be read again.
	Template string `json:",omitempty"`
}

// HandleInvite adds the sender to the integration the code names and says
// what to answer. Handling the same event again answers the same: the
// member row and the failure log are keyed by the event.
func (a *Activities) HandleInvite(ctx context.Context, in InviteInput) (EventResult, error) {
	q := db.New(a.Pool)
	if m, err := q.MemberByInviteEvent(ctx, &in.Event); err == nil {
		return a.added(ctx, q, m.IntegrationID, in.OAUserID, m.Name)
	}
	if f, err := q.InviteFailureByEvent(ctx, in.Event); err == nil {
		return refused(in.OAUserID, f.Warning, f.Silent), nil
	}
	// Locked out (the limit of invalid codes reached within the hour):
	// even a valid code is refused, or a brute force would go on quietly.
	if res, locked, err := a.refuse(ctx, in, func(q *db.Queries) (int32, error) {
		return q.CountLockedOutTry(ctx, db.CountLockedOutTryParams{OAUserID: in.OAUserID, LimitTries: inviteTries})
	}); err != nil || locked {
		return res, err
	}
	integ, err := q.IntegrationByReferralCode(ctx, in.Code)
	if errors.Is(err, db.ErrNotFound) {
		res, _, err := a.refuse(ctx, in, func(q *db.Queries) (int32, error) { return q.CountInviteFailure(ctx, in.OAUserID) })
		return res, err
	} else if err != nil {
		return EventResult{}, err
	}
	already := EventResult{Replies: []Reply{{To: in.OAUserID, Text: message.InviteAlreadyAdded}}}
	if integ.OwnerOAUserID != nil && *integ.OwnerOAUserID == in.OAUserID {
		return already, nil
	}
	name := a.displayName(ctx, q, in.OAUserID)
	_, err = q.AddInvitedMember(ctx, db.AddInvitedMemberParams{IntegrationID: integ.ID, OAUserID: in.OAUserID, Name: name, InviteEvent: &in.Event})
	if errors.Is(err, db.ErrConflict) {
		return already, nil // a member already: the unique index settles races
	} else if err != nil {
		return EventResult{}, fmt.Errorf("add member: %w", err)
	}
	return a.added(ctx, q, integ.ID, in.OAUserID, name)
}

// refuse answers a refused invite when count counts it (no row: not
// refused), the sender's failures counted (this one included): the
// invalid-code answer up to the limit, one warning the first time past it,
// then silence until the hour's window ends. The count and the answer,
// recorded against the event, are one transaction, so a retry finds the
// answer and counts nothing twice.
func (a *Activities) refuse(ctx context.Context, in InviteInput, count func(q *db.Queries) (int32, error)) (res EventResult, ok bool, err error) {
	err = db.InTx(ctx, a.Pool, func(q *db.Queries) error {
		failures, err := count(q)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		warning, silent := failures == inviteTries+1, failures > inviteTries+1
		res, ok = refused(in.OAUserID, warning, silent), true
		return q.RecordInviteFailure(ctx, db.RecordInviteFailureParams{Event: in.Event, OAUserID: in.OAUserID, Warning: warning, Silent: silent})
	})
	if err != nil {
		return EventResult{}, false, err
	}
	return res, ok, nil
}

func refused(to string, warning, silent bool) EventResult {
	switch {
	case silent:
		return EventResult{}
	case warning:
		return EventResult{Replies: []Reply{{To: to, Text: message.InviteTooManyTries}}}
	}
	return EventResult{Replies: []Reply{{To: to, Text: message.InviteBadCode}}}
}

// added answers a successful invite: the sender (told to follow first if
// they have not) and the integration's owner.
func (a *Activities) added(ctx context.Context, q *db.Queries, integrationID uuid.UUID, sender, name string) (EventResult, error) {
	text := message.InviteAdded
	if f, err := q.GetZaloFollower(ctx, sender); (err != nil || !f.Following) && !a.followsNow(ctx, sender) {
		text = message.InviteAddedFollowFirst
	}
	res := EventResult{Replies: []Reply{{To: sender, Text: text}}}
	owner, err := q.IntegrationOwnerOAUserID(ctx, integrationID)
	if err != nil {
		return EventResult{}, err
	}
	if owner != nil {
		res.Replies = append(res.Replies, Reply{To: *owner, Text: message.InviteOwnerNotice(name)})
	}
	return res, nil
}

// displayName is the sender's Zalo name: from the follower table, else
// from Zalo, else their id.
func (a *Activities) displayName(ctx context.Context, q *db.Queries, oaUserID string) string {
	if f, err := q.GetZaloFollower(ctx, oaUserID); err == nil && f.DisplayName != "" {
		return message.Clean(f.DisplayName)
	}
	if d, err := a.userDetail(ctx, oaUserID); err == nil && d.DisplayName != "" {
		return message.Clean(d.DisplayName)
	}
	return oaUserID
}

// SendReply sends one of the OA's answers, through the send core: as a
// note when it has a key, so that a retry sends it once. A recipient Zalo
// will not let us reach is not an error: there is no one else to tell;
// nor is an answer the OA is too busy with alerts to send in time.
func (a *Activities) SendReply(ctx context.Context, r Reply) error {
	m := send.Message{To: r.To, Text: r.Text, Routes: []route.Route{route.CS}, Answer: true}
	var out send.Outcome
	var err error
	if r.Key == "" {
		out, err = a.Sender.Send(ctx, m)
	} else {
		out, err = a.Sender.SendNote(ctx, r.Key, m)
	}
	if err == nil && out.Status != send.Sent {
		activity.GetLogger(ctx).Warn("reply not delivered", "reason", out.Reason)
	}
	return err
}

// followsNow asks Zalo whether a user follows the OA, for when the
// follower table says no: their follow webhook may be on its way still
// (someone who follows and at once sends the code).
func (a *Activities) followsNow(ctx context.Context, oaUserID string) bool {
	d, err := a.userDetail(ctx, oaUserID)
	return err == nil && d.IsFollower
}

func (a *Activities) userDetail(ctx context.Context, oaUserID string) (zalo.UserDetail, error) {
	return send.Call(ctx, a.Sender, "user_detail", func(token string) (zalo.UserDetail, error) {
		return a.Zalo.UserDetail(ctx, token, oaUserID)
	})
}
