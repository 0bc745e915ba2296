package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// Reach is how the OA reaches recipients: the route policy, what each
// route's message looks like, and the OA-wide pace of sends.
type Reach struct {
	Policy route.Policy
	// TransactionTemplate is the transaction message's template_type.
	TransactionTemplate string
	// ZNSParams names, per field, the parameter of the integration's ZNS
	// template that carries it (a field's own name when absent).
	ZNSParams map[message.Field]string
	// SendRate is how many messages a second every worker together may
	// send (ZALO_SEND_RATE); 0: no limit.
	SendRate float64
}

// letter is one message for one person, ready to go by any route.
type letter struct {
	To   string
	Card message.Card
	// Text, when set, is what cs sends instead of the card's text.
	Text string
	// ZNSTemplate and ZNSData are the ZNS form; no template: no ZNS.
	ZNSTemplate string
	ZNSData     map[string]string
	// TrackingID is ours for the message at ZNS (the delivery's id).
	TrackingID string
}

// reached is how sending a letter by its recipient's routes went.
type reached struct {
	Route route.Route // the route that carried it; route.None if none did
	Sent  zalo.SendResult
	// Until, when set, is when the next route opens again: the night.
	Until time.Time
	// Refused says which routes Zalo refused on the way, and why; Last is
	// the kind of the last refusal.
	Refused  []string
	Last     zalo.Class
	LastCode int
}

// why is the delivery log's note of the routes refused on the way.
func (r reached) why() string {
	if len(r.Refused) == 0 {
		return ""
	}
	s := r.Refused[0]
	for _, x := range r.Refused[1:] {
		s += "; " + x
	}
	return s
}

// reach sends l by the first of routes that takes it. Zalo's answer beats
// our belief: a cs refused for want of an interaction, or a transaction
// message refused to a non-follower, goes on to the next route at once,
// and the belief is corrected for the next message. A route closed at
// night (by the policy, or by Zalo's -234) ends the walk with Until. Any
// other error is returned with the route it came from.
func (a *Activities) reach(ctx context.Context, q *db.Queries, routes []route.Route, l letter) (reached, error) {
	var res reached
	for _, rt := range routes {
		res.Route = rt
		if until := a.Reach.Policy.BlockedUntil(rt, a.Now()); !until.IsZero() {
			res.Until = until
			return res, nil
		}
		sent, err := a.sendBy(ctx, rt, l)
		if err == nil {
			res.Sent = sent
			return res, nil
		}
		var zerr *zalo.Error
		if !errors.As(err, &zerr) {
			return res, err
		}
		switch class := zalo.Classify(err); {
		case class == zalo.ClassNightBlock:
			res.Until = a.Reach.Policy.AfterNight(a.Now())
			return res, nil
		case rt == route.CS && class == zalo.ClassNoInteraction:
			if err := q.RecordCSRefused(ctx, l.To); err != nil {
				return res, err
			}
		case rt == route.Transaction && class == zalo.ClassNotFollowing:
			following := false
			if err := q.UpsertZaloFollower(ctx, db.UpsertZaloFollowerParams{OAUserID: l.To, Following: &following, At: a.Now()}); err != nil {
				return res, err
			}
		default:
			return res, err
		}
		res.Refused = append(res.Refused, fmt.Sprintf("%s refused (%d)", rt, zerr.Code))
		res.Last, res.LastCode = zalo.Classify(err), zerr.Code
	}
	res.Route = route.None
	return res, nil
}

