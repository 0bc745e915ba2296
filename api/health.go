package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when Postgres and Temporal both answer; it says
// "degraded" (still 200: the process can serve) while a route is stopped
// for the whole OA until a person acts.
func (s *Server) readyz(c echo.Context) error {
	st := s.readiness.check(s.dependenciesAnswer)
	switch {
	case st.err != nil:
		return st.err
	case len(st.paused) > 0:
		return c.JSON(http.StatusOK, map[string]any{"status": "degraded", "paused": st.paused})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// readyState is what a readiness check found: a dependency not answering,
// or the routes stopped for the OA.
type readyState struct {
	err    *Error
	paused []pauseResponse
}

// dependenciesAnswer pings PostgreSQL and Temporal, and reads the pauses.
func (s *Server) dependenciesAnswer() readyState {
	// The check is every caller's, not the request's that ran it: a client
	// that hangs up must not leave a cancelled check in the cache.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return readyState{err: newError(http.StatusServiceUnavailable, "unavailable", "database is not answering")}
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return readyState{err: newError(http.StatusServiceUnavailable, "unavailable", "temporal is not answering")}
	}
	paused, err := s.pauses(ctx)
	if err != nil {
		return readyState{err: newError(http.StatusServiceUnavailable, "unavailable", "database is not answering")}
	}
	return readyState{paused: paused}
}

// readinessTTL is how long a readiness answer is reused: /readyz is open to
// anyone, and load balancers poll it, so however often it is asked,
// PostgreSQL and Temporal are pinged at most once a second.
const readinessTTL = time.Second

// readiness is the last readiness check and when it ran. Callers that come
// while a check runs wait for it rather than start their own.
type readiness struct {
	mu    sync.Mutex
	at    time.Time
	state readyState
}

func (r *readiness) check(run func() readyState) readyState {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at.IsZero() || time.Since(r.at) >= readinessTTL {
		r.state, r.at = run(), time.Now()
	}
	return r.state
}
