// Package bench runs tingting as separate processes on this machine — a
// Temporal server (the dev server, or a real one on PostgreSQL), the Zalo
// sandbox, the API and the worker, or several of each behind a balancer —
// puts load on it, and counts every message the sandbox received:
// latency, throughput, duplicates, missing messages, each process's CPU
// time and peak memory. Two references run in the same stack: the direct
// baseline (no Temporal, no database) and the floor (Temporal with
// nothing inside). Faults (killed processes, a failing sandbox, a worker
// cut off from PostgreSQL) can be injected mid-run (chaos.go), and a soak
// samples every process as a long run goes (soak.go).
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/lifeline"
	"github.com/tingting-vn/tingting/harness/ports"
	"github.com/tingting-vn/tingting/harness/temporalserver"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// StackConfig says what to run and where.
type StackConfig struct {
	Binary      string // the product's executable (cmd/tingting): api, worker
	DevBinary   string // the harness's (cmd/tingting-dev): zalosim
	TemporalCLI string
	DatabaseURL string // an existing, migrated database
	Dir         string // logs and the dev server's database file
	// TemporalArgs are extra `temporal server start-dev` flags (tuning).
	TemporalArgs []string
	// Env is added to the API's and worker's environment (tuning).
	Env []string
	// Server, if set, runs a real Temporal server on PostgreSQL instead of
	// the dev server (-temporal postgres); the stack fills in HostPort, Dir
	// and Output, sets its databases up at start and drops them at Stop.
	Server *temporalserver.Options
	// SendRate is the worker's (and the floor's) ZALO_SEND_RATE; 0: no limit.
	SendRate float64
	// Replicas is how many APIs and workers run (0 or 1: one of each). With
	// more, a balancer spreads requests over the APIs as a load balancer
	// would (APIURL is its address), and the last worker reaches PostgreSQL
	// through a proxy the harness can cut (CutDatabase).
	Replicas int
}

// PostgresTemporal is -temporal postgres for a bench on database:
// temporal-server and temporal-sql-tool from .data/bin (built from
// tools/go.mod if missing), the server module's schema from the module
// cache, deploy/temporal's configuration, and two databases on the same
// PostgreSQL named after the bench's (tingting_bench_temporal and
// tingting_bench_temporal_visibility).
func PostgresTemporal(ctx context.Context, database string, w io.Writer) (*temporalserver.Options, error) {
	pg, err := db.ConnConfig(database)
	if err != nil {
		return nil, err
	}
	server, sqlTool, err := temporalserver.Binaries(ctx, w)
	if err != nil {
		return nil, err
	}
	schema, err := temporalserver.SchemaDir(ctx)
	if err != nil {
		return nil, err
	}
	root, err := devtemporal.RepoRoot()
	if err != nil {
		return nil, err
	}
	return &temporalserver.Options{
		Server: server, SQLTool: sqlTool, SchemaDir: schema, DeployDir: filepath.Join(root, "deploy", "temporal"),
		PostgresURL: database, Database: pg.Database + "_temporal", VisibilityDatabase: pg.Database + "_temporal_visibility",
		Namespace: "default", SearchAttributes: contract.SearchAttributes(),
	}, nil
}

// Flavour names the Temporal server the stack runs.
func (c StackConfig) Flavour() string {
	if c.Server != nil {
		return FlavourPostgres
	}
	return FlavourDevServer
}

// The Temporal servers a stack can run (-temporal).
const (
	FlavourDevServer = "devserver" // temporal server start-dev, SQLite file
	FlavourPostgres  = "postgres"  // temporal-server on PostgreSQL (harness/temporalserver)
)

// Stack is a running tingting. Its methods are safe for concurrent use.
type Stack struct {
	cfg        StackConfig
	env        []string
	APIURL     string
	SandboxURL string
	// DebugURLs are where each piece serves net/http/pprof.
	DebugURLs map[string]string
	addrs     map[string]string
	temporal  string        // host:port
	key       []byte        // TINGTING_ENCRYPTION_KEY
	oaSecret  string        // ZALO_OA_SECRET_KEY: what signs Zalo's webhooks
	latency   time.Duration // the sandbox's, as Prepare set it
	apis      []string      // api, api-2…
	workers   []string      // worker, worker-2…
	balancer  *balancer     // in front of the APIs, with Replicas > 1
	dbProxy   *tcpProxy     // between the last worker and PostgreSQL, with Replicas > 1

	mu        sync.Mutex
	procs     map[string]*exec.Cmd
	devSrv    *testsuite.DevServer
	server    *temporalserver.Server
	floorArgs []string
	peakRSS   map[string]int64         // kB, the highest over every incarnation since ResetPeaks
	cpuDead   map[string]time.Duration // CPU time of killed incarnations
	// clockOffset is the sandbox clock minus the real one (PinClock).
	clockOffset time.Duration
}

