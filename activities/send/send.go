package send

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// Send sends m by the first of its routes that takes it, once: a message in
// doubt is looked for first, and found is not sent again. It returns how
// the message ended (sent, skipped, failed, or deferred: by Zalo's night
// or its quota) for the caller to record, or an error typed for the
// workflow's retry policy (contract.Failure): Zalo's transient trouble,
// -32, a send in doubt, a route stopped for the OA, the OA's send budget,
// our own trouble. A retryable error is noted in m's Ledger first, so the
// log says why the message waits.
func (c *Core) Send(ctx context.Context, m Message) (Outcome, error) {
	again := false // sent again for want of evidence: it may arrive twice
	if m.DoubtedSince != nil {
		ev, err := c.settle(ctx, m)
		switch {
		case err != nil:
			return Outcome{}, err
		case ev.found:
			return Outcome{Status: Sent, MessageID: ev.messageID, Recorded: true}, nil
		}
		again = ev.unknown
		if err := m.Ledger.Redoubt(ctx, m.ID); err != nil {
			return Outcome{}, fmt.Errorf("a new send begins: %w", err)
		}
	}
	routes := m.Routes
	if routes == nil {
		if m.Unsure {
			c.learnWindow(ctx, &m)
		}
		m.Belief.Template = m.Template != nil
		m.Belief.ByUID = m.Template != nil && m.Template.ByUID
		m.Belief.Phone = m.Phone != ""
		routes = c.Routes.Routes(m.Belief, c.Now())
	}
	if len(routes) == 0 {
		if !m.Belief.Following {
			return Skip(NotFollowing, ""), nil
		}
		return Skip(Unreachable, "no route reaches them (quiet too long, and no template to send)"), nil
	}
	if m.Answer {
		if busy, err := c.answerTurn(ctx); err != nil || busy {
			return Skip(Busy, "the answers' share of the send budget is taken"), err
		}
	}
	res, err := c.reach(ctx, routes, m)
	var out Outcome
	switch {
	case err != nil:
		out, err = c.sorted(ctx, m, res.Route, err)
	case res.quota:
		until := nextQuotaWindow(c.Now())
		out = Outcome{Status: Deferred, Reason: Quota, Detail: res.why(), Route: string(res.Route), ZaloCode: res.LastCode, Recipient: m.To, DeferredUntil: &until}
	case !res.Until.IsZero():
		until := res.Until
		out = Outcome{Status: Deferred, Route: string(res.Route), Detail: res.why(), Recipient: m.To, DeferredUntil: &until}
	case res.Route == route.None:
		out = Skip(res.Last, res.why())
		out.ZaloCode = res.LastCode
	default:
		out = Outcome{Status: Sent, MessageID: res.Sent.MessageID, Route: string(res.Route), Detail: res.why(),
			CostVND: c.cost(res.Route, m), Silent: c.Routes.Silent(res.Route, c.Now())}
	}
	out.MaybeDuplicate = again && out.Status == Sent
	return out, err
}

// reached is how sending a message by its routes went.
type reached struct {
	Route route.Route // the route that carried it; route.None if none did
	Sent  zalo.SendResult
	// Until, when set, is when the next route opens again: the night.
	Until time.Time
	// quota: Zalo's quota for today is spent; the message waits for the
	// next window.
	quota bool
	// Refused says which routes Zalo refused on the way, and why; Last is
	// the reason of the last refusal and LastCode its code.
	Refused  []string
	Last     Reason
	LastCode int
}

// why is the log's note of the routes refused on the way.
func (r reached) why() string { return strings.Join(r.Refused, "; ") }

// reach sends m by the first of routes that takes it. Zalo's answer beats
// our belief: a route that cannot reach this person (not following,
// blocked, no interaction within 7 days, a template not sendable by user
// id…) goes on to the next route at once, and the belief is corrected for
// the next message. A route stopped for the OA makes the message wait (or
// probe it); a route closed at night (-234) ends the walk with Until;
// Zalo's quota ends it with quota. Any other error is returned with the
// route it came from.
func (c *Core) reach(ctx context.Context, routes []route.Route, m Message) (reached, error) {
	var res reached
	for _, rt := range routes {
		res.Route = rt
		if rt.IsTemplate() && m.Template == nil {
			continue // the template was found unfit on the way
		}
		if until := c.Routes.BlockedUntil(rt, c.Now()); !until.IsZero() {
			res.Until = until
			return res, nil
		}
		probing := ""
		if p, stopped, err := c.paused(ctx, rt); err != nil {
			return res, err
		} else if stopped {
			if probing, err = c.waitOrProbe(ctx, p); err != nil {
				return res, err
			}
		}
		sent, err := c.sendBy(ctx, rt, m)
		if err == nil {
			if probing != "" {
				c.resume(ctx, probing)
			}
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
		case class == zalo.ClassQuota:
			res.quota, res.LastCode = true, zerr.Code
			res.Refused = append(res.Refused, fmt.Sprintf("%s refused (%d)", rt, zerr.Code))
			return res, nil
		case zerr.Code == zalo.CodeTemplateLowQuality:
			// The template, not the OA: no template route carries m, and
			// none carries the next message until the owner picks another
			// (the templates' reading tells them).
			if err := db.New(c.Pool).DisableTemplate(ctx, m.Template.ID); err != nil {
				return res, err
			}
			m.Template = nil
			res.Last = Unreachable
		case class == zalo.ClassNeedsPerson:
			if serr := c.stop(ctx, string(rt), zerr.Code, zerr.Message); serr != nil {
				return res, serr
			}
			return res, err
		case class.Gone():
			if uerr := c.unlearn(ctx, m.To, rt, class); uerr != nil {
				return res, uerr
			}
			res.Last = gone[class]
		default:
			return res, err
		}
		res.Refused = append(res.Refused, fmt.Sprintf("%s refused (%d)", rt, zerr.Code))
		res.LastCode = zerr.Code
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
	case route.Template:
		t := zalo.Template{ID: m.Template.ID, Data: m.Template.Data}
		return Call(ctx, c, string(rt), func(token string) (zalo.SendResult, error) {
			return c.Zalo.SendTemplate(ctx, token, m.To, t)
		})
	case route.TemplatePhone:
		// Our tracking id is the message's: Zalo's receipt names it, the
		// evidence of a send whose answer was lost.
		t := zalo.Template{ID: m.Template.ID, Data: m.Template.Data}
		return Call(ctx, c, string(rt), func(token string) (zalo.SendResult, error) {
			return c.Zalo.SendTemplateByPhone(ctx, token, m.Phone, m.ID.String(), t)
		})
	}
	return zalo.SendResult{}, fmt.Errorf("no such route %q", rt)
}

// cost is what Zalo charges for m by rt: chat is free within Prices.Free
// of the last interaction we know of; a template costs its price.
func (c *Core) cost(rt route.Route, m Message) int64 {
	switch rt {
	case route.CS:
		if last := m.Belief.LastInteraction; last != nil && c.Now().Sub(*last) <= c.Prices.Free {
			return 0
		}
		return c.Prices.Price
	case route.Template:
		return m.Template.PriceUID
	case route.TemplatePhone:
		return m.Template.PricePhone
	}
	return 0
}

// nextQuotaWindow is when Zalo's daily quotas start again: the next
// midnight in Vietnam, and a minute for the clocks to agree.
func nextQuotaWindow(now time.Time) time.Time {
	return vntime.Midnight(now).AddDate(0, 0, 1).Add(time.Minute)
}
