package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tingting-vn/tingting/db"
)

// Fault is something going wrong in the middle of a run.
type Fault struct {
	Name   string
	Copies int // each transaction is posted this many times at once
	// Inject breaks something and returns once it is repaired.
	Inject func(ctx context.Context, s *Stack) error
	// NoRetry: every post must be accepted the first time (the fault is
	// one the API hides from its clients).
	NoRetry bool
	// Visitors: while the fault lasts, Zalo users follow, join an
	// integration and ask for today's totals (visitors.go); each must be
	// answered exactly once.
	Visitors bool
	// Check, if set, verifies after the run what the message counts do
	// not show.
	Check func(ctx context.Context, e *Env) error
	// DropEvery, if set, sends the load as payments at the sandbox's
	// Casso, whose signed webhooks reach tingting, every DropEvery-th
	// never delivered: read-back must find those.
	DropEvery int
}

// Faults are the chaos suite on one API and one worker: each must end with
// every (transaction, recipient) messaged exactly once.
// outage is how long the long faults last; restarts are shorter.
func Faults(outage time.Duration) []Fault {
	return []Fault{
		{Name: "every transaction posted 3 times at once", Copies: 3},
		{Name: fmt.Sprintf("the sandbox failing every call (HTTP 503) for %s", outage), Inject: func(ctx context.Context, s *Stack) error {
			latency := s.latency
			if err := s.SetFaults(ctx, map[string]any{"http_status": 503, "latency_ms": latency.Milliseconds()}); err != nil {
				return err
			}
			if err := pause(ctx, outage); err != nil {
				return err
			}
			return s.SetFaults(ctx, map[string]any{"latency_ms": latency.Milliseconds()})
		}},
		// Sends the worker was making when it died are in doubt: the next
		// attempts look in the conversation before sending again.
		{Name: "the worker killed (SIGKILL) and restarted", Inject: away(Worker, 0)},
		{Name: "the Temporal dev server killed (SIGKILL) and restarted on its database file", Inject: away(Temporal, 0)},
		{Name: "the API killed (SIGKILL) and restarted", Inject: away(API, 0)},
		{Name: fmt.Sprintf("Temporal stopped for %s while transactions, follows, invites and commands keep arriving", outage),
			NoRetry: true, Visitors: true, Inject: away(Temporal, outage)},
		{Name: fmt.Sprintf("PostgreSQL refusing connections for %s (a restart, as tingting sees it)", outage/6),
			Inject: func(ctx context.Context, s *Stack) error { return databaseOutage(ctx, s.cfg.DatabaseURL, outage/6) }},
		{Name: fmt.Sprintf("Zalo answering in 12 s (the client gives up at 10 s) for %s", outage),
			Inject: func(ctx context.Context, s *Stack) error {
				if err := s.SetFaults(ctx, map[string]any{"latency_ms": 12_000}); err != nil {
					return err
				}
				if err := pause(ctx, outage); err != nil {
					return err
				}
				return s.SetFaults(ctx, map[string]any{"latency_ms": s.latency.Milliseconds()})
			}},
		{Name: "Casso never delivering one webhook in ten (read back)", DropEvery: 10,
			Check: func(ctx context.Context, e *Env) error { return e.readBack(ctx, 10) }},
	}
}

// workerStopLimit is how long a rolling restart gives a worker to stop:
// WORKER_STOP_TIMEOUT (30 s) and 15 s more, as the Helm chart does.
const workerStopLimit = 45 * time.Second

// databaseCut is how long one worker loses PostgreSQL in ReplicaFaults.
const databaseCut = 10 * time.Second