// sendBy sends l by one route, in the OA's budget (see pace).
func (a *Activities) sendBy(ctx context.Context, rt route.Route, l letter) (zalo.SendResult, error) {
	switch rt {
	case route.CS:
		text := l.Text
		if text == "" {
			text = l.Card.Text()
		}
		return callZalo(ctx, a, string(rt), func(token string) (zalo.SendResult, error) {
			return a.Zalo.SendText(ctx, token, l.To, text)
		})
	case route.Transaction:
		rows := make([]zalo.Row, len(l.Card.Rows))
		for i, r := range l.Card.Rows {
			rows[i] = zalo.Row{Key: r.Key, Value: r.Value}
		}
		m := zalo.TransactionMessage{TemplateType: a.Reach.TransactionTemplate, Header: l.Card.Header, Rows: rows}
		return callZalo(ctx, a, string(rt), func(token string) (zalo.SendResult, error) {
			return a.Zalo.SendTransaction(ctx, token, l.To, m)
		})
	case route.ZNS:
		m := zalo.ZNSMessage{UserID: l.To, TemplateID: l.ZNSTemplate, Data: l.ZNSData, TrackingID: l.TrackingID}
		return callZalo(ctx, a, string(rt), func(token string) (zalo.SendResult, error) {
			return a.Zalo.SendZNS(ctx, token, m)
		})
	}
	return zalo.SendResult{}, fmt.Errorf("no such route %q", rt)
}

// recipientOf is what the database believes of a delivery's recipient.
func recipientOf(d db.StartDeliveryAttemptsRow) route.Recipient {
	return route.Recipient{
		Following: d.Following, LastInteraction: d.LastInteractionAt, CSRefusedAt: d.CSRefusedAt, HasZNS: d.TemplateID != "",
	}
}

// askInteraction reads a user's last interaction from user/detail, for a
// user no webhook has told us of since tingting began tracking them (at
// most once a day each). It is an improvement, not a need: failing, the
// route is chosen without it.
func (a *Activities) askInteraction(ctx context.Context, q *db.Queries, oaUserID string) *time.Time {
	d, err := callZalo(ctx, a, "user_detail", func(token string) (zalo.UserDetail, error) {
		return a.Zalo.UserDetail(ctx, token, oaUserID)
	})
	if err != nil {
		activity.GetLogger(ctx).Warn("reading a user's last interaction", "error", err)
		return nil
	}
	if err := q.RecordInteractionDate(ctx, db.RecordInteractionDateParams{OAUserID: oaUserID, Following: d.IsFollower, InteractedAt: d.LastInteraction}); err != nil {
		activity.GetLogger(ctx).Warn("recording a user's last interaction", "error", err)
	}
	return d.LastInteraction
}

// ErrPaced is the error type of a send that would wait too long for the
// OA's send budget: it is tried again when its turn comes.
const ErrPaced = "zalo_paced"

// rateLimitPause is how long every worker holds its sends after Zalo says
// -32 (over its rate limit).
const rateLimitPause = 2 * time.Second

// pace waits for a slot of the OA-wide send budget (Reach.SendRate, shared
// by every worker through one database row). A local activity waits at
// most a moment and otherwise leaves the send to a regular activity, whose
// task queue Temporal itself paces; a regular activity waits up to most
// of its time.
func (a *Activities) pace(ctx context.Context) error {
	if a.Reach.SendRate <= 0 {
		return nil
	}
	interval := 1 / a.Reach.SendRate
	q := db.New(a.Pool)
	wait, err := q.ReserveSend(ctx, interval)
	if err != nil {
		return err
	}
	d := time.Duration(wait * float64(time.Second))
	limit := 20 * time.Second
	if activity.IsActivity(ctx) && activity.GetInfo(ctx).IsLocalActivity {
		limit = 2 * time.Second
	}
	if d > limit {
		if err := q.ReturnSend(ctx, interval); err != nil {
			activity.GetLogger(ctx).Warn("returning a send slot", "error", err)
		}
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("the OA's send budget is taken for %s", d.Round(time.Second)),
			ErrPaced, temporal.ApplicationErrorOptions{NextRetryDelay: d - limit/2})
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// slowDown holds every worker's sends for a while: Zalo said -32.
func (a *Activities) slowDown(ctx context.Context) {
	if err := db.New(a.Pool).PauseSends(ctx, rateLimitPause.Seconds()); err != nil {
		activity.GetLogger(ctx).Warn("pausing sends", "error", err)
	}
}
