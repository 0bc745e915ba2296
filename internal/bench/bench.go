package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// Config is a benchmark: the stack, the shop and the load.
type Config struct {
	Stack        StackConfig
	Integrations int           // K
	Recipients   int           // M, per integration
	Latency      time.Duration // the sandbox's answer time
	Load         Load
	Direct       bool   // also run the direct baseline, first
	ProfileDir   string // if set, CPU profiles of the API and worker during the run
}

// Benchmark starts a stack, runs the direct baseline (if asked) and then
// tingting under the same load, and writes the report to out.
func Benchmark(ctx context.Context, cfg Config, out io.Writer) error {
	env, err := Prepare(ctx, cfg)
	if err != nil {
		return err
	}
	defer env.Close()

	var results []Result
	if cfg.Direct {
		r, err := env.RunDirect(ctx, cfg.Load)
		if err != nil {
			return fmt.Errorf("direct run: %w", err)
		}
		results = append(results, r)
	}
	var stopProfiles func() error = func() error { return nil }
	if cfg.ProfileDir != "" {
		stopProfiles = env.profile(ctx, cfg.ProfileDir, time.Duration(float64(cfg.Load.Transactions)/cfg.Load.Rate*float64(time.Second)))
	}
	r, err := env.RunTingting(ctx, cfg.Load)
	if err != nil {
		return fmt.Errorf("tingting run: %w", err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	results = append(results, r)
	WriteReport(out, cfg, results, env.Stack.PeakRSS())
	return nil
}

// Env is a running stack with a shop, ready for runs.
type Env struct {
	Stack *Stack
	Pool  *db.Pool
	Shop  Shop
	cfg   Config
}

// Prepare starts the stack, creates the shop, sets the sandbox's latency
// and warms everything up with a few transactions.
func Prepare(ctx context.Context, cfg Config) (*Env, error) {
	pool, err := db.Open(ctx, cfg.Stack.DatabaseURL)
	if err != nil {
		return nil, err
	}
	s, err := StartStack(ctx, cfg.Stack)
	if err != nil {
		pool.Close()
		return nil, err
	}
	env := &Env{Stack: s, Pool: pool, cfg: cfg}
	if env.Shop, err = SetUp(ctx, s, pool, cfg.Integrations, cfg.Recipients); err != nil {
		env.Close()
		return nil, err
	}
	s.latency = cfg.Latency
	if err := s.SetFaults(ctx, map[string]any{"latency_ms": cfg.Latency.Milliseconds()}); err != nil {
		env.Close()
		return nil, err
	}
	warm := Load{Transactions: 20, Rate: 20, Patience: time.Minute}
	if r, err := env.RunTingting(ctx, warm); err != nil || r.Missing > 0 {
		env.Close()
		return nil, fmt.Errorf("warm-up: %d of %d messages missing (%v); see the logs in %s", r.Missing, r.Expected, err, cfg.Stack.Dir)
	}
	return env, nil
}

// Close stops the stack.
func (e *Env) Close() {
	e.Stack.Stop()
	e.Pool.Close()
}

// measured runs a load and adds the CPU time each process spent on it.
func (e *Env) measured(run func() (Result, error)) (Result, error) {
	before, self := e.Stack.CPU(), cpuTime(os.Getpid())
	r, err := run()
	after := e.Stack.CPU()
	r.CPU = map[string]time.Duration{Bench: cpuTime(os.Getpid()) - self}
	for name, t := range after {
		r.CPU[name] = t - before[name]
	}
	return r, err
}

// RunTingting posts the load to tingting's API.
func (e *Env) RunTingting(ctx context.Context, load Load) (Result, error) {
	return e.measured(func() (Result, error) {
		return Run(ctx, "tingting", Target{
			IngestURL: e.Stack.APIURL + "/v1/transactions", APIKey: e.Shop.APIKey, BankAccountID: e.Shop.BankAccountID,
			Recipients: e.Shop.Recipients, SandboxURL: e.Stack.SandboxURL,
			Settle: func(ctx context.Context) error {
				for {
					n, err := e.pendingDeliveries(ctx)
					if err != nil || n == 0 {
						return err
					}
					select {
					case <-ctx.Done():
						return fmt.Errorf("%d deliveries still pending: %w", n, ctx.Err())
					case <-time.After(200 * time.Millisecond):
					}
				}
			},
		}, load)
	})
}

// pendingDeliveries counts the shop's deliveries still to be sent or
// recorded.
func (e *Env) pendingDeliveries(ctx context.Context) (int, error) {
	var n int
	err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN transactions t ON t.id = d.transaction_id
		WHERE t.workspace_id = $1 AND d.status = 'pending'`, e.Shop.WorkspaceID).Scan(&n)
	return n, err
}

// RunDirect posts the load to the direct baseline, which sends with the
// OA token the worker uses.
func (e *Env) RunDirect(ctx context.Context, load Load) (Result, error) {
	box, err := secret.New(e.Stack.key)
	if err != nil {
		return Result{}, err
	}
	token, _, err := (&oatoken.Store{Pool: e.Pool, Box: box}).Current(ctx)
	if err != nil {
		return Result{}, err
	}
	d := &Direct{Token: token, Recipients: e.Shop.Recipients, Zalo: zalo.NewClient(zalo.Config{
		OAuthURL: e.Stack.SandboxURL, GraphURL: e.Stack.SandboxURL, OpenAPIURL: e.Stack.SandboxURL, AppID: appID,
	})}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	url, err := d.Serve(ctx)
	if err != nil {
		return Result{}, err
	}
	return e.measured(func() (Result, error) {
		return Run(ctx, "direct", Target{IngestURL: url, BankAccountID: e.Shop.BankAccountID, Recipients: e.Shop.Recipients,
			SandboxURL: e.Stack.SandboxURL}, load)
	})
}

// profile records CPU profiles of the API and the worker for d, in the
// background; the returned func waits for them.
func (e *Env) profile(ctx context.Context, dir string, d time.Duration) func() error {
	errs := make(chan error, 2)
	for _, name := range []string{API, Worker} {
		go func() {
			errs <- fetch(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", e.Stack.DebugURLs[name], int(d.Seconds())+1),
				filepath.Join(dir, name+".cpu.pprof"))
		}()
	}
	return func() error {
		for range 2 {
			if err := <-errs; err != nil {
				return fmt.Errorf("profiling: %w", err)
			}
		}
		return nil
	}
}

func fetch(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SetFaults replaces the sandbox's faults (PUT /_sandbox/faults).
func (s *Stack) SetFaults(ctx context.Context, faults map[string]any) error {
	return doJSON(ctx, http.MethodPut, s.SandboxURL+"/_sandbox/faults", "", faults, http.StatusOK, nil)
}