// The pieces a stack runs, besides the dev server. Replicas of the API
// and the worker are named api-2, worker-2 and so on (Stack.APIs,
// Stack.Workers).
const (
	Sandbox  = "zalosim"
	API      = "api"
	Worker   = "worker"
	Temporal = "temporal"
	Floor    = "floor"    // the floor's ingest and worker (`tingting-dev bench floor`)
	Postgres = "postgres" // the PostgreSQL backends serving the stack's databases (CPU only)
	Bench    = "bench"    // this process: the load generator and the direct baseline
)

// pieces are the processes the stack may run.
func (s *Stack) pieces() []string {
	return slices.Concat([]string{Temporal, Sandbox}, s.apis, s.workers, []string{Floor})
}

// APIs are the API processes' names, Workers the workers'.
func (s *Stack) APIs() []string    { return s.apis }
func (s *Stack) Workers() []string { return s.workers }

// replica names the n-th (from 1) process of a piece: api, api-2, api-3…
func replica(piece string, n int) string {
	if n == 1 {
		return piece
	}
	return piece + "-" + strconv.Itoa(n)
}

// role is the piece a process runs: api-2 runs the API.
func role(name string) string {
	r, _, _ := strings.Cut(name, "-")
	return r
}

// Credentials the sandbox and tingting share; nothing here is secret.
const (
	appID          = "1234567890123456789"
	oaAccessToken  = "bench-oa-access-token"
	oaRefreshToken = "bench-oa-refresh-token"
)

