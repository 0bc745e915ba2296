package bench_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// TestBenchmark runs tiny benchmarks end to end, as `tingting-dev bench`
// would with the same flags, on each Temporal flavour: every mode must
// deliver every message exactly once, and the JSON report must say so.
func TestBenchmark(t *testing.T) {
	testenv.SkipShort(t, "stacks of processes, a minute or two (and building temporal-server, the first time)")
	ctx := context.Background()
	built := binaries(t)

	for _, tc := range []struct {
		name, flavour string
		args          []string
	}{
		{"steady", bench.FlavourDevServer, []string{"-n", "30", "-rate", "10"}},
		{"burst", bench.FlavourDevServer, []string{"-burst", "30", "-send-rate", "30", "-direct=false"}},
		{"as fast as accepted on postgres", bench.FlavourPostgres, []string{"-n", "30", "-rate", "0", "-direct=false", "-temporal", "postgres"}},
		{"shops", bench.FlavourDevServer, []string{"-shops", "3", "-noisy-shop", "4", "-noisy-recipients", "5", "-duration", "3s", "-send-rate", "30"}},
		{"a quiet recipient", bench.FlavourDevServer, []string{"-n", "30", "-rate", "10", "-quiet", "0.34", "-direct=false"}},
		{"a quiet recipient, without the tracking", bench.FlavourDevServer,
			[]string{"-n", "30", "-rate", "10", "-quiet", "0.34", "-direct=false", "-env", "ZALO_CS_WINDOW=87600h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jsonPath := filepath.Join(t.TempDir(), "bench.json")
			opts, err := bench.ParseOptions(append(tc.args, "-json", jsonPath), io.Discard)
			require.NoError(t, err)
			stack := built
			stack.DatabaseURL, stack.Dir = testenv.DatabaseURL(t), t.TempDir()
			if tc.flavour == bench.FlavourPostgres {
				stack.Server, err = bench.PostgresTemporal(ctx, stack.DatabaseURL, os.Stderr)
			} else {
				stack.TemporalCLI, err = devtemporal.Binary(ctx, os.Stderr)
			}
			require.NoError(t, err)

			var out strings.Builder
			err = bench.Benchmark(ctx, opts.Config(stack), &out)
			t.Log(out.String())
			if !assert.NoError(t, err) {
				logTails(t, stack.Dir)
				return
			}
			var rep bench.JSONReport
			b, err := os.ReadFile(jsonPath)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &rep))
			assert.Equal(t, tc.flavour, rep.Machine.Temporal)
			assert.NotEmpty(t, rep.Machine.TemporalServer)
			if opts.Shops > 0 {
				require.Len(t, rep.Modes, 1, "tingting alone: the baselines have no shops")
				m := rep.Modes["tingting"]
				assert.Zero(t, m.Missing)
				assert.Zero(t, m.Duplicates)
				require.Len(t, m.Shops, 3)
				assert.True(t, m.Shops[0].Noisy)
				assert.Equal(t, 12, m.Shops[0].Transactions, "4 a second for 3 s")
				for _, quiet := range m.Shops[1:] {
					assert.False(t, quiet.Noisy)
					assert.Equal(t, 3, quiet.Transactions)
					assert.Positive(t, quiet.FreshP99)
				}
				assert.Equal(t, 12*5+2*3*3, m.Messages, "each shop's transactions to each of its recipients")
				return
			}
			modes := []string{"floor", "tingting"}
			if opts.Direct {
				modes = append(modes, "direct")
			}
			require.Len(t, rep.Modes, len(modes))
			for _, mode := range modes {
				m := rep.Modes[mode]
				assert.Zero(t, m.Missing, mode)
				assert.Zero(t, m.Duplicates, mode)
				assert.Equal(t, 3*m.Transactions, m.Messages, "%s: 1 integration × 3 recipients", mode)
				assert.Positive(t, m.P50, mode)
				if mode != "direct" { // the direct call has no Temporal in it
					assert.Positive(t, m.CPUPerTx["temporal"], mode)
				}
			}
			assert.Positive(t, rep.Modes["floor"].CPUPerTx["floor"], "the floor's own process is measured")
			if opts.Quiet > 0 {
				// One recipient of three is quiet: a template message for
				// each of theirs, chat for the others' and for each refusal.
				m := rep.Modes["tingting"]
				require.NotNil(t, m.ZaloCallsPerMessage)
				refused := m.ZaloRefused["-230"]
				assert.Equal(t, m.Transactions, m.ZaloCalls["template"])
				assert.Zero(t, m.ZaloCalls["transaction"], "Zalo switched the transaction message off")
				assert.Equal(t, 2*m.Transactions+refused, m.ZaloCalls["cs"])
				if len(opts.Env) > 0 {
					assert.Positive(t, refused, "tingting believed the quiet one within the chat window until Zalo said no")
				} else {
					assert.Zero(t, refused, "tracked: chat only to those who interacted")
					assert.Equal(t, 1.0, *m.ZaloCallsPerMessage)
				}
			}
			if opts.Burst > 0 {
				for _, mode := range modes {
					m := rep.Modes[mode]
					require.NotNil(t, m.IngestPerSecond, mode)
					assert.Positive(t, *m.IngestPerSecond, mode)
					require.NotNil(t, m.FreshP99, mode)
					assert.Positive(t, *m.FreshP99, mode)
					assert.Greater(t, m.Transactions, 30, "%s: fresh transactions during the drain", mode)
				}
			}
		})
	}
}
