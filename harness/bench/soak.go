package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tingting-vn/tingting/db"
)

// SoakConfig is a long run at a steady rate, every process sampled as it
// goes: does anything grow that should not?
type SoakConfig struct {
	Duration time.Duration // how long transactions are posted
	Rate     float64       // transactions a second
	// VisitEvery is how often a visitor comes (visitors.go): a follow, an
	// invite and a command.
	VisitEvery time.Duration
	Sample     time.Duration // how often every process is sampled
	// Baseline is the sample the targets compare with (the 10-minute
	// mark): by then pools, caches and the garbage collector's pace have
	// settled.
	Baseline time.Duration
	// OnSample, if set, is told of each sample as it is taken.
	OnSample func(SoakSample)
}

// The soak's targets.
const (
	// SoakRSSBand: each API's and worker's resident memory stays within
	// this share of its baseline sample.
	SoakRSSBand = 0.10
	// SoakGoroutineDrift: each one's goroutines are flat, the fitted line
	// moving by no more than this share of the baseline over the run…
	SoakGoroutineDrift = 0.10
	// …or by no more than this many goroutines (small counts jitter).
	SoakGoroutineSlack = 10
)

// A process's goroutines are the fewest of goroutineReads readings
// goroutineGap apart: what it holds at rest, not the requests in flight
// (a worker's count moves by tens from one second to the next).
const (
	goroutineReads = 5
	goroutineGap   = time.Second
)

// ProcessSample is one process at one moment.
type ProcessSample struct {
	RSS        int64 // kB resident (VmRSS)
	Goroutines int   // go_goroutines from its metrics, the fewest of a few readings; -1: it has none, or they could not be read
	Conns      int   // its connections to PostgreSQL (pg_stat_activity)
}

// SoakSample is the stack at one moment.
type SoakSample struct {
	At     time.Duration // since the soak began
	Procs  map[string]ProcessSample
	Outbox int // recorded work whose workflow has not started
	Parked int // recorded work Temporal refused for good
}

// SoakResult is what a soak measured.
type SoakResult struct {
	Config   SoakConfig
	Result   Result // the transactions' run
	Visitors int
	Visited  error        // what the visitors' check found wrong
	Samples  []SoakSample // every Config.Sample while posting
	Final    SoakSample   // once everything settled
	// Judged are the processes the targets are for: the APIs and workers.
	Judged []string
}

// Soak posts transactions at cfg.Rate for cfg.Duration with visitors
// mixed in, samples every process every cfg.Sample, and once everything
// has settled checks the visitors and takes a last sample.
func (e *Env) Soak(ctx context.Context, cfg SoakConfig) (SoakResult, error) {
	res := SoakResult{Config: cfg, Judged: slices.Concat(e.Stack.APIs(), e.Stack.Workers())}
	start, stop := time.Now(), make(chan struct{})
	var wg sync.WaitGroup
	var sampled, visited error
	var visitors []visitor
	wg.Add(2)
	go func() {
		defer wg.Done()
		res.Samples, sampled = e.sampleEvery(ctx, start, cfg, stop)
	}()
	go func() {
		defer wg.Done()
		visitors, visited = e.visit(ctx, cfg.VisitEvery, stop)
	}()
	load := Load{Transactions: int(cfg.Rate * cfg.Duration.Seconds()), Rate: cfg.Rate, Patience: 3 * time.Minute, Watch: 10 * time.Second}
	r, err := e.RunTingting(ctx, load)
	close(stop)
	wg.Wait()
	res.Result, res.Visitors = r, len(visitors)
	for _, err := range []error{err, sampled, visited} {
		if err != nil {
			return res, err
		}
	}
	res.Visited = e.visited(ctx, visitors, load.Patience)
	res.Final, err = e.sample(ctx, time.Since(start))
	return res, err
}

// sampleEvery samples the stack at start, start+every… until stop.
func (e *Env) sampleEvery(ctx context.Context, start time.Time, cfg SoakConfig, stop <-chan struct{}) ([]SoakSample, error) {
	var out []SoakSample
	for i := 0; ; i++ {
		select {
		case <-stop:
			return out, nil
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(time.Until(start.Add(time.Duration(i) * cfg.Sample))):
		}
		s, err := e.sample(ctx, time.Since(start))
		if err != nil {
			return out, err
		}
		out = append(out, s)
		if cfg.OnSample != nil {
			cfg.OnSample(s)
		}
	}
}

