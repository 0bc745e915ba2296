package api

import (
	"context"
	"net/http"
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
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "database is not answering")
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "temporal is not answering")
	}
	paused, err := s.pauses(c)
	if err != nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "database is not answering")
	}
	if len(paused) > 0 {
		return c.JSON(http.StatusOK, map[string]any{"status": "degraded", "paused": paused})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
