package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// Options are `tingting-dev bench`'s flags.
type Options struct {
	Transactions    int     // -n
	Rate            float64 // -rate; 0: as fast as accepted, MaxInFlight in flight
	Integrations    int     // -integrations (K)
	Recipients      int     // -recipients (M)
	Latency         time.Duration
	Direct          bool
	Binary          string // -binary: the product's executable
	Profile         string // -profile DIR
	Database        string // -database URL
	TemporalArgs    []string
	Env             []string
	JSON            string  // -json PATH
	Burst           int     // -burst N: a burst of N instead of -n at -rate
	SendRate        float64 // -send-rate R: ZALO_SEND_RATE for the worker (and the baselines' sends)
	Temporal        string  // -temporal devserver|postgres
	Quiet           float64 // -quiet F: the share of recipients who last interacted QuietFor ago
	FloorAttributes int     // -floor-attributes N: how many search attributes the floor sets
	Chatter         float64 // -chatter R: commands a second from strangers, in a second tingting run
	Strangers       int     // -strangers N: how many strangers write them
	// -shops N -noisy-shop R -noisy-recipients M -duration D: N shops
	// (workspaces), one posting R transactions a second to M people, the
	// others one a second to -recipients, for D.
	Shops           int
	NoisyRate       float64
	NoisyRecipients int
	Duration        time.Duration
}

// ParseOptions reads the flags; a bad value is an error, with usage on
// stderr for an unknown flag.
func ParseOptions(args []string, stderr io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Transactions, "n", 3000, "transactions to post")
	fs.Float64Var(&o.Rate, "rate", 100, "transactions per second; 0: as fast as the stack accepts them, 64 posts in flight")
	fs.IntVar(&o.Integrations, "integrations", 1, "integrations on the bank account (K)")
	fs.IntVar(&o.Recipients, "recipients", 3, "recipients per integration, the owner included (M)")
	fs.DurationVar(&o.Latency, "latency", 50*time.Millisecond, "how long the sandbox takes to answer each Zalo call")
	fs.BoolVar(&o.Direct, "direct", true, "first run the direct baseline (ingest handler → sandbox, no Temporal, no database)")
	fs.StringVar(&o.Binary, "binary", "", "the product's binary (cmd/tingting); default: tingting next to this one")
	fs.StringVar(&o.Profile, "profile", "", "write CPU profiles of the API and the worker during tingting's run to this directory")
	fs.StringVar(&o.Database, "database", "", "PostgreSQL URL of the database to (re)create; default: DATABASE_URL's server, database tingting_bench")
	fs.Func("temporal-arg", "an extra `temporal server start-dev` flag (repeatable), e.g. --sqlite-pragma=journal_mode=wal",
		func(v string) error { o.TemporalArgs = append(o.TemporalArgs, v); return nil })
	fs.Func("env", "NAME=value for the API and worker (repeatable)", func(v string) error { o.Env = append(o.Env, v); return nil })
	fs.StringVar(&o.JSON, "json", "", "also write the report as JSON to `PATH`")
	fs.IntVar(&o.Burst, "burst", 0, "instead of -n at -rate: post `N` transactions as fast as accepted (64 in flight), "+
		"then one a second until the burst is delivered, and report how fast it was accepted and how long the fresh ones waited")
	fs.Float64Var(&o.SendRate, "send-rate", 0, "pace Zalo sends at `R` per second: the worker's ZALO_SEND_RATE, and the direct and floor modes' own")
	fs.StringVar(&o.Temporal, "temporal", FlavourDevServer, "the Temporal server: devserver (temporal server start-dev, SQLite) or "+
		"postgres (temporal-server on PostgreSQL, configured by deploy/temporal)")
	fs.Float64Var(&o.Quiet, "quiet", 0, "the share `F` (0..1) of each integration's recipients who, for tingting's run, last interacted "+
		"with the OA 10 days ago, in the sandbox and in tingting's followers: chat (cs) reaches only the others. Above 0 the sandbox "+
		"clock is pinned to noon in Vietnam and the API and worker run with ZALO_NIGHT=off, so the template messages they get are pushed. "+
		"The report counts Zalo calls by kind and refusals by code either way. Without the tracking (tingting believing everyone "+
		"is in the chat window, so the quiet ones cost a refused cs first): add -env ZALO_CS_WINDOW=87600h")
	fs.IntVar(&o.FloorAttributes, "floor-attributes", 4, "how many of tingting's four search attributes the floor sets (0 to 4: "+
		"WorkspaceId, BankAccountId, TransactionId, IntegrationId, in that order), to measure what each costs")
	fs.Float64Var(&o.Chatter, "chatter", 0, "after tingting's run, run it again under the same load while people in no integration write `R` "+
		"commands a second to the OA (/trogiup, /homnay, /dung…, in turn from each of -strangers: their webhooks signed as Zalo's and "+
		"posted by the bench), and count what the OA answered them; the floor does not run")
	fs.IntVar(&o.Strangers, "strangers", 200, "how many people write the -chatter commands, in turn")
	fs.IntVar(&o.Shops, "shops", 0, "instead of -n at -rate: `N` shops (workspaces), each with one integration, posting at once for -duration: "+
		"the first -noisy-shop transactions a second to -noisy-recipients people, the others one a second to -recipients; "+
		"tingting alone runs (the baselines have no shops), and the report gives each shop's latency and share of the sends")
	fs.Float64Var(&o.NoisyRate, "noisy-shop", 10, "with -shops: the noisy shop's transactions a `second`")
	fs.IntVar(&o.NoisyRecipients, "noisy-recipients", 30, "with -shops: the noisy shop's recipients, the owner included")
	fs.DurationVar(&o.Duration, "duration", 90*time.Second, "with -shops: how long the shops post")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.Transactions < 1 || o.Integrations < 1 || o.Recipients < 1:
		return o, errors.New("bench: -n, -integrations and -recipients must be positive")
	case o.Rate < 0 || o.Burst < 0 || o.SendRate < 0 || o.Chatter < 0:
		return o, errors.New("bench: -rate, -burst, -send-rate and -chatter must not be negative")
	case o.Strangers < 1:
		return o, errors.New("bench: -strangers must be positive")
	case o.FloorAttributes < 0 || o.FloorAttributes > 4:
		return o, fmt.Errorf("bench: -floor-attributes %d: want 0 to 4", o.FloorAttributes)
	case !(o.Quiet >= 0 && o.Quiet <= 1):
		return o, fmt.Errorf("bench: -quiet %g: want a share from 0 to 1", o.Quiet)
	case o.Temporal != FlavourDevServer && o.Temporal != FlavourPostgres:
		return o, fmt.Errorf("bench: -temporal %q: want devserver or postgres", o.Temporal)
	case o.Shops < 0 || o.Shops == 1:
		return o, fmt.Errorf("bench: -shops %d: want 2 or more (one noisy, the others quiet), or 0", o.Shops)
	case o.Shops > 0 && (o.NoisyRate <= 0 || o.NoisyRecipients < 1 || o.Duration < time.Second):
		return o, errors.New("bench: -noisy-shop and -noisy-recipients must be positive, -duration a second or more")
	case o.Shops > 0 && (o.Burst > 0 || o.Quiet > 0):
		return o, errors.New("bench: -shops is a load of its own: not with -burst or -quiet")
	case o.Temporal == FlavourPostgres && len(o.TemporalArgs) > 0:
		return o, errors.New("bench: -temporal-arg is for the dev server; tune the postgres flavour in deploy/temporal/dynamicconfig.yaml")
	}
	return o, nil
}

