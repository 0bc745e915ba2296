package bench_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/bench"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// TestSoak runs the soak on two APIs and two workers on the
// PostgreSQL-backed Temporal server: by default for 40 s, sampled every
// 5 s, so the harness itself is exercised; SOAK=full (make soak) for the
// hour of docs/RELIABILITY.md, where the targets must be met, and
// SOAK_REPORT=file writes its report there. SOAK_DURATION shortens (or
// lengthens) the full run; its baseline stays a sixth of the way in.
func TestSoak(t *testing.T) {
	testenv.SkipShort(t, "a stack of processes for a minute (SOAK=full: an hour)")
	cfg := bench.SoakConfig{Duration: 40 * time.Second, Rate: 20, VisitEvery: 2 * time.Second, Sample: 5 * time.Second, Baseline: 10 * time.Second}
	full := os.Getenv("SOAK") == "full"
	if full {
		d := time.Hour
		if v := os.Getenv("SOAK_DURATION"); v != "" {
			var err error
			d, err = time.ParseDuration(v)
			require.NoError(t, err, "SOAK_DURATION")
			require.GreaterOrEqual(t, d, 6*time.Minute, "SOAK_DURATION: a sample a minute, at least five after the baseline")
		}
		cfg = bench.SoakConfig{Duration: d, Rate: 20, VisitEvery: 5 * time.Second, Sample: time.Minute, Baseline: (d / 6).Round(time.Minute)}
	}
	cfg.OnSample = func(s bench.SoakSample) {
		var procs []string
		for name, p := range s.Procs {
			procs = append(procs, fmt.Sprintf("%s %d MiB, %d goroutines, %d connections", name, p.RSS/1024, p.Goroutines, p.Conns))
		}
		slices.Sort(procs)
		t.Logf("%s: outbox %d; %s", s.At.Round(time.Second), s.Outbox, strings.Join(procs, "; "))
	}
	env := prepare(t, binaries(t), 2)
	ctx := context.Background()
	res, err := env.Soak(ctx, cfg)
	require.NoError(t, err)

	var report strings.Builder
	bench.WriteSoakReport(&report, env.Machine(ctx), 2, res)
	t.Log(report.String())
	if path := os.Getenv("SOAK_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(report.String()), 0o644))
	}

	r := res.Result
	assert.Zero(t, r.Missing, "every (transaction, recipient) gets a message")
	assert.Empty(t, r.Duplicates)
	assert.Zero(t, r.PostErrors)
	assert.Positive(t, res.Visitors)
	assert.NoError(t, res.Visited, "every visitor answered once")
	assert.Zero(t, res.Final.Outbox, "the outbox is empty at the end")
	assert.Zero(t, res.Final.Parked)
	require.GreaterOrEqual(t, len(res.Samples), int(cfg.Duration/cfg.Sample), "a sample every %s", cfg.Sample)
	assert.Equal(t, []string{"api", "api-2", "worker", "worker-2"}, res.Judged)
	for _, s := range res.Samples {
		for _, name := range res.Judged {
			p := s.Procs[name]
			assert.Positive(t, p.RSS, "%s's RSS at %s", name, s.At)
			assert.Positive(t, p.Goroutines, "%s's goroutines at %s", name, s.At)
			assert.Positive(t, p.Conns, "%s's PostgreSQL connections at %s", name, s.At)
		}
		assert.Positive(t, s.Procs["temporal"].Conns, "Temporal's connections to its databases")
	}
	for _, name := range res.Judged {
		assert.Contains(t, report.String(), "| "+name+" |")
	}
	if full {
		assert.Empty(t, res.Failures(), "the soak's targets")
	}
}

