// Package app wires tingting's pieces from its configuration: a logger, one
// PostgreSQL pool and one Temporal client per process, the HTTP API and the
// worker. The product's command (cmd/tingting) runs them one per process;
// the harness's `dev` (cmd/tingting-dev) runs them all in one.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sync/atomic"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/activities/feeds"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// App holds what every piece of one process shares: the configuration, a
// logger and the metrics (in `dev`, the API serves the worker's too).
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// started is set once the process's work has begun: the API serving,
	// the worker polling. /readyz on METRICS_ADDR tells it.
	started atomic.Bool
}

// New reads the configuration through getenv and logs to logOut.
func New(getenv func(string) string, logOut io.Writer) (*App, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(logOut, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(logOut, opts)
	}
	return &App{Config: cfg, Log: slog.New(h), Metrics: metrics.New()}, nil
}

// OpenDB connects to DATABASE_URL.
func (a *App) OpenDB(ctx context.Context) (*db.Pool, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.Open(ctx, a.Config.DatabaseURL)
}

// Codec seals every payload tingting puts in Temporal with the current key
// and opens them with any configured one.
func (a *App) Codec() (*codec.Codec, error) {
	if a.Config.EncryptionKey == nil {
		return nil, errNoKey
	}
	return codec.New(a.Config.EncryptionKey, a.Config.OldEncryptionKeys...)
}

var errNoKey = errors.New("TINGTING_ENCRYPTION_KEY is required: base64 of 32 random bytes (openssl rand -base64 32)")

// DialTemporal connects to TEMPORAL_ADDRESS. Every payload the client
// sends is sealed (package codec), failure messages included, with the
// workspace it belongs to, which the headers carry from a caller to its
// workflows and on to their activities.
func (a *App) DialTemporal(ctx context.Context) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	opts, err := a.temporalOptions()
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", a.Config.TemporalAddress, err)
	}
	return c, nil
}

// temporalOptions are the client's options: the sealing codec, and TLS and
// the API key when configured. The TLS files are read here, so a missing or
// bad one stops the start with the variable that names it.
func (a *App) temporalOptions() (client.Options, error) {
	cdc, err := a.Codec()
	if err != nil {
		return client.Options{}, err
	}
	opts := client.Options{
		HostPort:           a.Config.TemporalAddress,
		Namespace:          a.Config.TemporalNamespace,
		DataConverter:      cdc.DataConverter(),
		FailureConverter:   cdc.FailureConverter(),
		ContextPropagators: []workflow.ContextPropagator{codec.Propagator()},
		Logger:             tlog.NewStructuredLogger(a.Log.With("component", "temporal")),
		// Payloads are a few ids: gzip would only cost CPU on both ends
		// (measured: docs/BENCHMARKS.md).
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	}
	if t := a.Config.TemporalTLS; t != nil {
		if opts.ConnectionOptions.TLS, err = temporalTLS(*t); err != nil {
			return client.Options{}, err
		}
	}
	if a.Config.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(a.Config.TemporalAPIKey)
	}
	return opts, nil
}