// StartStack starts the dev server, the sandbox, the API and the worker,
// and returns once each answers.
func StartStack(ctx context.Context, cfg StackConfig) (*Stack, error) {
	s := &Stack{cfg: cfg, procs: map[string]*exec.Cmd{}, peakRSS: map[string]int64{}, addrs: map[string]string{},
		DebugURLs: map[string]string{}, cpuDead: map[string]time.Duration{}}
	for n := 1; n <= max(cfg.Replicas, 1); n++ {
		s.apis = append(s.apis, replica(API, n))
		s.workers = append(s.workers, replica(Worker, n))
	}
	for _, name := range s.pieces() {
		addr, err := ports.FreeAddr()
		if err != nil {
			return nil, err
		}
		s.addrs[name] = addr
		if r := role(name); r == API || r == Worker {
			for _, port := range []string{"metrics", "debug"} {
				if s.addrs[name+" "+port], err = ports.FreeAddr(); err != nil {
					return nil, err
				}
			}
			s.DebugURLs[name] = "http://" + s.addrs[name+" debug"]
		}
	}
	s.temporal = s.addrs[Temporal]
	s.APIURL = "http://" + s.addrs[API]
	s.SandboxURL = "http://" + s.addrs[Sandbox]
	if len(s.apis) > 1 {
		var upstreams []string
		for _, name := range s.apis {
			upstreams = append(upstreams, "http://"+s.addrs[name])
		}
		var err error
		if s.balancer, err = startBalancer(upstreams); err != nil {
			return nil, err
		}
		s.APIURL = s.balancer.URL()
		if s.dbProxy, err = startDatabaseProxy(cfg.DatabaseURL); err != nil {
			s.balancer.Close()
			return nil, err
		}
	}
	s.key = make([]byte, 32)
	_, _ = rand.Read(s.key)
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	s.oaSecret = hex.EncodeToString(secret)
	s.env = append(os.Environ(),
		"DATABASE_URL="+cfg.DatabaseURL,
		"TEMPORAL_ADDRESS="+s.temporal,
		"TEMPORAL_NAMESPACE=default",
		"ZALOSIM_ADDR="+s.addrs[Sandbox],
		"ZALO_OAUTH_URL="+s.SandboxURL, "ZALO_GRAPH_URL="+s.SandboxURL, "ZALO_OPENAPI_URL="+s.SandboxURL, "ZALO_ZNS_URL="+s.SandboxURL,
		"CASSO_API_URL="+s.SandboxURL,
		"ZALO_APP_ID="+appID, "ZALO_APP_SECRET="+hex.EncodeToString(secret),
		"ZALO_OA_SECRET_KEY="+hex.EncodeToString(secret),
		"ZALO_OA_ACCESS_TOKEN="+oaAccessToken, "ZALO_OA_REFRESH_TOKEN="+oaRefreshToken,
		"TINGTING_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(s.key),
		"PUBLIC_URL="+s.APIURL,
		"ZALOSIM_WEBHOOK_URL="+s.APIURL+"/v1/webhooks/zalo",
		"LOG_LEVEL=warn",
	)
	if cfg.Server != nil {
		srv := *cfg.Server
		srv.HostPort, srv.Dir = s.temporal, cfg.Dir
		s.cfg.Server = &srv
		if err := temporalserver.Setup(ctx, srv); err != nil {
			s.Stop()
			return nil, fmt.Errorf("setting up Temporal's databases: %w", err)
		}
	}
	if err := s.startTemporal(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	for _, name := range slices.Concat([]string{Sandbox}, s.apis, s.workers) {
		if err := s.Start(ctx, name); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// Start starts one piece (again, after Kill) and waits until it answers.
func (s *Stack) Start(ctx context.Context, name string) error {
	if name == Temporal {
		return s.startTemporal(ctx)
	}
	env := append([]string{}, s.env...)
	var ready string
	switch role(name) {
	case Sandbox:
		ready = s.SandboxURL + "/_sandbox"
	case API:
		env = append(env, "DATABASE_URL="+s.databaseURL(name), "HTTP_ADDR="+s.addrs[name],
			"DEBUG_ADDR="+s.addrs[name+" debug"], "METRICS_ADDR="+s.addrs[name+" metrics"])
		env = append(env, s.cfg.Env...)
		ready = "http://" + s.addrs[name] + "/readyz"
	case Worker:
		env = append(env, "DATABASE_URL="+s.databaseURL(name), "METRICS_ADDR="+s.addrs[name+" metrics"], "DEBUG_ADDR="+s.addrs[name+" debug"])
		env = append(env, s.sendRateEnv()...)
		env = append(env, s.cfg.Env...) // an explicit -env wins
		ready = s.MetricsURL(name) + "/readyz"
	case Floor:
		env = append(env, s.sendRateEnv()...)
		ready = s.FloorURL() + "/readyz"
	default:
		return fmt.Errorf("unknown piece %q", name)
	}
	logFile, err := os.OpenFile(filepath.Join(s.cfg.Dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.cfg.Binary, role(name))
	switch name {
	case Sandbox:
		cmd = exec.Command(s.cfg.DevBinary, name)
	case Floor:
		s.mu.Lock()
		args := append([]string{"bench", "floor", "-addr", s.addrs[Floor]}, s.floorArgs...)
		s.mu.Unlock()
		cmd = exec.Command(s.cfg.DevBinary, args...)
	}
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logFile, logFile
	lifeline.Tie(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); logFile.Close() }()
	s.mu.Lock()
	s.procs[name] = cmd
	s.mu.Unlock()
	if err := waitHTTP(ctx, ready, 30*time.Second); err != nil {
		return fmt.Errorf("%s did not come up (see %s): %w", name, logFile.Name(), err)
	}
	return nil
}

// MetricsURL is where an API or a worker serves its metrics and probes.
func (s *Stack) MetricsURL(name string) string { return "http://" + s.addrs[name+" metrics"] }

// databaseURL is DATABASE_URL for one process: named after it
// (application_name, so pg_stat_activity tells whose each connection is),
// and for the proxied worker through the proxy.
func (s *Stack) databaseURL(name string) string {
	u, err := url.Parse(s.cfg.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return s.cfg.DatabaseURL
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	if s.dbProxy != nil && name == s.workers[len(s.workers)-1] {
		u.Host = s.dbProxy.Addr()
	}
	return u.String()
}

// CutDatabase takes PostgreSQL away from the last worker alone (with
// Replicas > 1) for d: its connections are dropped, and new ones closed as
// they open, until d is over.
func (s *Stack) CutDatabase(ctx context.Context, d time.Duration) error {
	if s.dbProxy == nil {
		return errors.New("no worker reaches PostgreSQL through the proxy: it takes Replicas > 1")
	}
	return s.dbProxy.Cut(ctx, d)
}

// Rerouted is how many requests the balancer passed to another API after
// the connection to one failed (0 without replicas).
func (s *Stack) Rerouted() int {
	if s.balancer == nil {
		return 0
	}
	return int(s.balancer.rerouted.Load())
}

// sendRateEnv is ZALO_SEND_RATE for the worker and the floor: 0 (no
// limit, not the product's default of 60) unless -send-rate says.
func (s *Stack) sendRateEnv() []string {
	return []string{"ZALO_SEND_RATE=" + strconv.FormatFloat(max(s.cfg.SendRate, 0), 'f', -1, 64)}
}

// StartFloor starts the floor's process for the shop.
func (s *Stack) StartFloor(ctx context.Context, shop FloorShop) error {
	s.mu.Lock()
	s.floorArgs = []string{"-workspace", shop.WorkspaceID.String(), "-bank-account", shop.BankAccountID.String(),
		"-integrations", strings.Join(shop.IntegrationIDs, ","),
		"-recipients", strings.Join(shop.Recipients, ","), "-search-attributes", strconv.Itoa(shop.SearchAttributes)}
	s.mu.Unlock()
	return s.Start(ctx, Floor)
}

// FloorURL is where the floor's process serves.
func (s *Stack) FloorURL() string { return "http://" + s.addrs[Floor] }

func (s *Stack) startTemporal(ctx context.Context) error {
	logFile, err := os.OpenFile(filepath.Join(s.cfg.Dir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if s.cfg.Server != nil {
		o := *s.cfg.Server
		o.Output = logFile
		srv, err := temporalserver.Start(ctx, o)
		logFile.Close() // the server has its own copy
		if err != nil {
			return fmt.Errorf("starting the Temporal server (see %s): %w", logFile.Name(), err)
		}
		s.mu.Lock()
		s.server = srv
		s.mu.Unlock()
		return nil
	}
	srv, err := devtemporal.Start(ctx, devtemporal.Options{
		Binary: s.cfg.TemporalCLI, HostPort: s.temporal, Namespace: "default",
		DBFile: filepath.Join(s.cfg.Dir, "temporal.db"), Output: logFile, ExtraArgs: s.cfg.TemporalArgs,
	})
	if err != nil {
		logFile.Close()
		return fmt.Errorf("starting the Temporal dev server: %w", err)
	}
	s.mu.Lock()
	s.devSrv = srv
	s.mu.Unlock()
	return nil
}

// Kill ends a piece with SIGKILL: no shutdown, in-flight work lost.
func (s *Stack) Kill(name string) error { return s.end(name, 0) }

// Terminate stops a piece as a deploy does: SIGTERM, then up to limit for
// it to finish what it holds and exit; SIGKILL after that, and an error.
func (s *Stack) Terminate(name string, limit time.Duration) error { return s.end(name, limit) }

// end stops a piece, gracefully for up to grace if it is not 0, and
// returns once the kernel has reaped it, so its ports are free.
func (s *Stack) end(name string, grace time.Duration) error {
	pid := s.pid(name)
	if pid == 0 {
		return fmt.Errorf("%s is not running", name)
	}
	s.notePeak(name, pid)
	s.mu.Lock()
	s.cpuDead[name] += cpuTime(pid)
	s.mu.Unlock()
	gone := func(limit time.Duration) bool {
		for end := time.Now().Add(limit); processAlive(pid) && time.Now().Before(end); {
			time.Sleep(20 * time.Millisecond)
		}
		return !processAlive(pid)
	}
	if grace > 0 {
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			return err
		}
		if gone(grace) {
			return nil
		}
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	gone(30 * time.Second) // a big process takes a while to die
	if grace > 0 {
		return fmt.Errorf("%s did not stop within %s of SIGTERM: killed", name, grace)
	}
	return nil
}

// PeakRSS returns each piece's peak resident memory in kB since the last
// ResetPeaks (or the start), over every incarnation.
func (s *Stack) PeakRSS() map[string]int64 {
	for _, name := range s.pieces() {
		if pid := s.pid(name); pid != 0 {
			s.notePeak(name, pid)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.peakRSS))
	for k, v := range s.peakRSS {
		out[k] = v
	}
	return out
}

// ResetPeaks starts PeakRSS afresh: the kernel's high-water marks of the
// running pieces are reset to their current size (clear_refs), so the
// next PeakRSS is the peak of what ran in between.
func (s *Stack) ResetPeaks() {
	for _, name := range s.pieces() {
		if pid := s.pid(name); pid != 0 {
			resetPeakRSS(pid)
		}
	}
	s.mu.Lock()
	s.peakRSS = map[string]int64{}
	s.mu.Unlock()
}

// CPU returns the CPU time (user and system) each piece has used so far,
// over every incarnation.
func (s *Stack) CPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, name := range s.pieces() {
		var live time.Duration
		if pid := s.pid(name); pid != 0 {
			live = cpuTime(pid)
		}
		s.mu.Lock()
		if live > 0 || s.cpuDead[name] > 0 {
			out[name] = s.cpuDead[name] + live
		}
		s.mu.Unlock()
	}
	return out
}

// databases are the PostgreSQL databases the stack's processes use.
func (s *Stack) databases() []string {
	var dbs []string
	if cfg, err := db.ConnConfig(s.cfg.DatabaseURL); err == nil {
		dbs = append(dbs, cfg.Database)
	}
	if o := s.cfg.Server; o != nil {
		dbs = append(dbs, o.Database, o.VisibilityDatabase)
	}
	return dbs
}

// Stop ends every piece: the APIs, workers and floor gracefully, then the
// rest; a PostgreSQL-backed Temporal's databases are dropped.
func (s *Stack) Stop() {
	s.PeakRSS()
	for _, name := range slices.Concat(s.apis, s.workers, []string{Floor, Sandbox}) {
		if s.pid(name) != 0 {
			_ = s.Terminate(name, 5*time.Second)
		}
	}
	s.mu.Lock()
	devSrv, server := s.devSrv, s.server
	s.mu.Unlock()
	if devSrv != nil {
		if pid := s.pid(Temporal); pid != 0 {
			_ = devSrv.Stop()
		}
	}
	if server != nil {
		_ = server.Stop()
	}
	s.dropServerDatabases()
	if s.balancer != nil {
		s.balancer.Close()
	}
	if s.dbProxy != nil {
		s.dbProxy.Close()
	}
}

func (s *Stack) dropServerDatabases() {
	if s.cfg.Server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = temporalserver.Drop(ctx, *s.cfg.Server)
}

// pid is a running piece's process id, or 0.
func (s *Stack) pid(name string) int {
	if name == Temporal {
		s.mu.Lock()
		server := s.server
		s.mu.Unlock()
		if server != nil {
			return server.PID()
		}
		return devServerPID(s.temporal)
	}
	s.mu.Lock()
	cmd := s.procs[name]
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil || !processAlive(cmd.Process.Pid) {
		return 0
	}
	return cmd.Process.Pid
}

func (s *Stack) notePeak(name string, pid int) {
	kb := peakRSS(pid)
	s.mu.Lock()
	s.peakRSS[name] = max(s.peakRSS[name], kb)
	s.mu.Unlock()
}

// resetPeakRSS sets a process's high-water resident set (VmHWM) back to
// its current size; without permission it stays the lifetime peak.
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// postgresCPU reads the CPU time of each PostgreSQL backend serving one of
// dbs, by process id: a backend's title is "postgres: [cluster: ]user
// database client state". The server's shared processes (checkpointer, WAL
// writer) are not counted.
func postgresCPU(dbs []string) map[int]time.Duration {
	out := map[int]time.Duration{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.HasPrefix(cmdline, []byte("postgres: ")) {
			continue
		}
		f := strings.Fields(string(bytes.TrimRight(cmdline, "\x00")))
		for _, field := range f[1:min(len(f), 4)] {
			if slices.Contains(dbs, field) {
				out[pid] = cpuTime(pid)
				break
			}
		}
	}
	return out
}

// postgresSpent is the CPU the backends spent between two postgresCPU
// readings; one that ended in between is lost, one that began counts whole.
func postgresSpent(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}

// processAlive is true for a process that runs (not a zombie).
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// peakRSS reads a process's high-water resident set (VmHWM) in kB.
func peakRSS(pid int) int64 { return procStatusKB(pid, "VmHWM") }

// procStatusKB reads a field of /proc/PID/status given in kB (VmRSS,
// VmHWM); 0 if it cannot.
func procStatusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime reads a process's user and system time from /proc (in clock
// ticks of 10 ms, Linux's USER_HZ).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest) // f[0] is field 3 (state); utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// devServerPID finds this process's `temporal server start-dev` child
// listening on hostPort (the SDK that starts it does not expose it).
func devServerPID(hostPort string) int {
	_, port, _ := net.SplitHostPort(hostPort)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !processAlive(pid) {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if !strings.Contains(string(cmdline), "start-dev") {
			continue
		}
		for i, a := range args {
			if a == "--port" && i+1 < len(args) && args[i+1] == port {
				return pid
			}
		}
	}
	return 0
}

// waitHTTP polls url until it answers 200.
func waitHTTP(ctx context.Context, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("%s answered %d", url, res.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FreshDatabase drops and recreates the database url names, then migrates
// it, so every benchmark starts empty.
func FreshDatabase(ctx context.Context, url string) error {
	cfg, err := db.ConnConfig(url)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	return db.Migrate(ctx, pool, slog.New(slog.DiscardHandler))
}