// Load is the traffic the options ask for. Patience — how long a run
// waits for its messages after the last post — is 3 minutes, plus twice
// the time paced sends need to drain the load.
func (o Options) Load() Load {
	l := Load{Transactions: o.Transactions, Rate: o.Rate, Copies: 1, Patience: 3 * time.Minute}
	if o.Burst > 0 {
		l.Transactions, l.Rate, l.Fresh = o.Burst, 0, true
	}
	if o.SendRate > 0 {
		drain := float64(l.Transactions*o.Integrations*o.Recipients) / o.SendRate
		l.Patience += 2 * time.Duration(drain*float64(time.Second))
	}
	return l
}

// Config is the benchmark the options ask for, on stack (which the caller
// completes with binaries, database and folder). With quiet recipients the
// product has no night (ZALO_NIGHT=off, before -env, which may override it).
func (o Options) Config(stack StackConfig) Config {
	stack.TemporalArgs, stack.Env, stack.SendRate = o.TemporalArgs, o.Env, o.SendRate
	if o.Quiet > 0 {
		stack.Env = append([]string{"ZALO_NIGHT=off"}, o.Env...)
	}
	cfg := Config{
		Stack: stack, Integrations: o.Integrations, Recipients: o.Recipients, Latency: o.Latency,
		Load: o.Load(), Direct: o.Direct, Floor: o.Chatter == 0, ProfileDir: o.Profile, JSONPath: o.JSON, Quiet: o.Quiet,
		FloorWithout: 4 - o.FloorAttributes, Chatter: Chatter{Rate: o.Chatter, Strangers: o.Strangers},
	}
	if o.Shops > 0 {
		cfg.Shops = ShopLoads(o.Shops, o.NoisyRate, o.NoisyRecipients, o.Recipients, o.Duration, o.SendRate)
		cfg.Integrations, cfg.Load, cfg.Direct, cfg.Floor = 1, total(cfg.Shops), false, false
	}
	return cfg
}