// ReplicaFaults are the chaos suite on two APIs and two workers
// (StackConfig.Replicas 2), behind the balancer: each must end with every
// (transaction, recipient) messaged exactly once, every post accepted the
// first time, and every visitor answered once. outage is how long a
// killed process stays away.
func ReplicaFaults(outage time.Duration) []Fault {
	// conversations reads how often tingting has read a conversation with
	// the OA: only a send in doubt makes it do so.
	conversations := func(ctx context.Context, s *Stack) (int, error) {
		z, err := s.ZaloStats(ctx)
		return z.Calls["conversation"], err
	}
	var before int // conversations read before the fault struck
	return []Fault{
		{Name: fmt.Sprintf("one API killed (SIGKILL), started again after %s", outage), NoRetry: true, Visitors: true,
			Inject: away(API, outage)},
		// Zalo slowed to 1 s an answer for the moment of the kill, so that
		// the worker surely has sends in flight: they are left in doubt,
		// and the other worker settles them by reading the conversations.
		{Name: fmt.Sprintf("one worker killed (SIGKILL) mid-send, started again after %s", outage), NoRetry: true, Visitors: true,
			Inject: func(ctx context.Context, s *Stack) (err error) {
				if before, err = conversations(ctx, s); err != nil {
					return err
				}
				err = s.slowZalo(ctx, func() error {
					if err := pause(ctx, 2*time.Second); err != nil {
						return err
					}
					return s.Kill(Worker)
				})
				if err != nil {
					return err
				}
				if err := pause(ctx, outage); err != nil {
					return err
				}
				return s.Start(ctx, Worker)
			},
			Check: func(ctx context.Context, e *Env) error {
				after, err := conversations(ctx, e.Stack)
				if err == nil && after == before {
					err = errors.New("no send was left in doubt: the worker was not killed mid-send")
				}
				return err
			}},
		// Zalo slowed the same way: each worker stops with sends in flight,
		// which a graceful stop lets finish, so none is left in doubt.
		{Name: "a rolling restart of both workers mid-send: each stopped (SIGTERM) and started again, one after the other", NoRetry: true, Visitors: true,
			Inject: func(ctx context.Context, s *Stack) (err error) {
				if before, err = conversations(ctx, s); err != nil {
					return err
				}
				return s.slowZalo(ctx, func() error {
					for _, w := range s.Workers() {
						if err := pause(ctx, 2*time.Second); err != nil {
							return err
						}
						if err := s.Terminate(w, workerStopLimit); err != nil {
							return err
						}
						if err := s.Start(ctx, w); err != nil {
							return err
						}
					}
					return nil
				})
			},
			Check: func(ctx context.Context, e *Env) error {
				after, err := conversations(ctx, e.Stack)
				if err == nil && after != before {
					err = fmt.Errorf("a stopping worker left sends in doubt: %d conversations read", after-before)
				}
				return err
			}},
		{Name: fmt.Sprintf("one worker losing PostgreSQL for %s (its connections dropped, new ones closed)", databaseCut), NoRetry: true, Visitors: true,
			Inject: func(ctx context.Context, s *Stack) error { return s.CutDatabase(ctx, databaseCut) }},
	}
}

// away kills a piece (SIGKILL) and starts it again d later.
func away(name string, d time.Duration) func(context.Context, *Stack) error {
	return func(ctx context.Context, s *Stack) error {
		if err := s.Kill(name); err != nil {
			return err
		}
		if err := pause(ctx, d); err != nil {
			return err
		}
		return s.Start(ctx, name)
	}
}

// slowZalo has the sandbox answer in 1 s while f runs, so that the
// workers hold sends in flight.
func (s *Stack) slowZalo(ctx context.Context, f func() error) error {
	if err := s.SetFaults(ctx, map[string]any{"latency_ms": 1000}); err != nil {
		return err
	}
	err := f()
	return errors.Join(err, s.SetFaults(ctx, map[string]any{"latency_ms": s.latency.Milliseconds()}))
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// readBack checks that read-back recorded exactly the webhooks Casso
// dropped, one in dropEvery, and the webhooks the rest.
func (e *Env) readBack(ctx context.Context, dropEvery int) error {
	var recovered, all int
	err := e.Pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE via = 'reconcile'), count(*) FROM transactions WHERE source_id IS NOT NULL").
		Scan(&recovered, &all)
	if err == nil && recovered != all/dropEvery {
		err = fmt.Errorf("read-back recorded %d of %d transactions, not the %d whose webhooks were dropped", recovered, all, all/dropEvery)
	}
	return err
}

