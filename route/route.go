// Package route chooses how the OA reaches a recipient: which Zalo message
// routes may carry an alert to them now, in which order, and what the
// night does. Pure: no I/O; the clock is an argument.
//
// Zalo's rules (ZALO.md §5) change from year to year, so every number here
// is configuration (Policy), with defaults that say why in the README.
package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Route is a kind of OA message.
type Route string

// The routes a message may take, and None for a recipient no route reaches.
const (
	// CS: a consultation text; free within 48 h of the user's last
	// interaction, charged from 48 h to 7 days, refused after (-230).
	CS Route = "cs"
	// Template: a ZBS template message by user id; any user id of the OA,
	// at the template's price_uid. Needs a template approved for it.
	Template Route = "template"
	// TemplatePhone: a ZBS template message by phone number; anyone with
	// Zalo on that phone, at the template's price_sdt.
	TemplatePhone Route = "template_phone"
	None          Route = "none"
)

// Parse reads a route name.
func Parse(s string) (Route, error) {
	switch r := Route(strings.TrimSpace(s)); r {
	case CS, Template, TemplatePhone:
		return r, nil
	}
	return "", fmt.Errorf("unknown route %q (cs, template or template_phone)", s)
}

// IsTemplate tells the routes that carry a ZBS template.
func (r Route) IsTemplate() bool { return r == Template || r == TemplatePhone }

// Policy is the configuration of the choice.
type Policy struct {
	// Order is the routes tried, best first.
	Order []Route
	// CSWindow: cs goes to a user whose last interaction is this recent.
	CSWindow time.Duration
	// Night is when Zalo holds a template's push (it arrives silently),
	// in Vietnam time; NightRoutes are the routes refused outright then
	// (none since 2026: only promotion is, -234).
	Night       Window
	NightRoutes []Route
}

// Default is the policy the README documents.
func Default() Policy {
	return Policy{
		Order:    []Route{CS, Template, TemplatePhone},
		CSWindow: 7 * 24 * time.Hour,
		Night:    Window{Start: 22 * time.Hour, End: 6 * time.Hour},
	}
}

// Recipient is what we believe of a Zalo user, and what their alerts'
// integration offers.
type Recipient struct {
	Following bool
	// LastInteraction is when they last wrote to or followed the OA; nil:
	// not known.
	LastInteraction *time.Time
	// CSRefusedAt is when Zalo last refused them a cs message for want of
	// an interaction: Zalo's answer beats our belief until they interact
	// again.
	CSRefusedAt *time.Time
	// Template: the integration has a template fit to send; ByUID: it may
	// go by user id (templates approved before 2025-12-10 go by phone
	// only). Phone: the recipient has a phone number.
	Template, ByUID, Phone bool
}

// Routes lists the routes that may reach r at now, in the policy's order.
func (p Policy) Routes(r Recipient, now time.Time) []Route {
	var out []Route
	for _, rt := range p.Order {
		if p.reaches(rt, r, now) {
			out = append(out, rt)
		}
	}
	return out
}

// Best is the first route of Routes, or None.
func (p Policy) Best(r Recipient, now time.Time) Route {
	if rs := p.Routes(r, now); len(rs) > 0 {
		return rs[0]
	}
	return None
}

func (p Policy) reaches(rt Route, r Recipient, now time.Time) bool {
	switch rt {
	case CS:
		// Zalo would take chat to a non-follower who just wrote, but only
		// for days: alerts go to followers (they are told to follow first),
		// so that they do not stop without a word.
		recent := r.LastInteraction != nil && now.Sub(*r.LastInteraction) <= p.CSWindow
		refused := r.CSRefusedAt != nil && (r.LastInteraction == nil || !r.LastInteraction.After(*r.CSRefusedAt))
		return r.Following && recent && !refused
	case Template:
		return r.Template && r.ByUID
	case TemplatePhone:
		return r.Template && r.Phone
	}
	return false
}

// BlockedUntil says whether rt is refused at now (a night route at night)
// and, if so, when it opens again; the zero time when it is not blocked.
func (p Policy) BlockedUntil(rt Route, now time.Time) time.Time {
	for _, n := range p.NightRoutes {
		if n == rt {
			return p.Night.Until(now)
		}
	}
	return time.Time{}
}

// Silent tells a message by rt at now that Zalo delivers without its push
// sound: a template inside the night.
func (p Policy) Silent(rt Route, now time.Time) bool {
	return rt.IsTemplate() && !p.Night.Until(now).IsZero()
}

// AfterNight is when to try again a route Zalo refused as night-blocked
// (-234) at now, whatever our policy said: the end of this night, or a
// minute on if the night just ended by our clock (Zalo's may lag), or the
// end of the next night if Zalo's night begins earlier than ours.
func (p Policy) AfterNight(now time.Time) time.Time {
	end := vntime.Midnight(now).Add(p.Night.End)
	switch {
	case now.Before(end):
		return end
	case now.Sub(end) < time.Hour:
		return now.Add(time.Minute)
	}
	return end.AddDate(0, 0, 1)
}