// sample reads every running process's memory, goroutines and database
// connections, and the outbox.
func (e *Env) sample(ctx context.Context, at time.Duration) (SoakSample, error) {
	s := SoakSample{At: at, Procs: map[string]ProcessSample{}}
	conns, err := e.connections(ctx)
	if err != nil {
		return s, err
	}
	for _, name := range e.Stack.pieces() {
		if pid := e.Stack.pid(name); pid != 0 {
			s.Procs[name] = ProcessSample{RSS: procStatusKB(pid, "VmRSS"), Goroutines: -1, Conns: conns[name]}
		}
	}
	for i := range goroutineReads {
		if i > 0 {
			if err := pause(ctx, goroutineGap); err != nil {
				return s, err
			}
		}
		for _, name := range slices.Concat(e.Stack.APIs(), e.Stack.Workers()) {
			p, ok := s.Procs[name]
			if n := goroutines(ctx, e.Stack.MetricsURL(name)); ok && n >= 0 && (p.Goroutines < 0 || n < p.Goroutines) {
				p.Goroutines = n
				s.Procs[name] = p
			}
		}
	}
	backlog, err := db.New(e.Pool).OutboxBacklog(ctx)
	s.Outbox, s.Parked = int(backlog.Waiting), int(backlog.Parked)
	return s, err
}

// connections counts each process's connections to the stack's
// databases: by the application_name each of tingting's processes gives
// (Stack.databaseURL), and Temporal's as every connection to its own.
func (e *Env) connections(ctx context.Context) (map[string]int, error) {
	dbs := e.Stack.databases()
	rows, err := e.Pool.Query(ctx, `SELECT application_name, datname, count(*) FROM pg_stat_activity
		WHERE datname = ANY($1) GROUP BY 1, 2`, dbs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var app, datname string
		var n int
		if err := rows.Scan(&app, &datname, &n); err != nil {
			return nil, err
		}
		switch {
		case slices.Contains(e.Stack.pieces(), app):
			out[app] += n
		case e.Stack.cfg.Server != nil && (datname == e.Stack.cfg.Server.Database || datname == e.Stack.cfg.Server.VisibilityDatabase):
			out[Temporal] += n
		}
	}
	return out, rows.Err()
}

// goroutines reads go_goroutines from a process's metrics; -1 if it
// cannot.
func goroutines(ctx context.Context, metricsURL string) int {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return int(n)
		}
	}
	return -1
}

// Trend is one series from the baseline sample on.
type Trend struct {
	Base, Last, Min, Max float64
	PerHour              float64       // the least-squares slope
	Span                 time.Duration // from the baseline sample to the last
}

// NewTrend fits a line through the points (at[i], y[i]), the first being
// the baseline.
func NewTrend(at []time.Duration, y []float64) Trend {
	if len(y) == 0 {
		return Trend{}
	}
	t := Trend{Base: y[0], Last: y[len(y)-1], Min: slices.Min(y), Max: slices.Max(y), Span: at[len(at)-1] - at[0]}
	var mx, my float64
	for i := range y {
		mx += at[i].Hours()
		my += y[i]
	}
	mx, my = mx/float64(len(y)), my/float64(len(y))
	var sxy, sxx float64
	for i := range y {
		dx := at[i].Hours() - mx
		sxy += dx * (y[i] - my)
		sxx += dx * dx
	}
	if sxx > 0 {
		t.PerHour = sxy / sxx
	}
	return t
}

// Deviation is the farthest any point strays from the baseline, as a
// share of it.
func (t Trend) Deviation() float64 {
	if t.Base == 0 {
		return 0
	}
	return max(t.Max-t.Base, t.Base-t.Min) / t.Base
}

// Drift is how far the fitted line moves over the span.
func (t Trend) Drift() float64 { return t.PerHour * t.Span.Hours() }

// Flat says the fitted line moves by no more than SoakGoroutineDrift of
// the baseline, or SoakGoroutineSlack.
func (t Trend) Flat() bool {
	return math.Abs(t.Drift()) <= max(SoakGoroutineDrift*t.Base, SoakGoroutineSlack)
}

