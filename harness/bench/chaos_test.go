package bench_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// TestChaos runs tingting as separate processes under load and breaks
// each part in turn. Every (transaction, recipient) must get exactly one
// message. By default it is the short
// form CI runs; CHAOS=full (make chaos) is the full one of
// docs/RELIABILITY.md, CHAOS_REPORT=file writes its report there, and
// CHAOS_DIR=dir keeps the processes' logs there.
func TestChaos(t *testing.T) {
	testenv.SkipShort(t, "minutes, and a stack of processes")
	load := bench.Load{Transactions: 150, Rate: 15, Patience: 2 * time.Minute}
	outage, readBack := 5*time.Second, 20*time.Second
	if os.Getenv("CHAOS") == "full" {
		load = bench.Load{Transactions: 1800, Rate: 30, Patience: 5 * time.Minute}
		outage, readBack = time.Minute, time.Minute
	}
	ctx := context.Background()
	dir := t.TempDir()
	if keep := os.Getenv("CHAOS_DIR"); keep != "" {
		dir = keep // the processes' logs outlive the run
	}
	bin, devBin := filepath.Join(dir, "tingting"), filepath.Join(dir, "tingting-dev")
	for path, pkg := range map[string]string{bin: "./cmd/tingting", devBin: "./cmd/tingting-dev"} {
		build := exec.Command("go", "build", "-o", path, pkg)
		build.Dir = "../.."
		out, err := build.CombinedOutput()
		require.NoError(t, err, "building %s: %s", pkg, out)
	}
	cli, err := devtemporal.Binary(ctx, os.Stderr)
	require.NoError(t, err)

	env, err := bench.Prepare(ctx, bench.Config{
		Stack: bench.StackConfig{Binary: bin, DevBinary: devBin, TemporalCLI: cli, DatabaseURL: testenv.DatabaseURL(t), Dir: dir,
			// Casso is read back every readBack: a webhook it never
			// delivers reaches the inbox within that.
			Env: []string{"CASSO_READ_BACK_EVERY=" + readBack.String()}},
		Integrations: 1, Recipients: 3, Latency: 50 * time.Millisecond,
	})
	require.NoError(t, err)
	t.Cleanup(env.Close)

	var results []bench.ChaosResult
	for _, f := range bench.Faults(outage) {
		t.Run(f.Name, func(t *testing.T) {
			c, err := env.Chaos(ctx, f, load)
			if err != nil {
				logTails(t, dir)
				t.Fatal(err)
			}
			results = append(results, c)
			r := c.Result
			assert.Zero(t, r.Missing, "every (transaction, recipient) gets a message")
			assert.Empty(t, r.Duplicates, "no message twice, a worker killed mid-send included")
			assert.Zero(t, r.PostErrors, "every post is accepted, retried if need be")
			if f.NoRetry {
				assert.Zero(t, r.Retries, "every post is accepted the first time: the API hides this fault")
			}
			assert.NoError(t, c.Checked)
			if t.Failed() {
				logTails(t, dir)
			}
		})
	}
	var report strings.Builder
	bench.WriteChaosReport(&report, load, results)
	t.Log(report.String())
	if path := os.Getenv("CHAOS_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(report.String()), 0o644))
	}
}

// logTails shows the end of each process's log.
func logTails(t *testing.T, dir string) {
	for _, name := range []string{"api", "worker", "zalosim", "temporal"} {
		b, _ := os.ReadFile(filepath.Join(dir, name+".log"))
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("--- %s.log (last lines)\n%s", name, strings.Join(lines[max(0, len(lines)-20):], "\n"))
	}
}
