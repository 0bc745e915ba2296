package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/devtemporal"
)

// runDev runs the whole product on this machine: the Temporal dev server as
// a child process, the Zalo sandbox, migrations, the API and the worker,
// then seeds a demo workspace and prints how to use it.
func runDev(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	dataDir := ".data"
	if root, err := devtemporal.RepoRoot(); err == nil {
		dataDir = filepath.Join(root, ".data")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	key, err := devEncryptionKey(filepath.Join(dataDir, "encryption.key"))
	if err != nil {
		return err
	}
	sandboxURL := "http://" + loopback(withDefault(getenv("ZALOSIM_ADDR"), ":8090"))
	p, err := newProcess(overlay(getenv, map[string]string{
		"ZALO_OAUTH_URL":          sandboxURL,
		"ZALO_GRAPH_URL":          sandboxURL,
		"ZALO_OPENAPI_URL":        sandboxURL,
		"ZALO_APP_ID":             "1234567890123456789",
		"ZALO_APP_SECRET":         randomHex(16),
		"ZALO_OA_SECRET_KEY":      randomHex(16),
		"ZALO_OA_ACCESS_TOKEN":    randomHex(32),
		"ZALO_OA_REFRESH_TOKEN":   randomHex(32),
		"TINGTING_ENCRYPTION_KEY": key,
		"LOG_FORMAT":              "text",
	}), stderr)
	if err != nil {
		return err
	}

	pool, err := p.devDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The sandbox starts afresh every run, with the pair made up above; a
	// pair left from the last run would be unknown to it.
	tokens, err := p.oaTokens(pool)
	if err != nil {
		return err
	}
	if err := p.storeConfiguredToken(ctx, tokens, true); err != nil {
		return err
	}

	tc, stopTemporal, err := p.devTemporal(ctx, dataDir, stdout)
	if err != nil {
		return err
	}
	defer stopTemporal()
	defer tc.Close()

	sim := p.sandbox()
	demo, err := seedDemo(ctx, pool, sim)
	if err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.serve(gctx, "zalosim", p.cfg.ZalosimAddr, sim) })
	g.Go(func() error { return p.serveAPI(gctx, pool, tc) })
	g.Go(func() error { return p.runWorker(gctx, pool, tc) })
	go func() {
		if err := p.syncFollowers(gctx, tc); err != nil && gctx.Err() == nil {
			p.log.Warn("follower sync failed", "error", err)
		}
	}()
	printBanner(stdout, p.cfg, sandboxURL, demo)
	err = g.Wait()
	fmt.Fprintln(stdout, "tingting dev stopped.")
	return err
}

// devDatabase creates and migrates the database, turning "nothing listens"
// into one sentence on how to start Postgres.
func (p *process) devDatabase(ctx context.Context) (*pgxpool.Pool, error) {
	err := db.CreateDatabaseIfMissing(ctx, p.cfg.DatabaseURL)
	if errors.Is(err, db.ErrUnreachable) {
		return nil, fmt.Errorf("%w: start it (Debian: `sudo pg_ctlcluster 15 main start`; Docker: "+
			"`docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=postgres postgres:16`) or point DATABASE_URL at yours", err)
	}
	if err != nil {
		return nil, fmt.Errorf("preparing the database: %w", err)
	}
	pool, err := p.openDB(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, pool, p.log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// devTemporal uses a Temporal server already answering at TEMPORAL_ADDRESS,
// or starts the dev server (web UI on :8233, state in .data/temporal.db).
func (p *process) devTemporal(ctx context.Context, dataDir string, stdout io.Writer) (client.Client, func(), error) {
	probeCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if tc, err := p.dialTemporal(probeCtx); err == nil {
		fmt.Fprintf(stdout, "Using the Temporal server already running at %s.\n", p.cfg.TemporalAddress)
		return tc, func() {}, nil
	}
	bin, err := devtemporal.Binary(ctx, stdout)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintln(stdout, "Starting the Temporal dev server…")
	srv, err := devtemporal.Start(ctx, devtemporal.Options{
		Binary:    bin,
		HostPort:  loopback(p.cfg.TemporalAddress),
		Namespace: p.cfg.TemporalNamespace,
		UIPort:    "8233",
		DBFile:    filepath.Join(dataDir, "temporal.db"),
		Logger:    tlog.NewStructuredLogger(p.log.With("component", "temporal")),
		Output:    os.Stderr,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("starting the Temporal dev server: %w", err)
	}
	tc, err := p.dialTemporal(ctx)
	if err != nil {
		_ = srv.Stop()
		return nil, nil, err
	}
	return tc, func() { _ = srv.Stop() }, nil
}

// devEncryptionKey reads the dev key, making it on first use, so secrets
// stored by one dev run can be read by the next.
func devEncryptionKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	key := base64.StdEncoding.EncodeToString(raw)
	return key, os.WriteFile(path, []byte(key), 0o600)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// overlay gives getenv's values, or the dev default where getenv has none.
func overlay(getenv func(string) string, defaults map[string]string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return defaults[k]
	}
}

func withDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// loopback turns ":8080" into "127.0.0.1:8080" for URLs and dialing.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}