// window is the samples from the baseline on (a sample half an interval
// early counts as the baseline's).
func (r SoakResult) window() []SoakSample {
	for i, s := range r.Samples {
		if s.At >= r.Config.Baseline-r.Config.Sample/2 {
			return r.Samples[i:]
		}
	}
	return nil
}

// Trend is one measure of one process from the baseline on, skipping
// samples where it was unknown (negative) or the process was not running.
func (r SoakResult) Trend(name string, measure func(ProcessSample) float64) Trend {
	var at []time.Duration
	var y []float64
	for _, s := range r.window() {
		if p, ok := s.Procs[name]; ok && measure(p) >= 0 {
			at, y = append(at, s.At), append(y, measure(p))
		}
	}
	return NewTrend(at, y)
}

// The measures a soak follows.
func rssMiB(p ProcessSample) float64         { return float64(p.RSS) / 1024 }
func goroutineCount(p ProcessSample) float64 { return float64(p.Goroutines) }
func connCount(p ProcessSample) float64      { return float64(p.Conns) }

// Failures lists how the soak missed its targets; none when it met them.
func (r SoakResult) Failures() []string {
	var out []string
	w := r.window()
	if len(w) < 2 {
		return []string{fmt.Sprintf("%d samples from the %s mark: too few to judge", len(w), r.Config.Baseline)}
	}
	for _, name := range r.Judged {
		for _, s := range w {
			if p, ok := s.Procs[name]; !ok || p.Goroutines < 0 {
				out = append(out, fmt.Sprintf("%s: not running, or its metrics unreadable, at %s", name, s.At.Round(time.Second)))
				break
			}
		}
		if t := r.Trend(name, rssMiB); t.Deviation() > SoakRSSBand {
			out = append(out, fmt.Sprintf("%s: RSS strayed %.0f%% from the %s mark (%.0f MiB, range %.0f–%.0f)",
				name, 100*t.Deviation(), r.Config.Baseline, t.Base, t.Min, t.Max))
		}
		if t := r.Trend(name, goroutineCount); !t.Flat() {
			out = append(out, fmt.Sprintf("%s: goroutines not flat: %+.0f over %s from %.0f", name, t.Drift(), t.Span.Round(time.Second), t.Base))
		}
	}
	if r.Final.Outbox > 0 || r.Final.Parked > 0 {
		out = append(out, fmt.Sprintf("outbox not empty at the end: %d waiting, %d parked", r.Final.Outbox, r.Final.Parked))
	}
	res := r.Result
	if res.Missing > 0 || len(res.Duplicates) > 0 || res.PostErrors > 0 {
		out = append(out, fmt.Sprintf("messages: %d missing, %d duplicates, %d posts never accepted", res.Missing, len(res.Duplicates), res.PostErrors))
	}
	if r.Visited != nil {
		out = append(out, fmt.Sprintf("visitors: %v", r.Visited))
	}
	return out
}

