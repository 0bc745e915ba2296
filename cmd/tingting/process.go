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
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// process holds what every command shares: configuration and a logger.
type process struct {
	cfg config.Config
	log *slog.Logger
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
	return &process{cfg: cfg, log: slog.New(h)}, nil
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
	if name == "api" {
		return p.serveAPI(ctx, pool, tc)
	}
	return p.runWorker(ctx, pool, tc)
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
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", p.cfg.TemporalAddress, err)
	}
	return c, nil
}

func (p *process) serveAPI(ctx context.Context, pool *pgxpool.Pool, tc client.Client) error {
	return p.serve(ctx, "api", p.cfg.HTTPAddr, api.New(api.Deps{Pool: pool, Temporal: tc, Log: p.log}))
}

func (p *process) runWorker(ctx context.Context, pool *pgxpool.Pool, tc client.Client) error {
	w := worker.New(tc, &activities.Activities{
		Pool: pool,
		Zalo: zalo.NewClient(zalo.Config{
			OAuthURL: p.cfg.ZaloOAuthURL, GraphURL: p.cfg.ZaloGraphURL, OpenAPIURL: p.cfg.ZaloOpenAPIURL,
			AppID: p.cfg.ZaloAppID, AppSecret: p.cfg.ZaloAppSecret,
		}),
		Tokens: activities.StaticToken(p.cfg.ZaloOAAccessToken),
		Log:    p.log,
		Now:    time.Now,
	})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	p.log.Info("worker started")
	<-ctx.Done()
	w.Stop()
	return nil
}

func (p *process) sandbox() *zalosim.Sim {
	return zalosim.New(zalosim.Config{
		AppID: p.cfg.ZaloAppID, AppSecret: p.cfg.ZaloAppSecret,
		OAAccessToken: p.cfg.ZaloOAAccessToken, Seed: 1,
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
