// Package devtemporal finds (or builds, from tools/go.mod) the temporal CLI
// and starts its dev server, for `tingting dev` and for tests. Nothing is
// ever downloaded at run time.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// Binary returns a temporal CLI: $TEMPORAL_CLI, then .data/bin/temporal in
// the repository, then `temporal` on PATH; failing all three it builds the
// pinned version from tools/go.mod into .data/bin, saying so on w.
func Binary(ctx context.Context, w io.Writer) (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		if p, perr := exec.LookPath("temporal"); perr == nil {
			return p, nil
		}
		return "", err
	}
	built := filepath.Join(root, ".data", "bin", "temporal")
	if _, err := os.Stat(built); err == nil {
		return built, nil
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return Build(ctx, w, root, "temporal", "github.com/temporalio/cli/cmd/temporal")
}

// Build returns .data/bin/name, building it from pkg at the version
// tools/go.mod pins if it is not there yet, saying so on w.
func Build(ctx context.Context, w io.Writer, root, name, pkg string) (string, error) {
	built := filepath.Join(root, ".data", "bin", name)
	if _, err := os.Stat(built); err == nil {
		return built, nil
	}
	fmt.Fprintf(w, "No %s in .data/bin: building it from tools/go.mod (make tools does it too; a few minutes)…\n", name)
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(built), 0o755); err != nil {
		return "", err
	}
	// Build under a temporary name and rename, so a concurrent caller never
	// runs a half-written binary.
	tmp := built + fmt.Sprintf(".tmp%d", os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-modfile=tools/go.mod", "-o", tmp, pkg)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %w", name, err)
	}
	if err := os.Rename(tmp, built); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "Built %s in %s.\n", built, time.Since(start).Round(time.Second))
	return built, nil
}

// RepoRoot walks up from the working directory to the folder holding
// tools/go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "tools", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the tingting repository (no tools/go.mod above the working directory)")
		}
		dir = parent
	}
}

// Options configures a dev server.
type Options struct {
	Binary    string
	HostPort  string // "" picks a free port
	Namespace string
	UIPort    string // "" runs headless
	DBFile    string // "" keeps everything in memory
	Logger    log.Logger
	Output    io.Writer // the server's own output; nil discards it
	ExtraArgs []string  // more `start-dev` flags, e.g. --sqlite-pragma
}

// tuning is deploy/temporal/dynamicconfig.yaml's, for the dev server
// (each measured in docs/BENCHMARKS.md): activities handed to the worker in
// the answer to its workflow task instead of through a poll, one task
// queue partition, as there is one worker, the task matcher that honours
// priorities (fresh alerts before a backlog), and fairness between the
// shops within each priority.
var tuning = []string{
	"--dynamic-config-value", "system.enableActivityEagerExecution=true",
	"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
	"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
	"--dynamic-config-value", "matching.useNewMatcher=true",
	"--dynamic-config-value", "matching.enableFairness=true",
}

// fileTuning is for a server with a database file: SQLite's write-ahead log,
// synced at checkpoints rather than at every commit. A crash of the machine
// (not of the process) can lose the last moments; this is a dev server.
var fileTuning = []string{"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"}

// waitFree waits until nothing listens on addr. A server started on a taken
// port exits at once, and the SDK then dials whatever holds the port (a
// server left over from an earlier run, say) and takes it for its own; a
// restart on the same port may also come while the old process is still
// letting go of it.
func waitFree(ctx context.Context, addr string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the Temporal dev server's port %s is still taken after %s: %w", addr, limit, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Start runs `temporal server start-dev` as a child process with tingting's
// search attributes registered, and returns once it answers.
func Start(ctx context.Context, o Options) (*testsuite.DevServer, error) {
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	args := append([]string{}, tuning...)
	if o.DBFile != "" {
		args = append(args, fileTuning...)
	}
	if o.Logger == nil {
		o.Logger = log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	}
	if o.HostPort != "" {
		if err := waitFree(ctx, o.HostPort, 30*time.Second); err != nil {
			return nil, err
		}
	}
	return testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     o.Binary,
		ClientOptions:    &client.Options{HostPort: o.HostPort, Namespace: o.Namespace, Logger: o.Logger},
		DBFilename:       o.DBFile,
		EnableUI:         o.UIPort != "",
		UIPort:           o.UIPort,
		LogLevel:         "warn",
		SearchAttributes: contract.SearchAttributes(),
		Stdout:           out,
		Stderr:           out,
		ExtraArgs:        append(args, o.ExtraArgs...),
	})
}
