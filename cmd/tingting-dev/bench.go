package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/internal/config"
)

// runBench is `tingting-dev bench`: it starts its own stack of separate
// processes (the product's binary as api and worker, this one as zalosim
// and as the floor, plus a Temporal server) against a fresh database, and
// prints a report (docs/BENCHMARKS.md). `tingting-dev bench floor` is the
// floor's process, which the bench starts.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "floor" {
		return bench.RunFloor(ctx, args[1:], getenv, stderr)
	}
	opts, err := bench.ParseOptions(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if opts.Database == "" {
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			return err
		}
		u.Path = "/tingting_bench"
		opts.Database = u.String()
	}
	if err := bench.FreshDatabase(ctx, opts.Database); err != nil {
		return fmt.Errorf("preparing the bench database: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if opts.Binary == "" {
		opts.Binary = filepath.Join(filepath.Dir(self), "tingting")
	}
	if _, err := os.Stat(opts.Binary); err != nil {
		return fmt.Errorf("bench: the product's binary: %w (build it with make bench, or pass -binary)", err)
	}
	stack := bench.StackConfig{Binary: opts.Binary, DevBinary: self, DatabaseURL: opts.Database}
	if opts.Temporal == bench.FlavourPostgres {
		if stack.Server, err = bench.PostgresTemporal(ctx, opts.Database, stderr); err != nil {
			return err
		}
	} else if stack.TemporalCLI, err = devtemporal.Binary(ctx, stderr); err != nil {
		return err
	}
	root, err := devtemporal.RepoRoot()
	if err != nil {
		root = os.TempDir()
	}
	stack.Dir = filepath.Join(root, ".data", "bench", time.Now().Format("20060102-150405"))
	if err := os.MkdirAll(stack.Dir, 0o700); err != nil {
		return err
	}
	if opts.Profile != "" {
		if err := os.MkdirAll(opts.Profile, 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "bench: logs in %s\n", stack.Dir)
	return bench.Benchmark(ctx, opts.Config(stack), stdout)
}
