package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// process holds what every command shares: configuration and a logger.
type process struct {
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics.Metrics // one per process: dev's API serves the worker's too
}

func newProcess(getenv func(string) string, logOut io.Writer) (*process, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(logOut, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(logOut, opts)
	}
	return &process{cfg: cfg, log: slog.New(h), metrics: metrics.New()}, nil
}

// runPiece runs one of the production pieces until ctx ends.
func (p *process) runPiece(ctx context.Context, name string) error {
	switch name {
	case "zalosim":
		return p.serve(ctx, "zalosim", p.cfg.ZalosimAddr, p.sandbox())
	case "migrate":
		pool, err := p.openDB(ctx)
		if err != nil {
			return err
		}
		defer pool.Close()
		return db.Migrate(ctx, pool, p.log)
	}
	pool, err := p.openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	tc, err := p.dialTemporal(ctx)
	if err != nil {
		return err
	}
	defer tc.Close()
	if name == "sync-followers" {
		return p.syncFollowers(ctx, tc)
	}
	g, gctx := errgroup.WithContext(ctx)
	if name == "api" {
		g.Go(func() error { return p.serveAPI(gctx, pool, tc) })
	} else {
		g.Go(func() error { return p.runWorker(gctx, pool, tc) })
		g.Go(func() error { return p.serve(gctx, "metrics", p.cfg.MetricsAddr, p.metrics.Handler()) })
	}
	if p.cfg.DebugAddr != "" {
		g.Go(func() error { return p.serve(gctx, "debug", p.cfg.DebugAddr, debugHandler()) })
	}
	return g.Wait()
}

// debugHandler serves Go's profiles, on DEBUG_ADDR only: never on the API's
// public address.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	return mux
}

// syncFollowers runs the follower sync (a workflow, so a worker does the
// work) and waits for it.
func (p *process) syncFollowers(ctx context.Context, tc client.Client) error {
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.SyncFollowersID,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.SyncFollowersName)
	if err != nil {
		return fmt.Errorf("starting the follower sync: %w", err)
	}
	var res activities.SyncResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("follower sync: %w", err)
	}
	p.log.Info("follower sync finished", "followers", res.Followers)
	return nil
}

func (p *process) openDB(ctx context.Context) (*pgxpool.Pool, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.Open(ctx, p.cfg.DatabaseURL)
}

func (p *process) dialTemporal(ctx context.Context) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  p.cfg.TemporalAddress,
		Namespace: p.cfg.TemporalNamespace,
		Logger:    tlog.NewStructuredLogger(p.log.With("component", "temporal")),
		// Payloads are a few ids: gzip would only cost CPU on both ends
		// (measured: docs/BENCHMARKS.md).
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", p.cfg.TemporalAddress, err)
	}
	return c, nil
}

func (p *process) serveAPI(ctx context.Context, pool *pgxpool.Pool, tc client.Client) error {
	box, err := p.box()
	if err != nil {
		return err
	}
	return p.serve(ctx, "api", p.cfg.HTTPAddr, api.New(api.Deps{
		Pool: pool, Temporal: tc, Log: p.log, Zalo: p.zaloClient(), Box: box, PublicURL: p.cfg.PublicURL,
		CassoMaxAge: p.cfg.CassoSignatureMaxAge, Metrics: p.metrics,
		Webhooks: api.ZaloWebhooks{AppID: p.cfg.ZaloAppID, WebhookSecret: p.cfg.ZaloWebhookSecret},
	}))
}

// box seals secrets at rest with TINGTING_ENCRYPTION_KEY.
func (p *process) box() (*secret.Box, error) {
	if p.cfg.EncryptionKey == nil {
		return nil, errors.New("TINGTING_ENCRYPTION_KEY is required: base64 of 32 random bytes (openssl rand -base64 32)")
	}
	return secret.New(p.cfg.EncryptionKey)
}

func (p *process) zaloClient() *zalo.Client {
	return zalo.NewClient(zalo.Config{
		OAuthURL: p.cfg.ZaloOAuthURL, LoginURL: p.cfg.ZaloLoginURL, GraphURL: p.cfg.ZaloGraphURL,
		OpenAPIURL: p.cfg.ZaloOpenAPIURL, AppID: p.cfg.ZaloAppID, AppSecret: p.cfg.ZaloAppSecret,
	})
}

// oaTokens opens the sealed OA token store.
func (p *process) oaTokens(pool *pgxpool.Pool) (*activities.OATokens, error) {
	box, err := p.box()
	if err != nil {
		return nil, err
	}
	return &activities.OATokens{Pool: pool, Box: box}, nil
}

// storeConfiguredToken stores ZALO_OA_ACCESS_TOKEN/REFRESH_TOKEN if given.
// Its expiry is unknown, so it is recorded as due: the keeper refreshes it
// at once and learns the real one. force replaces a stored pair (dev only).
func (p *process) storeConfiguredToken(ctx context.Context, tokens *activities.OATokens, force bool) error {
	if p.cfg.ZaloOAAccessToken == "" || p.cfg.ZaloOARefreshToken == "" {
		return nil
	}
	return tokens.Store(ctx, p.cfg.ZaloOAAccessToken, p.cfg.ZaloOARefreshToken, time.Now(), force)
}

func (p *process) runWorker(ctx context.Context, pool *pgxpool.Pool, tc client.Client) error {
	tokens, err := p.oaTokens(pool)
	if err != nil {
		return err
	}
	if err := p.storeConfiguredToken(ctx, tokens, false); err != nil {
		return err
	}
	w := worker.New(tc, &activities.Activities{
		Pool:      pool,
		Zalo:      p.zaloClient(),
		Tokens:    tokens,
		Refresher: worker.Keeper{Client: tc},
		Metrics:   p.metrics,
		Now:       time.Now,
	})
	if err := worker.StartKeeper(ctx, tc); err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	p.log.Info("worker started")
	<-ctx.Done()
	w.Stop()
	return nil
}

// sandbox is a Zalo sandbox that matches this process's Zalo settings, so
// the API and worker configured alike can talk to it.
func (p *process) sandbox() *zalosim.Sim {
	return zalosim.New(zalosim.Config{
		AppID: p.cfg.ZaloAppID, AppSecret: p.cfg.ZaloAppSecret, OASecretKey: p.cfg.ZaloWebhookSecret,
		OAAccessToken: p.cfg.ZaloOAAccessToken, OARefreshToken: p.cfg.ZaloOARefreshToken,
		AccessTokenTTL: p.cfg.ZalosimTokenTTL, WebhookURL: p.cfg.ZalosimWebhookURL, Seed: 1,
	})
}

// serve runs an HTTP server until ctx ends, then drains it.
func (p *process) serve(ctx context.Context, name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	p.log.Info("listening", "server", name, "addr", ln.Addr().String())
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

func (p *process) runWorkspace(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: tingting workspace create --name NAME")
	}
	fs := flag.NewFlagSet("workspace create", flag.ContinueOnError)
	name := fs.String("name", "", "the workspace's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("usage: tingting workspace create --name NAME")
	}
	pool, err := p.openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	ws, key, err := apikey.CreateWorkspace(ctx, pool, strings.TrimSpace(*name))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Workspace %q created (id %s). Its API key, shown only now:\n%s\n", ws.Name, ws.ID, key)
	return nil
}

func printEnv(w io.Writer) error {
	for _, v := range config.Vars {
		fmt.Fprintf(w, "%-24s %s (default %q)\n", v.Name, v.Doc, v.Default)
	}
	return nil
}
