package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/internal/testenv"
)

var temporalServer *testsuite.DevServer

func TestMain(m *testing.M) {
	srv, err := testenv.StartTemporal()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	temporalServer = srv
	code := m.Run()
	_ = srv.Stop()
	os.Exit(code)
}

// stack is tingting's three pieces (sandbox, API, worker) started through
// run, as production starts them, against a fresh database and the test's
// Temporal dev server.
type stack struct {
	env        map[string]string
	apiURL     string
	sandboxURL string
}

func startStack(t *testing.T) *stack {
	t.Helper()
	apiAddr, simAddr := freeAddr(t), freeAddr(t)
	s := &stack{apiURL: "http://" + apiAddr, sandboxURL: "http://" + simAddr}
	s.env = map[string]string{
		"DATABASE_URL":         testenv.DatabaseURL(t),
		"TEMPORAL_ADDRESS":     temporalServer.FrontendHostPort(),
		"HTTP_ADDR":            apiAddr,
		"ZALOSIM_ADDR":         simAddr,
		"ZALO_OAUTH_URL":       s.sandboxURL,
		"ZALO_GRAPH_URL":       s.sandboxURL,
		"ZALO_OPENAPI_URL":     s.sandboxURL,
		"ZALO_APP_ID":          "1234",
		"ZALO_APP_SECRET":      "app-secret",
		"ZALO_OA_ACCESS_TOKEN": "oa-token",
		"LOG_LEVEL":            "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 3)
	for _, piece := range []string{"zalosim", "api", "worker"} {
		go func() { done <- s.run(ctx, io.Discard, piece) }()
	}
	t.Cleanup(func() {
		cancel()
		for range 3 {
			if err := <-done; err != nil {
				t.Errorf("stopping: %v", err)
			}
		}
	})
	require.Eventually(t, func() bool {
		res, err := http.Get(s.apiURL + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "the API never became ready")
	return s
}

func (s *stack) run(ctx context.Context, stdout io.Writer, args ...string) error {
	return run(ctx, append([]string{"tingting"}, args...), func(k string) string { return s.env[k] }, stdout, io.Discard)
}

// call sends a JSON request and decodes the JSON answer into out.
func call(t *testing.T, method, url, key string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(res.Body).Decode(out))
	}
	return res.StatusCode
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// lastLine is how scripts read the key `workspace create` prints.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
