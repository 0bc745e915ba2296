package bench_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// TestChaos runs tingting as separate processes under load and breaks
// each part in turn, in two modes: one API and one worker on the dev
// server, and two of each behind a balancer on the PostgreSQL-backed
// Temporal server. Every (transaction, recipient) must get exactly one
// message. By default it is the short form CI runs; CHAOS=full (make
// chaos) is the full one of docs/RELIABILITY.md, CHAOS_REPORT=file
// writes its report there, and CHAOS_DIR=dir keeps the processes' logs
// there.
func TestChaos(t *testing.T) {
	testenv.SkipShort(t, "minutes, and stacks of processes")
	full := os.Getenv("CHAOS") == "full"
	outage, readBack := 5*time.Second, 20*time.Second
	if full {
		outage, readBack = time.Minute, time.Minute
	}
	stack := binaries(t)
	// Casso is read back every readBack: a webhook it never delivers
	// reaches the inbox within that.
	stack.Env = []string{"CASSO_READ_BACK_EVERY=" + readBack.String()}
	var report strings.Builder
	for _, mode := range []struct {
		name     string
		replicas int
		load     bench.Load
		faults   []bench.Fault
	}{
		{"one API and one worker on the dev server", 1, bench.Load{Transactions: 150, Rate: 15, Patience: 2 * time.Minute}, bench.Faults(outage)},
		{"two APIs and two workers on the PostgreSQL-backed server", 2, bench.Load{Transactions: 300, Rate: 15, Patience: 2 * time.Minute},
			bench.ReplicaFaults(outage)},
	} {
		t.Run(mode.name, func(t *testing.T) {
			if full {
				mode.load = bench.Load{Transactions: 1800, Rate: 30, Patience: 5 * time.Minute}
			}
			env := prepare(t, stack, mode.replicas)
			var results []bench.ChaosResult
			for _, f := range mode.faults {
				t.Run(f.Name, func(t *testing.T) {
					c, err := env.Chaos(context.Background(), f, mode.load)
					require.NoError(t, err)
					results = append(results, c)
					r := c.Result
					assert.Zero(t, r.Missing, "every (transaction, recipient) gets a message")
					assert.Empty(t, r.Duplicates, "no message twice, a worker killed mid-send included")
					assert.Zero(t, r.PostErrors, "every post is accepted, retried if need be")
					if f.NoRetry {
						assert.Zero(t, r.Retries, "every post is accepted the first time: the API hides this fault")
					}
					assert.NoError(t, c.Checked)
				})
			}
			bench.WriteChaosReport(&report, mode.name, mode.load, results)
		})
	}
	t.Log(report.String())
	if path := os.Getenv("CHAOS_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(report.String()), 0o644))
	}
}
