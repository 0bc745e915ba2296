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

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/zalosim"
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
	getenv = overlay(getenv, map[string]string{
		"ZALO_OAUTH_URL":          sandboxURL,
		"ZALO_GRAPH_URL":          sandboxURL,
		"ZALO_OPENAPI_URL":        sandboxURL,
		"ZALO_ZNS_URL":            sandboxURL,
		"CASSO_API_URL":           sandboxURL,
		"ZALO_APP_ID":             "1234567890123456789",
		"ZALO_APP_SECRET":         randomHex(16),
		"ZALO_OA_SECRET_KEY":      randomHex(16),
		"ZALO_OA_ACCESS_TOKEN":    randomHex(32),
		"ZALO_OA_REFRESH_TOKEN":   randomHex(32),
		"ZALO_OA_CODE_VERIFIER":   zalosim.DefaultOACodeVerifier,
		"TINGTING_ENCRYPTION_KEY": key,
		"LOG_FORMAT":              "text",
		"SIGNUP":                  "open",
	})
	// The consent link is the sandbox console's, made of settings the
	// product reads too (its app id, its public URL).
	c, err := config.Load(getenv)
	if err != nil {
		return err
	}
	consentURL := zalosim.ConsentURL(sandboxURL, oaConsole(c, getenv))
	getenv = overlay(getenv, map[string]string{"ZALO_OA_CONSENT_URL": consentURL})
	a, err := app.New(getenv, stderr)
	if err != nil {
		return err
	}

	pool, err := devDatabase(ctx, a)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The sandbox starts afresh every run, with the pair made up above; a
	// pair left from the last run would be unknown to it.
	tokens, err := a.OATokens(pool)
	if err != nil {
		return err
	}
	if err := a.StoreConfiguredToken(ctx, tokens, true); err != nil {
		return err
	}

	tc, stopTemporal, err := devTemporal(ctx, a, dataDir, stdout)
	if err != nil {
		return err
	}
	defer stopTemporal()
	defer tc.Close()

	sim, sandboxAddr, err := sandbox(a, getenv)
	if err != nil {
		return err
	}
	defer sim.Close()
	demo, err := seedDemo(ctx, pool, sim)
	if err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Serve(gctx, "zalosim", sandboxAddr, sim) })
	g.Go(func() error { return a.ServeAPI(gctx, pool, tc) })
	g.Go(func() error { return a.RunWorker(gctx, pool, tc) })
	g.Go(func() error { return a.Serve(gctx, "metrics", a.Config.MetricsAddr, a.OpsHandler()) })
	go func() {
		if err := a.SyncFollowers(gctx, tc); err != nil && gctx.Err() == nil {
			a.Log.Warn("follower sync failed", "error", err)
		}
	}()
	printBanner(stdout, a.Config, sandboxURL, consentURL, demo)
	go func() {
		feeds, err := seedFeeds(gctx, "http://"+loopback(a.Config.HTTPAddr), demo.apiKey, sandboxURL, sim)
		if err != nil {
			if gctx.Err() == nil {
				a.Log.Warn("seeding the demo's bank feeds failed", "error", err)
			}
			return
		}
		printFeeds(stdout, sandboxURL, feeds)
	}()
	err = g.Wait()
	fmt.Fprintln(stdout, "tingting dev stopped.")
	return err
}

// devDatabase creates and migrates the database, turning "nothing listens"
// into one sentence on how to start Postgres.
func devDatabase(ctx context.Context, a *app.App) (*db.Pool, error) {
	err := db.CreateDatabaseIfMissing(ctx, a.Config.DatabaseURL)
	if errors.Is(err, db.ErrUnreachable) {
		return nil, fmt.Errorf("%w: start it (Debian: `sudo pg_ctlcluster 15 main start`; Docker: "+
			"`docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=postgres postgres:16`) or point DATABASE_URL at yours", err)
	}
	if err != nil {
		return nil, fmt.Errorf("preparing the database: %w", err)
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, pool, a.Log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// devTemporal uses a Temporal server already answering at TEMPORAL_ADDRESS,
// or starts the dev server (web UI on :8233, state in .data/temporal.db).
func devTemporal(ctx context.Context, a *app.App, dataDir string, stdout io.Writer) (client.Client, func(), error) {
	probeCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if tc, err := a.DialTemporal(probeCtx); err == nil {
		fmt.Fprintf(stdout, "Using the Temporal server already running at %s.\n", a.Config.TemporalAddress)
		return tc, func() {}, nil
	}
	bin, err := devtemporal.Binary(ctx, stdout)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintln(stdout, "Starting the Temporal dev server…")
	srv, err := devtemporal.Start(ctx, devtemporal.Options{
		Binary:    bin,
		HostPort:  loopback(a.Config.TemporalAddress),
		Namespace: a.Config.TemporalNamespace,
		UIPort:    "8233",
		DBFile:    filepath.Join(dataDir, "temporal.db"),
		Logger:    tlog.NewStructuredLogger(a.Log.With("component", "temporal")),
		Output:    os.Stderr,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("starting the Temporal dev server: %w", err)
	}
	tc, err := a.DialTemporal(ctx)
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

// loopback turns ":8080" into "127.0.0.1:8080" for URLs and dialing.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}