// WriteSoakReport prints the soak: what ran, each process's trends, the
// outbox, the messages and the visitors, whether the targets were met,
// and every tenth sample.
func WriteSoakReport(w io.Writer, m Machine, replicas int, r SoakResult) {
	c, res := r.Config, r.Result
	fmt.Fprintf(w, "\n%s, %d cores, %d MiB, %s, Linux %s, Temporal %s (server %s), PostgreSQL %s, %s\n",
		m.CPU, m.Cores, m.MemoryMiB, m.Go, m.Kernel, m.Temporal, m.TemporalServer, m.Postgres, m.Date)
	fmt.Fprintf(w, "%s at %g transactions/s (%d transactions, 1 integration × %d recipients), a visitor every %s (%d: follow, /invite, /homnay), "+
		"%d API(s) and %d worker(s) behind a balancer; sampled every %s, judged from the %s mark\n\n",
		c.Duration, c.Rate, res.Transactions, res.Recipients, c.VisitEvery, r.Visitors, replicas, replicas, c.Sample, c.Baseline)

	names := r.processes()
	fmt.Fprintf(w, "| process | RSS at %s | at the end | range from %[1]s | RSS slope | goroutines at %[1]s | at the end | goroutine slope | PostgreSQL connections at %[1]s / end / most |\n", c.Baseline)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, name := range names {
		rss, gr, conns := r.Trend(name, rssMiB), r.Trend(name, goroutineCount), r.Trend(name, connCount)
		label := name
		if name == Sandbox {
			label += " (the sandbox: keeps every message)"
		}
		grCells := "— | — | —"
		if gr.Span > 0 || gr.Base > 0 {
			grCells = fmt.Sprintf("%.0f | %.0f | %+.1f/h", gr.Base, gr.Last, gr.PerHour)
		}
		fmt.Fprintf(w, "| %s | %.0f MiB | %.0f MiB | %+.0f%% … %+.0f%% | %+.1f MiB/h | %s | %.0f / %.0f / %.0f |\n", label,
			rss.Base, rss.Last, pct(rss.Min, rss.Base), pct(rss.Max, rss.Base), rss.PerHour, grCells, conns.Base, conns.Last, conns.Max)
	}

	most, mostAt := 0, time.Duration(0)
	for _, s := range r.Samples {
		if s.Outbox > most {
			most, mostAt = s.Outbox, s.At
		}
	}
	fmt.Fprintf(w, "\nOutbox: at most %d waiting (at %s) in the samples; at the end %d waiting, %d parked.\n",
		most, mostAt.Round(time.Second), r.Final.Outbox, r.Final.Parked)
	fmt.Fprintf(w, "Messages: %d/%d, %d missing, %d duplicates; %d posts never accepted, %d retried; latency p50 %s, p99 %s, max %s.\n",
		res.Received, res.Expected, res.Missing, len(res.Duplicates), res.PostErrors, res.Retries,
		ms(Percentile(res.Latencies, 50)), ms(Percentile(res.Latencies, 99)), ms(Percentile(res.Latencies, 100)))
	visited := "each a follower and a member, answered once for each message, the owner told once of each join"
	if r.Visited != nil {
		visited = r.Visited.Error()
	}
	fmt.Fprintf(w, "Visitors: %d, %s.\n", r.Visitors, visited)
	if f := r.Failures(); len(f) > 0 {
		fmt.Fprintf(w, "Targets missed:\n- %s\n", strings.Join(f, "\n- "))
	} else {
		fmt.Fprintf(w, "Targets met: every API's and worker's RSS within ±%.0f%% of the %s mark, goroutines flat "+
			"(the fitted line within %.0f%% or %d), the outbox empty at the end, nothing lost or doubled.\n",
			100*SoakRSSBand, c.Baseline, 100*SoakGoroutineDrift, SoakGoroutineSlack)
	}

	fmt.Fprintf(w, "\nEvery tenth sample: RSS MiB / goroutines / PostgreSQL connections\n\n| at | %s | outbox |\n|---|%s---|\n",
		strings.Join(names, " | "), strings.Repeat("---|", len(names)))
	for i, s := range r.Samples {
		if i%10 != 0 && i != len(r.Samples)-1 {
			continue
		}
		fmt.Fprintf(w, "| %s |", s.At.Round(time.Second))
		for _, name := range names {
			p, ok := s.Procs[name]
			switch {
			case !ok:
				fmt.Fprint(w, " — |")
			case p.Goroutines < 0:
				fmt.Fprintf(w, " %.0f / — / %d |", rssMiB(p), p.Conns)
			default:
				fmt.Fprintf(w, " %.0f / %d / %d |", rssMiB(p), p.Goroutines, p.Conns)
			}
		}
		fmt.Fprintf(w, " %d |\n", s.Outbox)
	}
}

// processes are the processes sampled, in the stack's order.
func (r SoakResult) processes() []string {
	var names []string
	for _, s := range r.Samples {
		for name := range s.Procs {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	order := []string{Temporal, Sandbox, API, Worker}
	slices.SortFunc(names, func(a, b string) int {
		if d := slices.Index(order, role(a)) - slices.Index(order, role(b)); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return names
}

// pct is how far v is from base, in per cent.
func pct(v, base float64) float64 {
	if base == 0 {
		return 0
	}
	return 100 * (v - base) / base
}
