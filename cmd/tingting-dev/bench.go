package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tingting-vn/tingting/internal/bench"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/internal/devtemporal"
)

// runBench is `tingting-dev bench`: it starts its own stack of separate
// processes (the product's binary as api and worker, this one as zalosim,
// plus a Temporal dev server) against a fresh database, and prints a
// report.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 3000, "transactions to post")
	rate := fs.Float64("rate", 100, "transactions per second")
	k := fs.Int("integrations", 1, "integrations on the bank account (K)")
	m := fs.Int("recipients", 3, "recipients per integration, the owner included (M)")
	latency := fs.Duration("latency", 50*time.Millisecond, "how long the sandbox takes to answer each Zalo call")
	direct := fs.Bool("direct", true, "first run the direct baseline (ingest handler → sandbox, no Temporal, no database)")
	product := fs.String("binary", "", "the product's binary (cmd/tingting); default: tingting next to this one")
	profile := fs.String("profile", "", "write CPU profiles of the API and the worker during the run to this directory")
	database := fs.String("database", "", "PostgreSQL URL of the database to (re)create; default: DATABASE_URL's server, database tingting_bench")
	var temporalArgs, env multiFlag
	fs.Var(&temporalArgs, "temporal-arg", "an extra `temporal server start-dev` flag (repeatable), e.g. --sqlite-pragma=journal_mode=wal")
	fs.Var(&env, "env", "NAME=value for the API and worker (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *rate <= 0 || *k < 1 || *m < 1 {
		return fmt.Errorf("bench: -n, -rate, -integrations and -recipients must be positive")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if *database == "" {
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			return err
		}
		u.Path = "/tingting_bench"
		*database = u.String()
	}
	if err := bench.FreshDatabase(ctx, *database); err != nil {
		return fmt.Errorf("preparing the bench database: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if *product == "" {
		*product = filepath.Join(filepath.Dir(self), "tingting")
	}
	if _, err := os.Stat(*product); err != nil {
		return fmt.Errorf("bench: the product's binary: %w (build it with make bench, or pass -binary)", err)
	}
	cli, err := devtemporal.Binary(ctx, stderr)
	if err != nil {
		return err
	}
	root, err := devtemporal.RepoRoot()
	if err != nil {
		root = os.TempDir()
	}
	dir := filepath.Join(root, ".data", "bench", time.Now().Format("20060102-150405"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "bench: logs in %s\n", dir)
	return bench.Benchmark(ctx, bench.Config{
		Stack:        bench.StackConfig{Binary: *product, DevBinary: self, TemporalCLI: cli, DatabaseURL: *database, Dir: dir, TemporalArgs: temporalArgs, Env: env},
		Integrations: *k, Recipients: *m, Latency: *latency, Direct: *direct, ProfileDir: *profile,
		Load: bench.Load{Transactions: *n, Rate: *rate, Copies: 1, Patience: 3 * time.Minute},
	}, stdout)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (f *multiFlag) String() string     { return fmt.Sprint(*f) }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }
