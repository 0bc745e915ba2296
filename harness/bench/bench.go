package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/jsonhttp"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// Config is a benchmark: the stack, the shop, the load and the modes.
type Config struct {
	Stack        StackConfig
	Integrations int           // K
	Recipients   int           // M, per integration
	Latency      time.Duration // the sandbox's answer time
	Load         Load
	Direct       bool   // run the direct baseline, first
	Floor        bool   // run the floor (Temporal with nothing inside), before tingting
	ProfileDir   string // if set, CPU profiles of the API and worker during tingting's run
	JSONPath     string // if set, the report as JSON there too
	// Quiet is the share of each integration's recipients who, for
	// tingting's run, last interacted with the OA QuietFor ago (in the
	// sandbox and in tingting's belief); above 0 the sandbox clock is
	// pinned to noon in Vietnam from the start.
	Quiet float64
	// FloorWithout is how many of the four search attributes the floor
	// leaves out (from the last); 0: it sets all four, as tingting does.
	FloorWithout int
	// Chatter, when its Rate is above 0, runs tingting a second time under
	// the same load while strangers write commands.
	Chatter Chatter
	// Shops, if set, replaces the one shop and its Load: a shop (with one
	// integration) for each, posting at once (-shops).
	Shops []ShopLoad
}

// Benchmark starts a stack, runs the direct baseline and the floor (if
// asked) and then tingting under the same load, counting the Zalo calls
// the sandbox received during tingting's run, and writes the report to
// out (and to cfg.JSONPath). With cfg.Quiet, some recipients have gone
// quiet by tingting's run; with cfg.Chatter, tingting runs again while
// strangers write to the OA.
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
	if cfg.Floor {
		r, err := env.RunFloor(ctx, cfg.Load)
		if err != nil {
			return fmt.Errorf("floor run: %w", err)
		}
		results = append(results, r)
	}
	quiet := QuietRecipients(env.Shop.Recipients, cfg.Recipients, cfg.Quiet)
	if len(quiet) > 0 {
		if err := env.Quieten(ctx, quiet); err != nil {
			return err
		}
	}
	if err := env.Stack.ResetZaloStats(ctx); err != nil {
		return err
	}
	var stopProfiles func() error = func() error { return nil }
	if cfg.ProfileDir != "" {
		stopProfiles = env.profile(ctx, cfg.ProfileDir, cfg.Load.Duration())
	}
	var r Result
	if len(cfg.Shops) > 0 {
		r, err = env.RunTingtingShops(ctx, cfg.Shops)
	} else {
		r, err = env.RunTingting(ctx, cfg.Load)
	}
	if err != nil {
		return fmt.Errorf("tingting run: %w", err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	z, err := env.Stack.ZaloStats(ctx)
	if err != nil {
		return err
	}
	r.Zalo = &z
	if len(quiet) > 0 {
		if err := env.stillQuiet(ctx, quiet); err != nil {
			return err
		}
	}
	results = append(results, r)
	if cfg.Chatter.Rate > 0 {
		if err := env.Stack.ResetZaloStats(ctx); err != nil {
			return err
		}
		r, err := env.RunTingtingChattered(ctx, cfg.Load, cfg.Chatter)
		if err != nil {
			return fmt.Errorf("tingting run with chatter: %w", err)
		}
		z, err := env.Stack.ZaloStats(ctx)
		if err != nil {
			return err
		}
		r.Zalo = &z
		results = append(results, r)
	}
	m := env.Machine(ctx)
	WriteReport(out, cfg, m, results)
	if cfg.JSONPath != "" {
		b, err := json.MarshalIndent(NewJSONReport(m, results), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.JSONPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Env is a running stack with a shop, ready for runs.
type Env struct {
	Stack *Stack
	Pool  *db.Pool
	Shop  Shop
	// Shops are the shops of a many-shops run, Shop the first of them.
	Shops []Shop
	cfg   Config
	casso string // the shop's source at the sandbox's Casso, once made

	clubMu   sync.Mutex
	clubOf   club // the integration visitors join, once made
	visitors int  // how many came, to name the next
}

// Prepare starts the stack, creates the shop, sets the sandbox's latency,
// starts the floor's process (if cfg.Floor) and warms everything up with a
// few transactions.
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
	fail := func(err error) (*Env, error) {
		env.Close()
		return nil, err
	}
	if cfg.Quiet > 0 {
		// Before the users exist, so that everything the sandbox stamps
		// is on the same clock.
		if err := s.PinClock(ctx, NoonInVietnam(time.Now())); err != nil {
			return fail(err)
		}
	}
	for _, shop := range cfg.Shops {
		created, err := SetUp(ctx, s, pool, 1, shop.Recipients)
		if err != nil {
			return fail(err)
		}
		env.Shops = append(env.Shops, created)
	}
	if len(env.Shops) > 0 {
		env.Shop = env.Shops[0]
	} else if env.Shop, err = SetUp(ctx, s, pool, cfg.Integrations, cfg.Recipients); err != nil {
		return fail(err)
	}
	s.latency = cfg.Latency
	if err := s.SetFaults(ctx, map[string]any{"latency_ms": cfg.Latency.Milliseconds()}); err != nil {
		return fail(err)
	}
	warm := Load{Transactions: 20, Rate: 20, Patience: time.Minute}
	if r, err := env.RunTingting(ctx, warm); err != nil || r.Missing > 0 {
		return fail(fmt.Errorf("warm-up: %d of %d messages missing (%v); see the logs in %s", r.Missing, r.Expected, err, cfg.Stack.Dir))
	}
	if cfg.Floor {
		if err := s.StartFloor(ctx, env.floorShop()); err != nil {
			return fail(err)
		}
		if r, err := env.RunFloor(ctx, warm); err != nil || r.Missing > 0 {
			return fail(fmt.Errorf("floor warm-up: %d of %d messages missing (%v); see the logs in %s", r.Missing, r.Expected, err, cfg.Stack.Dir))
		}
	}
	return env, nil
}

// Close stops the stack.
func (e *Env) Close() {
	e.Stack.Stop()
	e.Pool.Close()
}

// measured runs a load and adds the CPU time each process spent on it, the
// peak memory of each during it, and the requests the balancer passed on.
func (e *Env) measured(run func() (Result, error)) (Result, error) {
	dbs := e.Stack.databases()
	e.Stack.ResetPeaks()
	resetPeakRSS(os.Getpid())
	before, self, pg := e.Stack.CPU(), cpuTime(os.Getpid()), postgresCPU(dbs)
	rerouted := e.Stack.Rerouted()
	r, err := run()
	r.Rerouted = e.Stack.Rerouted() - rerouted
	after := e.Stack.CPU()
	r.CPU = map[string]time.Duration{Bench: cpuTime(os.Getpid()) - self, Postgres: postgresSpent(pg, postgresCPU(dbs))}
	for name, t := range after {
		r.CPU[name] = t - before[name]
	}
	r.RSS = e.Stack.PeakRSS()
	r.RSS[Bench] = peakRSS(os.Getpid())
	return r, err
}

// RunTingting posts the load to tingting's API.
func (e *Env) RunTingting(ctx context.Context, load Load) (Result, error) {
	return e.measured(func() (Result, error) {
		return Run(ctx, "tingting", e.target(e.Shop), load)
	})
}

// RunTingtingShops posts each shop's load to tingting's API at once.
func (e *Env) RunTingtingShops(ctx context.Context, shops []ShopLoad) (Result, error) {
	targets := make([]Target, len(e.Shops))
	for i, shop := range e.Shops {
		targets[i] = e.target(shop)
	}
	return e.measured(func() (Result, error) {
		return RunShops(ctx, "tingting", targets, shops)
	})
}

// target is tingting's API for shop.
func (e *Env) target(shop Shop) Target {
	return Target{
		IngestURL: e.Stack.APIURL + "/v1/transactions", APIKey: shop.APIKey, BankAccountID: shop.BankAccountID,
		Recipients: shop.Recipients, MessagesURL: e.Stack.SandboxURL + "/_sandbox/messages", ClockOffset: e.Stack.ClockOffset(),
		Settle: e.settled(shop.WorkspaceID),
	}
}

// RunCasso sends the load as payments at the sandbox's Casso, on a Casso
// source of the shop's that holds an API key: each reaches tingting as
// Casso's signed webhook, but every dropEvery-th is never delivered and
// only read-back (the worker's CASSO_READ_BACK_EVERY) can find it.
func (e *Env) RunCasso(ctx context.Context, load Load, dropEvery int) (Result, error) {
	source, err := e.cassoSource(ctx)
	if err != nil {
		return Result{}, err
	}
	return e.measured(func() (Result, error) {
		return Run(ctx, "tingting, by Casso", Target{
			IngestURL: e.Stack.SandboxURL + "/_sandbox/bank/transactions", Recipients: e.Shop.Recipients,
			MessagesURL: e.Stack.SandboxURL + "/_sandbox/messages", ClockOffset: e.Stack.ClockOffset(),
			Body: func(marker string, i int, _ time.Time) []byte {
				body, _ := json.Marshal(map[string]any{
					"source_id": source, "account_number": e.Shop.AccountNumber, "amount": 100_000 + i,
					"description": fmt.Sprintf("%s%06d chuyen tien", marker, i), "deliver": i%dropEvery != dropEvery-1,
				})
				return body
			},
			Settle: e.settled(e.Shop.WorkspaceID),
		}, load)
	})
}

// cassoSource gives the shop a Casso source that holds an API key, in
// tingting and at the sandbox's Casso, once; it answers the sandbox's id
// for it.
func (e *Env) cassoSource(ctx context.Context) (string, error) {
	if e.casso == "" {
		f, err := seed.NewFeed(ctx, e.Stack.APIURL, e.Shop.APIKey, e.Stack.SandboxURL, "casso_v2", true)
		if err != nil {
			return "", err
		}
		e.casso = f.Sandbox
	}
	return e.casso, nil
}

// RunFloor posts the load to the floor's process.
func (e *Env) RunFloor(ctx context.Context, load Load) (Result, error) {
	url := e.Stack.FloorURL()
	return e.measured(func() (Result, error) {
		return Run(ctx, "floor", Target{
			IngestURL: url + "/v1/transactions", BankAccountID: e.Shop.BankAccountID,
			Recipients: e.Shop.Recipients, MessagesURL: url + "/_sandbox/messages",
			Settle: func(ctx context.Context) error {
				return settle(ctx, "floor workflows", func(ctx context.Context) (int, error) {
					var res struct {
						Running int `json:"running"`
					}
					err := jsonhttp.Do(ctx, http.MethodGet, url+"/running", "", nil, http.StatusOK, &res)
					return res.Running, err
				})
			},
		}, load)
	})
}

func (e *Env) floorShop() FloorShop {
	return FloorShop{WorkspaceID: e.Shop.WorkspaceID, BankAccountID: e.Shop.BankAccountID,
		IntegrationIDs: e.Shop.IntegrationIDs, Recipients: e.Shop.Recipients, SearchAttributes: 4 - e.cfg.FloorWithout}
}

// settle polls pending until nothing is left in flight.
func settle(ctx context.Context, what string, pending func(context.Context) (int, error)) error {
	for {
		n, err := pending(ctx)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d %s still pending: %w", n, what, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// settled waits until a shop has no delivery still to be sent or
// recorded.
func (e *Env) settled(workspace uuid.UUID) func(context.Context) error {
	return func(ctx context.Context) error {
		return settle(ctx, "deliveries", func(ctx context.Context) (int, error) { return e.pendingDeliveries(ctx, workspace) })
	}
}

// pendingDeliveries counts a shop's deliveries still to be sent or
// recorded.
func (e *Env) pendingDeliveries(ctx context.Context, workspace uuid.UUID) (int, error) {
	var n int
	err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN transactions t ON t.id = d.transaction_id
		WHERE t.workspace_id = $1 AND d.status = 'pending'`, workspace).Scan(&n)
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
	pace := newPacer(e.cfg.Stack.SendRate)
	d := &Direct{Token: token, Recipients: e.Shop.Recipients, Pacer: pace, Zalo: zalo.NewClient(zalo.Config{
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
			MessagesURL: e.Stack.SandboxURL + "/_sandbox/messages", ClockOffset: e.Stack.ClockOffset()}, load)
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
	return jsonhttp.Do(ctx, http.MethodPut, s.SandboxURL+"/_sandbox/faults", "", faults, http.StatusOK, nil)
}
