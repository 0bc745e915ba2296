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

// readyz answers 200 only when Postgres and Temporal both answer.
func (s *Server) readyz(c echo.Context) error {
	if err := s.readiness.check(s.dependenciesAnswer); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// dependenciesAnswer pings PostgreSQL and Temporal.
func (s *Server) dependenciesAnswer() *Error {
	// The check is every caller's, not the request's that ran it: a client
	// that hangs up must not leave a cancelled check in the cache.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "database is not answering")
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "temporal is not answering")
	}
	return nil
}

// readinessTTL is how long a readiness answer is reused: /readyz is open to
// anyone, and load balancers poll it, so however often it is asked,
// PostgreSQL and Temporal are pinged at most once a second.
const readinessTTL = time.Second

// readiness is the last readiness check and when it ran. Callers that come
// while a check runs wait for it rather than start their own.
type readiness struct {
	mu  sync.Mutex
	at  time.Time
	err *Error
}

func (r *readiness) check(run func() *Error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at.IsZero() || time.Since(r.at) >= readinessTTL {
		r.err, r.at = run(), time.Now()
	}
	if r.err != nil {
		return r.err
	}
	return nil
}