func TestTrendFitsTheLineFromTheBaseline(t *testing.T) {
	minutes := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, m := range ms {
			out[i] = time.Duration(m) * time.Minute
		}
		return out
	}
	for _, tc := range []struct {
		name               string
		at                 []time.Duration
		y                  []float64
		perHour, deviation float64
		drift              float64
		flat               bool
	}{
		{"steady", minutes(10, 20, 30, 40, 50, 60), []float64{100, 100, 100, 100, 100, 100}, 0, 0, 0, true},
		// One more every 10 minutes: 6 an hour, 5 over the 50 minutes.
		{"a slow leak", minutes(10, 20, 30, 40, 50, 60), []float64{100, 101, 102, 103, 104, 105}, 6, 0.05, 5, true},
		{"a leak", minutes(10, 20, 30, 40, 50, 60), []float64{100, 103, 106, 109, 112, 115}, 18, 0.15, 15, false},
		{"a leak in a small count", minutes(10, 20, 30, 40, 50, 60), []float64{20, 23, 26, 29, 32, 35}, 18, 0.75, 15, false},
		// Noise around a level: the fitted line is flat, the band is what
		// strays.
		{"jitter", minutes(10, 20, 30, 40), []float64{100, 106, 94, 100}, -7.2, 0.06, -3.6, true},
		{"falling", minutes(0, 30, 60), []float64{200, 150, 100}, -100, 0.5, -100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := bench.NewTrend(tc.at, tc.y)
			assert.InDelta(t, tc.perHour, tr.PerHour, 1e-9, "slope per hour")
			assert.InDelta(t, tc.deviation, tr.Deviation(), 1e-9)
			assert.InDelta(t, tc.drift, tr.Drift(), 1e-9)
			assert.Equal(t, tc.flat, tr.Flat())
			assert.Equal(t, tc.y[0], tr.Base)
			assert.Equal(t, tc.y[len(tc.y)-1], tr.Last)
		})
	}
	assert.Zero(t, bench.NewTrend(nil, nil), "no points, no trend")
	assert.Zero(t, bench.NewTrend(minutes(10), []float64{50}).PerHour, "one point has no slope")
}

func TestSoakFailuresJudgeFromTheBaseline(t *testing.T) {
	sample := func(min int, apiRSS int64, goroutines, outbox int) bench.SoakSample {
		return bench.SoakSample{At: time.Duration(min) * time.Minute, Outbox: outbox, Procs: map[string]bench.ProcessSample{
			"api":      {RSS: apiRSS * 1024, Goroutines: 20, Conns: 2},
			"worker":   {RSS: 80 * 1024, Goroutines: goroutines, Conns: 5},
			"temporal": {RSS: 500 * 1024, Goroutines: -1, Conns: 20},
		}}
	}
	healthy := func() bench.SoakResult {
		r := bench.SoakResult{
			Config: bench.SoakConfig{Sample: 10 * time.Minute, Baseline: 10 * time.Minute},
			Judged: []string{"api", "worker"},
			Result: bench.Result{Expected: 30, Received: 30},
		}
		// Warming up to 40 MiB before the 10-minute mark counts for nothing.
		r.Samples = append(r.Samples, sample(0, 20, 150, 9))
		for m := 10; m <= 60; m += 10 {
			r.Samples = append(r.Samples, sample(m, 40+int64((m/10+1)%2)*3, 150, 0))
		}
		return r
	}
	assert.Empty(t, healthy().Failures(), "a 7.5% wobble, flat goroutines, an outbox that drained")

	r := healthy()
	r.Samples[len(r.Samples)-1].Procs["api"] = bench.ProcessSample{RSS: 45 * 1024, Goroutines: 20, Conns: 2}
	assert.Equal(t, []string{"api: RSS strayed 12% from the 10m0s mark (40 MiB, range 40–45)"}, r.Failures())

	r = healthy()
	for i := range r.Samples {
		p := r.Samples[i].Procs["worker"]
		p.Goroutines = 150 + 5*i
		r.Samples[i].Procs["worker"] = p
	}
	assert.Equal(t, []string{"worker: goroutines not flat: +25 over 50m0s from 155"}, r.Failures())

	r = healthy()
	delete(r.Samples[3].Procs, "worker")
	r.Final.Outbox, r.Result.Missing, r.Visited = 2, 1, assert.AnError
	assert.Equal(t, []string{
		"worker: not running, or its metrics unreadable, at 30m0s",
		"outbox not empty at the end: 2 waiting, 0 parked",
		"messages: 1 missing, 0 duplicates, 0 posts never accepted",
		"visitors: " + assert.AnError.Error(),
	}, r.Failures())

	r = healthy()
	r.Samples = r.Samples[:1]
	assert.Equal(t, []string{"0 samples from the 10m0s mark: too few to judge"}, r.Failures())

	var out strings.Builder
	bench.WriteSoakReport(&out, bench.Machine{}, 1, healthy())
	assert.Contains(t, out.String(), "| api | 40 MiB | 43 MiB | +0% … +8% | +1.5 MiB/h | 20 | 20 | +0.0/h | 2 / 2 / 2 |")
	assert.Contains(t, out.String(), "| temporal | 500 MiB | 500 MiB | +0% … +0% | +0.0 MiB/h | — | — | — | 20 / 20 / 20 |")
	assert.Contains(t, out.String(), "Targets met")
}
