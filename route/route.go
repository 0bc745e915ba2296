// Package route chooses how the OA reaches a recipient: which Zalo message
// routes may carry an alert to them now, in which order, and when a route
// Zalo refuses at night opens again. Pure: no I/O; the clock is an argument.
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

// The routes, and None for a recipient no route reaches.
const (
	CS          Route = "cs"          // consultation text: free within 48 h of the user's last interaction, refused after 7 days
	Transaction Route = "transaction" // transaction template: followers, for about a year; not at night
	ZNS         Route = "zns"         // ZNS template: anyone, paid, needs an approved template
	None        Route = "none"
)

// Parse reads a route name.
func Parse(s string) (Route, error) {
	switch r := Route(strings.TrimSpace(s)); r {
	case CS, Transaction, ZNS:
		return r, nil
	}
	return "", fmt.Errorf("unknown route %q (cs, transaction or zns)", s)
}

// Policy is the configuration of the choice.
type Policy struct {
	// Order is the routes tried, best first.
	Order []Route
	// CSWindow: cs goes to a user whose last interaction is this recent.
	CSWindow time.Duration
	// TransactionWindow: transaction messages go to a follower whose last
	// interaction (if known) is this recent.
	TransactionWindow time.Duration
	// Night is when the routes in NightRoutes are refused, as a time of
	// day in Vietnam: from NightStart to NightEnd (wrapping midnight).
	NightStart, NightEnd time.Duration
	NightRoutes          []Route
}

// Default is the policy the README documents.
func Default() Policy {
	return Policy{
		Order:             []Route{CS, Transaction, ZNS},
		CSWindow:          48 * time.Hour,
		TransactionWindow: 365 * 24 * time.Hour,
		NightStart:        22 * time.Hour,
		NightEnd:          6 * time.Hour,
		NightRoutes:       []Route{Transaction},
	}
}

// Recipient is what we believe of a Zalo user.
type Recipient struct {
	Following bool
	// LastInteraction is when they last wrote to or followed the OA; nil:
	// not known.
	LastInteraction *time.Time
	// CSRefusedAt is when Zalo last refused them a cs message for want of
	// an interaction: Zalo's answer beats our belief until they interact
	// again.
	CSRefusedAt *time.Time
	// HasZNS: the integration has a ZNS template.
	HasZNS bool
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
	recent := func(window time.Duration) bool {
		return r.LastInteraction != nil && now.Sub(*r.LastInteraction) <= window
	}
	switch rt {
	case CS:
		// Zalo would take chat to a non-follower who just wrote, but only
		// for days: alerts go to followers (they are told to follow first),
		// so that they do not stop without a word.
		refused := r.CSRefusedAt != nil && (r.LastInteraction == nil || !r.LastInteraction.After(*r.CSRefusedAt))
		return r.Following && recent(p.CSWindow) && !refused
	case Transaction:
		// An unknown last interaction is left to Zalo: most followers are
		// within a year.
		return r.Following && (r.LastInteraction == nil || recent(p.TransactionWindow))
	case ZNS:
		return r.HasZNS
	}
	return false
}

// BlockedUntil says whether rt is refused at now (night) and, if so, when
// it opens again; the zero time when it is not blocked.
func (p Policy) BlockedUntil(rt Route, now time.Time) time.Time {
	if !p.nightRoute(rt) || p.NightStart == p.NightEnd {
		return time.Time{}
	}
	midnight := vntime.Midnight(now)
	of := now.Sub(midnight)
	start, end := p.NightStart, p.NightEnd
	switch {
	case start < end && of >= start && of < end: // a night within one day
		return midnight.Add(end)
	case start > end && of >= start: // before midnight
		return midnight.AddDate(0, 0, 1).Add(end)
	case start > end && of < end: // after midnight
		return midnight.Add(end)
	}
	return time.Time{}
}

// AfterNight is when to try again a route Zalo refused as night-blocked
// (-234) at now, whatever our policy said: the end of this night, or a
// minute on if the night just ended by our clock (Zalo's may lag), or the
// end of the next night if Zalo's night begins earlier than ours.
func (p Policy) AfterNight(now time.Time) time.Time {
	end := vntime.Midnight(now).Add(p.NightEnd)
	switch {
	case now.Before(end):
		return end
	case now.Sub(end) < time.Hour:
		return now.Add(time.Minute)
	}
	return end.AddDate(0, 0, 1)
}

func (p Policy) nightRoute(rt Route) bool {
	for _, n := range p.NightRoutes {
		if n == rt {
			return true
		}
	}
	return false
}
