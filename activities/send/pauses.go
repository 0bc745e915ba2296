package send

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// How a route stops for the whole OA when Zalo says only a person can fix
// it (ZALO.md §5: verification, a tier, a paying account, an API grant),
// and starts again: one send at a time probes it, every ProbeEvery; its
// success resumes the route, as do getoa showing the cause gone and an
// operator (`tingting oa resume`). Deliveries wait meanwhile, not failed.

// AllRoutes is the pause of every route: the OA token Zalo refuses even
// freshly refreshed.
const AllRoutes = "all"

// pause is a route stopped for the OA.
type pause struct {
	route   string
	code    int
	message string
	probeAt time.Time
}

// pausesFresh is how long a process trusts the pauses it read.
const pausesFresh = 2 * time.Second

// paused is the pause that stops rt now, if any.
func (c *Core) paused(ctx context.Context, rt route.Route) (pause, bool, error) {
	c.pauses.mu.Lock()
	defer c.pauses.mu.Unlock()
	if c.pauses.routes == nil || time.Since(c.pauses.readAt) > pausesFresh {
		rows, err := db.New(c.Pool).ListPauses(ctx)
		if err != nil {
			return pause{}, false, fmt.Errorf("paused routes: %w", err)
		}
		c.pauses.routes = make(map[string]pause, len(rows))
		for _, r := range rows {
			c.pauses.routes[r.Route] = pause{route: r.Route, code: int(r.Code), message: r.Message, probeAt: r.ProbeAt}
		}
		c.pauses.readAt = time.Now()
		c.Metrics.RoutesPaused.Set(float64(len(rows)))
	}
	if p, ok := c.pauses.routes[AllRoutes]; ok {
		return p, true, nil
	}
	p, ok := c.pauses.routes[string(rt)]
	return p, ok, nil
}

// forgetPauses makes the next send read the pauses afresh.
func (c *Core) forgetPauses() {
	c.pauses.mu.Lock()
	c.pauses.routes = nil
	c.pauses.mu.Unlock()
}

// waitOrProbe decides a send by a paused route: it waits (an error the
// workflow retries at the next probe), or it is the probe. probing is the
// pause it probes.
func (c *Core) waitOrProbe(ctx context.Context, p pause) (probing string, err error) {
	took, err := db.New(c.Pool).TakeProbe(ctx, db.TakeProbeParams{Route: p.route, NextProbeAt: c.Now().Add(c.ProbeEvery)})
	switch {
	case err != nil:
		return "", err
	case took:
		c.forgetPauses()
		return p.route, nil
	}
	wait := max(time.Until(p.probeAt), time.Second)
	return "", contract.FailRoutePaused.After(min(wait, c.ProbeEvery),
		"%s is stopped for the OA until a person acts: Zalo said %d: %s", p.route, p.code, p.message)
}

// stop pauses a route for the OA: Zalo said code, which only a person can
// fix. The operator sees it (GET /v1/zalo-oa, the metric, this log).
func (c *Core) stop(ctx context.Context, key string, code int, msg string) error {
	err := db.New(c.Pool).PauseRoute(ctx, db.PauseRouteParams{Route: key, Code: int32(code), Message: msg, ProbeAt: c.Now().Add(c.ProbeEvery)})
	if err != nil {
		return fmt.Errorf("pause %s: %w", key, err)
	}
	c.forgetPauses()
	c.Metrics.RoutePauses.WithLabelValues(key, strconv.Itoa(code)).Inc()
	activity.GetLogger(ctx).Error("a route is stopped for the whole OA until a person acts (README: runbook)",
		"route", key, "zalo_code", code, "zalo_message", msg)
	return nil
}

// resume ends a pause a probe just proved over.
func (c *Core) resume(ctx context.Context, key string) {
	if _, err := db.New(c.Pool).ResumeRoutes(ctx, db.ResumeRoutesParams{Routes: []string{key}, Codes: []int32{}}); err != nil {
		activity.GetLogger(ctx).Warn("resuming a route", "route", key, "error", err)
		return
	}
	c.forgetPauses()
	activity.GetLogger(ctx).Info("a route stopped for the OA takes messages again", "route", key)
}
