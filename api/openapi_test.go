package api_test

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/internal/metrics"
)

// TestOpenAPIDocumentsEveryRoute keeps docs/openapi.yaml and routes.go
// equal: every route documented, nothing documented that is not served.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	documented := documented(t)

	srv := api.New(api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()})
	param := regexp.MustCompile(`:([a-z_]+)`)
	var served []string
	for _, r := range srv.Routes() {
		served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(served)
	require.Equal(t, served, documented)
}

// documented lists "METHOD /path/{param}" for every operation of
// docs/openapi.yaml.
func documented(t *testing.T) []string {
	raw, err := os.ReadFile("../docs/openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	return out
}