// databaseOutage is what a PostgreSQL restart looks like to tingting,
// confined to its database so other tests on the same server go on: every
// connection is dropped and new ones are refused for d.
func databaseOutage(ctx context.Context, url string, d time.Duration) error {
	cfg, err := db.ConnConfig(url)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS false"); err != nil {
		return err
	}
	defer func() { _, _ = admin.Exec(context.Background(), "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS true") }()
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		return err
	}
	if err := pause(ctx, d); err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS true")
	return err
}

// ChaosResult is a run under a fault.
type ChaosResult struct {
	Fault    Fault
	Result   Result
	Struck   time.Time     // when the fault was injected
	Repaired time.Duration // how long after Struck it was repaired
	Visitors int           // how many came while it lasted
	Checked  error         // what the visitors' and Fault.Check's checks found wrong
}

// visitEvery is how often a visitor comes while a fault lasts.
const visitEvery = 200 * time.Millisecond

// Chaos runs the load and injects the fault a third of the way through.
func (e *Env) Chaos(ctx context.Context, f Fault, load Load) (ChaosResult, error) {
	load.Copies = max(f.Copies, 1)
	res := ChaosResult{Fault: f}
	type struck struct {
		visitors []visitor
		err      error
	}
	injected := make(chan struck, 1)
	if f.Inject != nil {
		go func() {
			time.Sleep(time.Duration(float64(load.Transactions) / load.Rate / 3 * float64(time.Second)))
			res.Struck = time.Now()
			stop, visited := make(chan struct{}), make(chan struck, 1)
			if f.Visitors {
				go func() {
					v, err := e.visit(ctx, visitEvery, stop)
					visited <- struck{v, err}
				}()
			} else {
				visited <- struck{}
			}
			err := f.Inject(ctx, e.Stack)
			res.Repaired = time.Since(res.Struck)
			close(stop)
			v := <-visited
			injected <- struck{v.visitors, errors.Join(err, v.err)}
		}()
	} else {
		injected <- struck{}
	}
	run := e.RunTingting
	if f.DropEvery > 0 {
		run = func(ctx context.Context, load Load) (Result, error) { return e.RunCasso(ctx, load, f.DropEvery) }
	}
	r, err := run(ctx, load)
	in := <-injected
	if in.err != nil {
		return res, fmt.Errorf("injecting %q: %w", f.Name, in.err)
	}
	res.Result, res.Visitors = r, len(in.visitors)
	if err != nil {
		return res, err
	}
	var checks []error
	if f.Visitors {
		checks = append(checks, e.visited(ctx, in.visitors, load.Patience))
	}
	if f.Check != nil {
		checks = append(checks, f.Check(ctx, e))
	}
	res.Checked = errors.Join(checks...)
	return res, nil
}

// WriteChaosReport prints one row per fault and then each duplicate.
func WriteChaosReport(w io.Writer, mode string, load Load, results []ChaosResult) {
	fmt.Fprintf(w, "\n%s: %d transactions at %.0f/s per fault, %s\n\n", mode, load.Transactions, load.Rate, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| fault | repaired after | messages | missing | duplicates | post retries | rerouted by the balancer | visitors | p50 | p99 | max |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range results {
		r := c.Result
		visitors := "—"
		if c.Fault.Visitors {
			visitors = strconv.Itoa(c.Visitors)
		}
		fmt.Fprintf(w, "| %s | %s | %d/%d | %d | %d | %d | %d | %s | %s | %s | %s |\n", c.Fault.Name, c.Repaired.Round(100*time.Millisecond),
			r.Received, r.Expected, r.Missing, len(r.Duplicates), r.Retries, r.Rerouted, visitors,
			ms(Percentile(r.Latencies, 50)), ms(Percentile(r.Latencies, 99)), ms(Percentile(r.Latencies, 100)))
	}
	for _, c := range results {
		for _, d := range c.Result.Duplicates {
			fmt.Fprintf(w, "\n- %s: transaction %d to %s got %d messages, the first %s after the fault.", c.Fault.Name,
				d.Transaction, d.Recipient, len(d.At), d.At[0].Sub(c.Struck).Round(time.Millisecond))
		}
		if c.Checked != nil {
			fmt.Fprintf(w, "\n- %s: %v", c.Fault.Name, c.Checked)
		}
	}
	fmt.Fprintln(w)
}
