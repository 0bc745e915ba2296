package worker

import (
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/tingting-vn/tingting/activities/feeds"
	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/activities/keeper"
	"github.com/tingting-vn/tingting/activities/maintenance"
	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/activities/wizard"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/route"
)

// Zalo is every call to Zalo the activities make: the Zalo client.
type Zalo interface {
	send.Zalo
	inbound.Zalo
	wizard.Zalo
	keeper.Zalo
	oa.Zalo
}

// Deps are what the activities depend on, and the settings of sending.
type Deps struct {
	Pool      *db.Pool
	Zalo      Zalo
	Tokens    *oatoken.Store
	Box       *secret.Box
	Refresher send.Refresher
	Metrics   *metrics.Metrics
	Now       func() time.Time
	Casso     feeds.Casso // the bank feed's API, for read-back

	Routes     route.Policy
	Prices     send.Prices
	SendRate   float64
	Doubt      send.DoubtPolicy
	ProbeEvery time.Duration
}

// Activities are every activity a worker runs, by domain, around one send
// core.
type Activities struct {
	Notify      *notify.Activities
	Notices     *notices.Activities
	Inbound     *inbound.Activities
	Wizard      *wizard.Activities
	Keeper      *keeper.Activities
	Maintenance *maintenance.Activities
	OA          *oa.Activities
	Feeds       *feeds.Activities
}

// NewActivities wires the activities from their dependencies.
func NewActivities(d Deps) Activities {
	core := &send.Core{
		Pool: d.Pool, Zalo: d.Zalo, Tokens: d.Tokens, Refresher: d.Refresher, Metrics: d.Metrics, Now: d.Now,
		Routes: d.Routes, Prices: d.Prices, SendRate: d.SendRate, Doubt: d.Doubt, ProbeEvery: d.ProbeEvery,
	}
	if core.ProbeEvery <= 0 {
		core.ProbeEvery = 5 * time.Minute
	}
	return Activities{
		Notify:      &notify.Activities{Pool: d.Pool, Sender: core, Metrics: d.Metrics, Now: d.Now},
		Notices:     &notices.Activities{Pool: d.Pool, Sender: core, Now: d.Now},
		Inbound:     &inbound.Activities{Pool: d.Pool, Zalo: d.Zalo, Sender: core, Now: d.Now},
		Wizard:      &wizard.Activities{Pool: d.Pool, Zalo: d.Zalo, Box: d.Box, Sender: core, Now: d.Now},
		Keeper:      &keeper.Activities{Tokens: d.Tokens, Zalo: d.Zalo, Metrics: d.Metrics, Now: d.Now},
		Maintenance: &maintenance.Activities{Pool: d.Pool, Now: d.Now},
		OA:          &oa.Activities{Pool: d.Pool, Zalo: d.Zalo, Sender: core, Metrics: d.Metrics},
		Feeds:       &feeds.Activities{Pool: d.Pool, Box: d.Box, Casso: d.Casso, Metrics: d.Metrics, Now: d.Now},
	}
}

// ActivityRegistry is where activities are registered: a worker, or a
// test environment.
type ActivityRegistry interface {
	RegisterActivity(a any)
}

// Register registers every activity with r.
func (a Activities) Register(r ActivityRegistry) {
	for _, acts := range []any{a.Notify, a.Notices, a.Inbound, a.Wizard, a.Keeper, a.Maintenance, a.OA, a.Feeds} {
		r.RegisterActivity(acts)
	}
}

// registerSends registers the activities that run on the send queue: the
// sends of alerts, morning messages and owner notices.
func (a Activities) registerSends(w worker.Worker) {
	w.RegisterActivity(a.Notify)
	w.RegisterActivity(a.Notices)
}
