package send

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// Send sends m by the first of its routes that takes it, once: a message in
// doubt is looked for first, and found is not sent again. It returns how
// the message ended (sent, skipped, failed, or deferred by the night) for
// the caller to record, or an error typed for the workflow's retry policy
// (contract.Failure): Zalo's transient trouble, -32, a send in doubt, the
// OA's send budget, our own trouble. A retryable error is noted in m's
// Ledger first, so the log says why the message waits.
func (c *Core) Send(ctx context.Context, m Message) (Outcome, error) {
	if m.DoubtedSince != nil {
		id, found, err := c.settle(ctx, m)
		if err != nil || found {
			return Outcome{Status: Sent, MessageID: id, Recorded: found}, err
		}
	}
	routes := m.Routes
	if routes == nil {
		if m.Unsure {
			if at := c.askInteraction(ctx, m.To); at != nil && (m.Belief.LastInteraction == nil || at.After(*m.Belief.LastInteraction)) {
				m.Belief.LastInteraction = at
			}
		}
		m.Belief.HasZNS = m.Template != nil
		routes = c.Routes.Routes(m.Belief, c.Now())
	}
	if len(routes) == 0 {
		if !m.Belief.Following {
			return Skip(NotFollowing, ""), nil
		}
		return Skip(Unreachable, "no route reaches them (quiet too long, and no ZNS template)"), nil
	}
	res, err := c.reach(ctx, routes, m)
	switch {
	case err != nil:
		return c.sorted(ctx, m, res.Route, err)
	case !res.Until.IsZero():
		until := res.Until
		return Outcome{Status: Deferred, Route: string(res.Route), Detail: res.why(), Recipient: m.To, DeferredUntil: &until}, nil
	case res.Route == route.None:
		out := Skip(res.Last, res.why())
		out.ZaloCode = res.LastCode
		return out, nil
	}
	return Outcome{Status: Sent, MessageID: res.Sent.MessageID, Route: string(res.Route), Detail: res.why()}, nil
}

// reached is how sending a message by its routes went.
type reached struct {
	Route route.Route // the route that carried it; route.None if none did
	Sent  zalo.SendResult
	// Until, when set, is when the next route opens again: the night.
	Until time.Time
	// Refused says which routes Zalo refused on the way, and why; Last is
	// the reason of the last refusal and LastCode its code.
	Refused  []string
	Last     Reason
	LastCode int
}

// why is the log's note of the routes refused on the way.
func (r reached) why() string { return strings.Join(r.Refused, "; ") }

// reach sends m by the first of routes that takes it. Zalo's answer beats
// our belief: a chat refused for want of an interaction, or a transaction
// message refused to a non-follower, goes on to the next route at once,
// and the belief is corrected for the next message. A route closed at
// night (by the policy, or by Zalo's -234) ends the walk with Until. Any
// other error is returned with the route it came from.
func (c *Core) reach(ctx context.Context, routes []route.Route, m Message) (reached, error) {
	var res reached
	for _, rt := range routes {
		res.Route = rt
		if until := c.Routes.BlockedUntil(rt, c.Now()); !until.IsZero() {
			res.Until = until
			return res, nil
		}
		sent, err := c.sendBy(ctx, rt, m)
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
			res.Until = c.Routes.AfterNight(c.Now())
			return res, nil
		case rt == route.CS && class == zalo.ClassNoInteraction,
			rt == route.Transaction && class == zalo.ClassNotFollowing:
			if err := c.unlearn(ctx, m.To, rt); err != nil {
				return res, err
			}
		default:
			return res, err
		}
		res.Refused = append(res.Refused, fmt.Sprintf("%s refused (%d)", rt, zerr.Code))
		res.Last, res.LastCode = gone[zalo.Classify(err)], zerr.Code
	}
	res.Route = route.None
	return res, nil
}

// sendBy sends m by one route, in the OA's send budget.
func (c *Core) sendBy(ctx context.Context, rt route.Route, m Message) (zalo.SendResult, error) {
	switch rt {
	case route.CS:
		text := m.Chat()
		return Call(ctx, c, string(rt), func(token string) (zalo.SendResult, error) {
			return c.Zalo.SendText(ctx, token, m.To, text)
		})
	case route.Transaction:
		rows := make([]zalo.Row, len(m.Card.Rows))
		for i, r := range m.Card.Rows {
			rows[i] = zalo.Row{Key: r.Key, Value: r.Value}
		}
		tm := zalo.TransactionMessage{TemplateType: c.TransactionTemplate, Header: m.Card.Header, Rows: rows}
		return Call(ctx, c, string(rt), func(token string) (zalo.SendResult, error) {
			return c.Zalo.SendTransaction(ctx, token, m.To, tm)
		})
	case route.ZNS:
		if m.Template == nil {
			return zalo.SendResult{}, errors.New("a ZNS send without a template")
		}
		zm := zalo.ZNSMessage{UserID: m.To, TemplateID: m.Template.ID, Data: m.Template.Data, TrackingID: m.ID.String()}
		return Call(ctx, c, string(rt), func(token string) (zalo.SendResult, error) {
			return c.Zalo.SendZNS(ctx, token, zm)
		})
	}
	return zalo.SendResult{}, fmt.Errorf("no such route %q", rt)
}
