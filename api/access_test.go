package api

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/internal/metrics"
)

// TestEveryRouteHasARule keeps access.go's table and routes.go equal: a
// route added without saying who may call it would be refused to everyone,
// and a rule for a route that is gone would mislead.
func TestEveryRouteHasARule(t *testing.T) {
	s := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()})
	served := map[string]bool{}
	for _, r := range s.Routes() {
		if strings.HasPrefix(r.Path, "/v1/") {
			served[r.Method+" "+r.Path] = true
		}
	}
	for route := range served {
		_, ok := access[route]
		require.True(t, ok, "%s has no rule in access.go", route)
	}
	for route := range access {
		require.True(t, served[route], "access.go has a rule for %s, which is not served", route)
	}
}
