package bench_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// binaries builds the product's and the harness's commands for a stack.
func binaries(t *testing.T) bench.StackConfig {
	dir := t.TempDir()
	stack := bench.StackConfig{Binary: filepath.Join(dir, "tingting"), DevBinary: filepath.Join(dir, "tingting-dev")}
	for path, pkg := range map[string]string{stack.Binary: "./cmd/tingting", stack.DevBinary: "./cmd/tingting-dev"} {
		build := exec.Command("go", "build", "-o", path, pkg)
		build.Dir = "../.."
		out, err := build.CombinedOutput()
		require.NoError(t, err, "building %s: %s", pkg, out)
	}
	return stack
}

// prepare starts a stack of the binaries on a fresh database, with one
// integration of three recipients behind a sandbox answering in 50 ms: one
// API and one worker on the dev server, or (replicas > 1) that many of
// each on the PostgreSQL-backed Temporal server.
func prepare(t *testing.T, stack bench.StackConfig, replicas int) *bench.Env {
	ctx := context.Background()
	stack.DatabaseURL, stack.Dir, stack.Replicas = testenv.DatabaseURL(t), t.TempDir(), replicas
	if keep := os.Getenv("CHAOS_DIR"); keep != "" { // the processes' logs outlive the run
		stack.Dir = filepath.Join(keep, fmt.Sprintf("replicas-%d", replicas))
		require.NoError(t, os.MkdirAll(stack.Dir, 0o755))
	}
	var err error
	if replicas > 1 {
		stack.Server, err = bench.PostgresTemporal(ctx, stack.DatabaseURL, os.Stderr)
	} else {
		stack.TemporalCLI, err = devtemporal.Binary(ctx, os.Stderr)
	}
	require.NoError(t, err)
	env, err := bench.Prepare(ctx, bench.Config{Stack: stack, Integrations: 1, Recipients: 3, Latency: 50 * time.Millisecond})
	if err != nil {
		logTails(t, stack.Dir)
	}
	require.NoError(t, err)
	t.Cleanup(env.Close)
	t.Cleanup(func() {
		if t.Failed() {
			logTails(t, stack.Dir)
		}
	})
	return env
}

// logTails shows the end of each process's log in dir.
func logTails(t *testing.T, dir string) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, path := range logs {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("--- %s (last lines)\n%s", filepath.Base(path), strings.Join(lines[max(0, len(lines)-20):], "\n"))
	}
}
