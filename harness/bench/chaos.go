package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/jsonhttp"
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
	// Check, if set, verifies after the run what the message counts do
	// not show.
	Check func(ctx context.Context, e *Env) error
	// DropEvery, if set, sends the load as payments at the sandbox's
	// Casso, whose signed webhooks reach tingting, every DropEvery-th
	// never delivered: read-back must find those.
	DropEvery int
}

// Faults are the chaos suite: each must end with every (transaction,
// recipient) messaged exactly once.
// outage is how long the long faults last; restarts are shorter.
func Faults(outage time.Duration) []Fault {
	var followers []string // sandbox users who followed while Temporal was away
	restart := func(name string) func(context.Context, *Stack) error {
		return func(ctx context.Context, s *Stack) error {
			if err := s.Kill(name); err != nil {
				return err
			}
			return s.Start(ctx, name)
		}
	}
	return []Fault{
		{Name: "every transaction posted 3 times at once", Copies: 3},
		{Name: fmt.Sprintf("the sandbox failing every call (HTTP 503) for %s", outage), Inject: func(ctx context.Context, s *Stack) error {
			latency := s.latency
			if err := s.SetFaults(ctx, map[string]any{"http_status": 503, "latency_ms": latency.Milliseconds()}); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(outage):
			}
			return s.SetFaults(ctx, map[string]any{"latency_ms": latency.Milliseconds()})
		}},
		// Sends the worker was making when it died are in doubt: the next
		// attempts look in the conversation before sending again.
		{Name: "the worker killed (SIGKILL) and restarted", Inject: restart(Worker)},
		{Name: "the Temporal dev server killed (SIGKILL) and restarted on its database file", Inject: restart(Temporal)},
		{Name: "the API killed (SIGKILL) and restarted", Inject: restart(API)},
		{Name: fmt.Sprintf("Temporal stopped for %s while transactions and Zalo follows keep arriving", outage), NoRetry: true,
			Inject: func(ctx context.Context, s *Stack) error {
				if err := s.Kill(Temporal); err != nil {
					return err
				}
				var err error
				followers, err = follow(ctx, s, outage)
				if err != nil {
					return err
				}
				return s.Start(ctx, Temporal)
			},
			Check: func(ctx context.Context, e *Env) error { return e.followed(ctx, followers) }},
		{Name: fmt.Sprintf("PostgreSQL refusing connections for %s (a restart, as tingting sees it)", outage/6),
			Inject: func(ctx context.Context, s *Stack) error { return databaseOutage(ctx, s.cfg.DatabaseURL, outage/6) }},
		{Name: fmt.Sprintf("Zalo answering in 12 s (the client gives up at 10 s) for %s", outage),
			Inject: func(ctx context.Context, s *Stack) error {
				if err := s.SetFaults(ctx, map[string]any{"latency_ms": 12_000}); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(outage):
				}
				return s.SetFaults(ctx, map[string]any{"latency_ms": s.latency.Milliseconds()})
			}},
		{Name: "Casso never delivering one webhook in ten (read back)", DropEvery: 10,
			Check: func(ctx context.Context, e *Env) error { return e.readBack(ctx, 10) }},
	}
}

// follow has sandbox users follow the OA, one every 100 ms for d, and
// returns their ids: each follow is a signed webhook the API must record
// and process.
func follow(ctx context.Context, s *Stack, d time.Duration) ([]string, error) {
	var ids []string
	for end := time.Now().Add(d); time.Now().Before(end); {
		var u struct {
			OAUserID string `json:"oa_user_id"`
		}
		if err := jsonhttp.Do(ctx, http.MethodPost, s.SandboxURL+"/_sandbox/users", "",
			map[string]any{"name": fmt.Sprint("Khách ", len(ids)+1), "follows": true}, http.StatusCreated, &u); err != nil {
			return ids, err
		}
		ids = append(ids, u.OAUserID)
		select {
		case <-ctx.Done():
			return ids, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return ids, nil
}

// followed checks that every one of ids became a follower of record.
func (e *Env) followed(ctx context.Context, ids []string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		var n int
		err := e.Pool.QueryRow(ctx, "SELECT count(*) FROM zalo_followers WHERE following AND oa_user_id = ANY($1)", ids).Scan(&n)
		if err == nil && n == len(ids) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d follows made while Temporal was away were processed (%v)", n, len(ids), err)
		}
		time.Sleep(200 * time.Millisecond)
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
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
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
	Checked  error         // what Fault.Check found wrong
}

// Chaos runs the load and injects the fault a third of the way through.
func (e *Env) Chaos(ctx context.Context, f Fault, load Load) (ChaosResult, error) {
	load.Copies = max(f.Copies, 1)
	res := ChaosResult{Fault: f}
	injected := make(chan error, 1)
	if f.Inject != nil {
		go func() {
			time.Sleep(time.Duration(float64(load.Transactions) / load.Rate / 3 * float64(time.Second)))
			res.Struck = time.Now()
			err := f.Inject(ctx, e.Stack)
			res.Repaired = time.Since(res.Struck)
			injected <- err
		}()
	} else {
		injected <- nil
	}
	run := e.RunTingting
	if f.DropEvery > 0 {
		run = func(ctx context.Context, load Load) (Result, error) { return e.RunCasso(ctx, load, f.DropEvery) }
	}
	r, err := run(ctx, load)
	if ierr := <-injected; ierr != nil {
		return res, fmt.Errorf("injecting %q: %w", f.Name, ierr)
	}
	res.Result = r
	if err != nil {
		return res, err
	}
	if f.Check != nil {
		res.Checked = f.Check(ctx, e)
	}
	return res, nil
}

// WriteChaosReport prints one row per fault and then each duplicate.
func WriteChaosReport(w io.Writer, load Load, results []ChaosResult) {
	fmt.Fprintf(w, "\n%d transactions at %.0f/s per fault, %s\n\n", load.Transactions, load.Rate, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| fault | repaired after | messages | missing | duplicates | post retries | p50 | p99 | max |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, c := range results {
		r := c.Result
		fmt.Fprintf(w, "| %s | %s | %d/%d | %d | %d | %d | %s | %s | %s |\n", c.Fault.Name, c.Repaired.Round(100*time.Millisecond),
			r.Received, r.Expected, r.Missing, len(r.Duplicates), r.Retries,
			ms(Percentile(r.Latencies, 50)), ms(Percentile(r.Latencies, 99)), ms(Percentile(r.Latencies, 100)))
	}
	for _, c := range results {
		for _, d := range c.Result.Duplicates {
			fmt.Fprintf(w, "\n- %s: transaction %d to %s got %d messages, the first %s after the fault.", c.Fault.Name,
				d.Transaction, d.Recipient, len(d.At), d.At[0].Sub(c.Struck).Round(time.Millisecond))
		}
	}
	fmt.Fprintln(w)
}