// temporalTLS reads the files TEMPORAL_TLS_* name.
func temporalTLS(t config.TemporalTLS) (*tls.Config, error) {
	conf := &tls.Config{ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_SERVER_CA_CERT_PATH: %w", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_SERVER_CA_CERT_PATH: no PEM certificate in %s", t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// Box seals secrets at rest with TINGTING_ENCRYPTION_KEY and opens them
// with it or an old key.
func (a *App) Box() (*secret.Box, error) {
	if a.Config.EncryptionKey == nil {
		return nil, errNoKey
	}
	return secret.New(a.Config.EncryptionKey, a.Config.OldEncryptionKeys...)
}

// Zalo is a client for the Zalo base URLs and app of the configuration.
func (a *App) Zalo() *zalo.Client {
	c := a.Config
	return zalo.NewClient(zalo.Config{
		OAuthURL: c.ZaloOAuthURL, LoginURL: c.ZaloLoginURL, GraphURL: c.ZaloGraphURL,
		OpenAPIURL: c.ZaloOpenAPIURL, ZNSURL: c.ZaloZNSURL, AppID: c.ZaloAppID, AppSecret: c.ZaloAppSecret,
	})
}

// OATokens opens the sealed OA token store.
func (a *App) OATokens(pool *db.Pool) (*oatoken.Store, error) {
	box, err := a.Box()
	if err != nil {
		return nil, err
	}
	return &oatoken.Store{Pool: pool, Box: box}, nil
}

// StoreConfiguredToken stores ZALO_OA_ACCESS_TOKEN/REFRESH_TOKEN if given.
// Its expiry is unknown, so it is recorded as due: the keeper refreshes it
// at once and learns the real one. force replaces a stored pair (dev only).
func (a *App) StoreConfiguredToken(ctx context.Context, tokens *oatoken.Store, force bool) error {
	if a.Config.ZaloOAAccessToken == "" || a.Config.ZaloOARefreshToken == "" {
		return nil
	}
	return tokens.Put(ctx, a.Config.ZaloOAAccessToken, a.Config.ZaloOARefreshToken, time.Now(), force)
}

// CheckAPI refuses to serve the API without what proves a webhook came
// from Zalo: with an empty secret the signature would be a hash of public
// values, and anyone could forge follows, unfollows and invites.
func (a *App) CheckAPI() error {
	switch {
	case a.Config.ZaloAppID == "":
		return errors.New("ZALO_APP_ID is required: Zalo's webhooks are signed with it")
	case a.Config.ZaloWebhookSecret == "":
		return fmt.Errorf("%s is required: it is what proves a webhook came from Zalo (ZALO_WEBHOOK_KEY says which secret signs them)", a.Config.ZaloWebhookSecretVar)
	}
	_, err := a.Box()
	return err
}

// ServeAPI serves the HTTP API on HTTP_ADDR until ctx ends.
func (a *App) ServeAPI(ctx context.Context, pool *db.Pool, tc client.Client) error {
	if err := a.CheckAPI(); err != nil {
		return err
	}
	box, err := a.Box()
	if err != nil {
		return err
	}
	cdc, err := a.Codec()
	if err != nil {
		return err
	}
	tokens, err := a.OATokens(pool)
	if err != nil {
		return err
	}
	a.started.Store(true)
	return a.Serve(ctx, "api", a.Config.HTTPAddr, api.New(api.Deps{
		OA:    api.OAConnect{Tokens: tokens, CodeVerifier: a.Config.ZaloOACodeVerifier, ID: a.Config.ZaloOAID},
		Codec: cdc, OperatorToken: a.Config.OperatorToken, TemporalUIOrigin: a.Config.TemporalUIOrigin,
		PublicRateLimit: a.Config.PublicRateLimit, WebhookRateLimit: a.Config.WebhookRateLimit, TrustedProxies: a.Config.TrustedProxies, Routes: a.Config.Routes,
		Pool: pool, Temporal: tc, Log: a.Log, Zalo: a.Zalo(), Box: box, PublicURL: a.Config.PublicURL,
		CassoMaxAge: a.Config.CassoSignatureMaxAge, ReadBackDays: a.Config.CassoReadBackDays, Metrics: a.Metrics,
		People: api.People{
			SignupOpen: a.Config.SignupOpen, IdleTimeout: a.Config.SessionIdleTimeout, MaxAge: a.Config.SessionMaxAge,
			LinkMembers: a.Config.MemberLink,
		},
		Webhooks: api.ZaloWebhooks{AppID: a.Config.ZaloAppID, WebhookSecret: a.Config.ZaloWebhookSecret, MaxAge: a.Config.ZaloWebhookMaxAge},
	}))
}

// RunWorker runs the Temporal worker until ctx ends, after storing a
// configured OA token and making sure the OATokenKeeper runs. Stopping, it
// lets running activities finish for WORKER_STOP_TIMEOUT. A worker that
// stops for good by itself (its namespace gone) ends RunWorker with the
// reason, so the process ends and its supervisor starts it again.
func (a *App) RunWorker(ctx context.Context, pool *db.Pool, tc client.Client) error {
	tokens, err := a.OATokens(pool)
	if err != nil {
		return err
	}
	if err := a.StoreConfiguredToken(ctx, tokens, false); err != nil {
		return err
	}
	fatal := make(chan error, 1)
	w := worker.New(tc, worker.NewActivities(worker.Deps{
		Pool:      pool,
		Zalo:      a.Zalo(),
		Tokens:    tokens,
		Box:       tokens.Box,
		Refresher: worker.Keeper{Client: tc},
		Metrics:   a.Metrics,
		Now:       time.Now,
		Casso:     feeds.CassoAPI{BaseURL: a.Config.CassoAPIURL, HTTP: &http.Client{Timeout: 30 * time.Second}},

		Routes: a.Config.Routes, Prices: send.Prices{Free: a.Config.CSFree, Price: a.Config.CSPrice},
		SendRate: a.Config.SendRate, ProbeEvery: a.Config.ProbeEvery,
		Doubt: send.DoubtPolicy{Check: a.Config.InDoubtCheck, Wait: a.Config.InDoubtWait, GiveUp: a.Config.InDoubtGiveUp, TemplatesListed: a.Config.TemplatesListed},
	}), worker.Options{
		SendRate: a.Config.SendRate, StopTimeout: a.Config.WorkerStopTimeout,
		OnFatalError: func(err error) {
			select {
			case fatal <- err:
			default:
			}
		},
	})
	if err := worker.StartKeeper(ctx, tc); err != nil {
		return err
	}
	if err := worker.EnsureMaintenance(ctx, tc, contract.MaintenanceInput{
		WebhookBodies: a.Config.RetainWebhookBodies, OAuthLogins: a.Config.RetainOAuthLogins, InviteFailures: a.Config.RetainInviteFailures,
		ZaloEvents: zaloEventsKept(a.Config.ZaloWebhookMaxAge),
	}); err != nil {
		return fmt.Errorf("the maintenance schedule: %w", err)
	}
	if err := worker.EnsureReadBack(ctx, tc, a.Config.CassoReadBackEvery, a.Config.CassoReadBackDays); err != nil {
		return fmt.Errorf("the Casso read-back schedule: %w", err)
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	a.Log.Info("worker started")
	a.started.Store(true)
	dispatcher := &worker.Dispatcher{Pool: pool, Temporal: tc, Log: a.Log, Metrics: a.Metrics, SendRate: a.Config.SendRate}
	ctx, stopDispatch := context.WithCancel(ctx)
	dispatched := make(chan error, 1)
	go func() { dispatched <- dispatcher.Run(ctx) }()
	select {
	case err = <-dispatched:
	case err = <-fatal:
		err = fmt.Errorf("the Temporal worker stopped: %w", err)
		stopDispatch()
		<-dispatched
	}
	stopDispatch()
	a.Log.Info("worker stopping", "stop_timeout", a.Config.WorkerStopTimeout)
	w.Stop()
	return err
}

// zaloEventsKept is how long a Zalo event's row must stay to recognise a
// redelivery: one is accepted until its own time, at most FutureSkew past
// its arrival, is maxAge old. 0 (no age limit) keeps them all.
func zaloEventsKept(maxAge time.Duration) time.Duration {
	if maxAge <= 0 {
		return 0
	}
	return maxAge + zalo.FutureSkew
}

// SyncFollowers runs the follower sync (a workflow, so a worker does the
// work) and waits for it.
func (a *App) SyncFollowers(ctx context.Context, tc client.Client) error {
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       contract.SyncFollowersID,
		TaskQueue:                contract.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, contract.SyncFollowersName)
	if err != nil {
		return fmt.Errorf("starting the follower sync: %w", err)
	}
	var res contract.SyncResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("follower sync: %w", err)
	}
	a.Log.Info("follower sync finished", "followers", res.Followers)
	return nil
}

// OpsHandler serves METRICS_ADDR: the metrics, and the process's own
// probes, which never ask PostgreSQL or Temporal (both processes ride out
// their absence; a probe that failed with them would take every replica
// out at once): /healthz answers while the process runs, /readyz once its
// work has started (the API serving, the worker polling Temporal).
func (a *App) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !a.started.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "unavailable", "message": "starting"}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// DebugHandler serves Go's profiles, on DEBUG_ADDR only: never on the API's
// public address.
func DebugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	return mux
}

// Serve runs an HTTP server on addr until ctx ends, then drains it.
func (a *App) Serve(ctx context.Context, name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// A wizard's test call can wait for Zalo's retries: writes get 90 s.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 90 * time.Second, IdleTimeout: 2 * time.Minute}
	a.Log.Info("listening", "server", name, "addr", ln.Addr().String())
	var g errgroup.Group
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	})
	return g.Wait()
}
