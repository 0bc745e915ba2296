package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/harness/apicheck"
	"github.com/tingting-vn/tingting/harness/ports"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
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
	if srv != nil {
		_ = srv.Stop()
	}
	os.Exit(code)
}

// stack is tingting's API and worker started through run, as production
// starts them, against a fresh database, the test's Temporal dev server and
// an in-process Zalo sandbox whose clock the test can move.
type stack struct {
	env        map[string]string
	apiURL     string
	sandboxURL string
	apiMetrics string // where the API serves its metrics
	sim        *zalosim.Sim
	simClock   atomic.Int64 // added to the sandbox's time, in nanoseconds
	// stopWorker stops the worker as SIGTERM does and returns what its run
	// returned; the test's cleanup calls it too.
	stopWorker func() error
}

const (
	testAppID     = "1234"
	testAppSecret = "app-secret"
	testOASecret  = "oa-secret"
)

// startStack starts a stack; env are more NAME, value pairs for the API's
// and the worker's environment.
func startStack(t *testing.T, env ...string) *stack {
	t.Helper()
	testenv.SkipShort(t, "a Temporal dev server")
	apiAddr := freeAddr(t)
	s := &stack{apiURL: "http://" + apiAddr}
	simConfig := zalosim.Config{
		AppID: testAppID, AppSecret: testAppSecret, OASecretKey: testOASecret,
		OAAccessToken: "oa-access-0", OARefreshToken: "oa-refresh-0",
		OARedirectURI: s.apiURL + "/v1/oauth/zalo-oa/callback",
		WebhookURL:    s.apiURL + "/v1/webhooks/zalo",
		Now:           func() time.Time { return time.Now().Add(time.Duration(s.simClock.Load())) },
	}
	s.sim = zalosim.New(simConfig)
	simSrv := httptest.NewServer(s.sim)
	s.sandboxURL = simSrv.URL
	s.env = map[string]string{
		"DATABASE_URL":            testenv.DatabaseURL(t),
		"TEMPORAL_ADDRESS":        temporalServer.FrontendHostPort(),
		"HTTP_ADDR":               apiAddr,
		"METRICS_ADDR":            freeAddr(t),
		"PUBLIC_URL":              s.apiURL,
		"ZALO_OAUTH_URL":          s.sandboxURL,
		"ZALO_GRAPH_URL":          s.sandboxURL,
		"ZALO_OPENAPI_URL":        s.sandboxURL,
		"ZALO_ZNS_URL":            s.sandboxURL,
		"CASSO_API_URL":           s.sandboxURL,
		"ZALO_APP_ID":             testAppID,
		"ZALO_APP_SECRET":         testAppSecret,
		"ZALO_OA_SECRET_KEY":      testOASecret,
		"ZALO_OA_CODE_VERIFIER":   zalosim.DefaultOACodeVerifier,
		"ZALO_OA_CONSENT_URL":     zalosim.ConsentURL(s.sandboxURL, simConfig),
		"ZALO_OA_ACCESS_TOKEN":    "oa-access-0",
		"ZALO_OA_REFRESH_TOKEN":   "oa-refresh-0",
		"TINGTING_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32)),
		"LOG_LEVEL":               "warn",
	}
	for i := 0; i+1 < len(env); i += 2 {
		s.env[env[i]] = env[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	workerCtx, stopWorker := context.WithCancel(ctx)
	apiDone, workerDone := make(chan error, 1), make(chan error, 1)
	// Each piece serves its metrics on an address of its own.
	s.apiMetrics = freeAddr(t)
	go func() { apiDone <- s.runWith(ctx, map[string]string{"METRICS_ADDR": s.apiMetrics}, io.Discard, "api") }()
	go func() { workerDone <- s.run(workerCtx, io.Discard, "worker") }()
	s.stopWorker = sync.OnceValue(func() error {
		stopWorker()
		return <-workerDone
	})
	t.Cleanup(func() {
		// The keeper is a singleton on the shared dev server: end it so the
		// next test's worker starts its own, on its own database.
		_ = temporalServer.Client().TerminateWorkflow(context.Background(), contract.OATokenKeeperID, "", "test over")
		cancel()
		for _, err := range []error{<-apiDone, s.stopWorker()} {
			if err != nil {
				t.Errorf("stopping: %v", err)
			}
		}
		s.sim.Close()
		simSrv.Close()
		if n := s.sim.Stats().Calls[zalosim.KindTransaction]; n > 0 {
			t.Errorf("the transaction message Zalo switched off on 2026-03-01 was sent %d times", n)
		}
	})
	// An API that stopped (a port taken, say) fails the test with its own
	// error, not with whatever else answers on its address.
	var apiStopped, stopped = error(nil), false
	require.Eventually(t, func() bool {
		select {
		case apiStopped = <-apiDone:
			apiDone <- apiStopped // for the cleanup
			stopped = true
			return true
		default:
		}
		res, err := http.Get(s.apiURL + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "the API never became ready")
	require.False(t, stopped, "the API stopped before it was ready: %v", apiStopped)
	// The configured pair's expiry is unknown, so the keeper refreshes it
	// first thing; wait for that, so tests start from a settled token.
	require.Eventually(t, func() bool { return s.sim.RefreshCount() == 1 }, 20*time.Second, 50*time.Millisecond)
	return s
}

func (s *stack) run(ctx context.Context, stdout io.Writer, args ...string) error {
	return s.runWith(ctx, nil, stdout, args...)
}

// runWith runs a command with some of the stack's environment replaced.
func (s *stack) runWith(ctx context.Context, env map[string]string, stdout io.Writer, args ...string) error {
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return s.env[k]
	}
	return run(ctx, append([]string{"tingting"}, args...), getenv, stdout, io.Discard)
}

// notified waits until the notification of a transaction the API accepted
// has started (the outbox's dispatcher starts it) and finished.
func (s *stack) notified(t *testing.T, transactionID uuid.UUID) {
	t.Helper()
	id := contract.TransactionWorkflowID(transactionID)
	require.Eventually(t, func() bool {
		_, err := temporalServer.Client().DescribeWorkflowExecution(context.Background(), id, "")
		return err == nil
	}, 20*time.Second, 20*time.Millisecond, "the notification of %s never started", transactionID)
	require.NoError(t, temporalServer.Client().GetWorkflow(context.Background(), id, "").Get(context.Background(), nil))
}

// api is a typed client of the stack's API (package apiclient, generated
// from docs/openapi.yaml) that sends key; every answer it gets is checked
// against the spec, so a test sees the spec and the server disagree.
func (s *stack) api(t *testing.T, key string) *apiclient.ClientWithResponses {
	t.Helper()
	hc, err := apicheck.Client(s.apiURL, t.Errorf)
	require.NoError(t, err)
	c, err := apiclient.WithAPIKey(s.apiURL, key, apiclient.WithHTTPClient(hc))
	require.NoError(t, err)
	return c
}

// call sends a JSON request and decodes the JSON answer into out: for the
// sandbox's control API, and for what the typed client cannot send.
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

// freeAddr is a loopback port below the ephemeral range: one picked from
// it could be taken by any connection before the process binds it.
func freeAddr(t *testing.T) string {
	addr, err := ports.FreeAddr()
	require.NoError(t, err)
	return addr
}

// workspace creates a workspace the way an operator does, with
// `tingting workspace create`, and returns the API key it prints last.
func (s *stack) workspace(t *testing.T, name string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, s.run(context.Background(), &out, "workspace", "create", "--name", name))
	key := lastLine(out.String())
	require.Regexp(t, `^tt_[0-9A-Za-z]{32,}$`, key)
	return key
}

// lastLine is how scripts read the key `workspace create` prints.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestTheAPIRefusesToStartWithoutWhatProvesAWebhook: with no OA secret key
// (or app id), the signature would be a hash of public values; the API
// says which variable is missing instead of starting.
func TestTheAPIRefusesToStartWithoutWhatProvesAWebhook(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"ZALO_APP_ID": "1234", "ZALO_OA_SECRET_KEY": "oa-secret", "ZALO_APP_SECRET": "app-secret",
		"TINGTING_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32)),
	}
	for missing, env := range map[string]map[string]string{
		"ZALO_OA_SECRET_KEY": {"ZALO_OA_SECRET_KEY": ""},
		"ZALO_APP_ID":        {"ZALO_APP_ID": ""},
		"ZALO_APP_SECRET":    {"ZALO_WEBHOOK_KEY": "app_secret", "ZALO_APP_SECRET": ""},
	} {
		getenv := func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return base[k]
		}
		err := run(context.Background(), []string{"tingting", "api"}, getenv, io.Discard, io.Discard)
		require.ErrorContains(t, err, missing)
	}
}
