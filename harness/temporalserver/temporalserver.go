// Package temporalserver runs a real Temporal server — go.temporal.io/server
// built from tools/go.mod, every service in one process — on two databases
// of a PostgreSQL server, configured by deploy/temporal/. The bench runs
// tingting against it (-temporal postgres) to compare with the dev server.
// Nothing is downloaded at run time but Go modules, through the proxy.
package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/devtemporal"
	"github.com/tingting-vn/tingting/harness/lifeline"
	"github.com/tingting-vn/tingting/harness/ports"
)

// The server module's packages, as tools/go.mod pins them.
const (
	module        = "go.temporal.io/server"
	serverPackage = module + "/cmd/server"
	sqlToolPkg    = module + "/cmd/tools/sql"
	// sqlPlugin is pgx, the driver tingting itself uses; config.yaml names it too.
	sqlPlugin = "postgres12_pgx"
)

// Binaries returns temporal-server and temporal-sql-tool from .data/bin
// (make tools), building whichever is missing from tools/go.mod, saying so
// on w.
func Binaries(ctx context.Context, w io.Writer) (server, sqlTool string, err error) {
	root, err := devtemporal.RepoRoot()
	if err != nil {
		return "", "", err
	}
	server, err = devtemporal.Build(ctx, w, root, "temporal-server", serverPackage)
	if err != nil {
		return "", "", err
	}
	sqlTool, err = devtemporal.Build(ctx, w, root, "temporal-sql-tool", sqlToolPkg)
	return server, sqlTool, err
}

// SchemaDir is the server module's PostgreSQL schema
// (schema/postgresql/v12), in the module cache at the version tools/go.mod
// pins, fetched through the Go module proxy if the cache lacks it.
func SchemaDir(ctx context.Context) (string, error) {
	root, err := devtemporal.RepoRoot()
	if err != nil {
		return "", err
	}
	dir, err := goCmd(ctx, root, "list", "-m", "-f", "{{.Dir}}", "-modfile=tools/go.mod", module)
	if err == nil && dir == "" {
		if _, err = goCmd(ctx, root, "mod", "download", "-modfile=tools/go.mod", module); err == nil {
			dir, err = goCmd(ctx, root, "list", "-m", "-f", "{{.Dir}}", "-modfile=tools/go.mod", module)
		}
	}
	if err != nil {
		return "", fmt.Errorf("finding %s's schema: %w", module, err)
	}
	schema := filepath.Join(dir, "schema", "postgresql", "v12")
	if _, err := os.Stat(filepath.Join(schema, "temporal", "versioned")); err != nil {
		return "", fmt.Errorf("no PostgreSQL schema in %s: %w", dir, err)
	}
	return schema, nil
}

func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// Options say which server to run, on which databases.
type Options struct {
	Server, SQLTool string // the binaries (Binaries)
	SchemaDir       string // schema/postgresql/v12 (SchemaDir)
	// DeployDir holds config.yaml (a template the server renders from the
	// environment) and dynamicconfig.yaml: deploy/temporal.
	DeployDir string
	// PostgresURL names the PostgreSQL server and its credentials; its
	// database is only where the two below are created from.
	PostgresURL                  string
	Database, VisibilityDatabase string
	HostPort                     string // the frontend's gRPC address, 127.0.0.1:port
	Shards                       int    // history shards; 0 keeps config.yaml's default
	Namespace                    string
	// SearchAttributes are registered in Namespace (only names and types count).
	SearchAttributes temporal.SearchAttributes
	Dir              string    // the run's folder: the server's config is written there
	Output           io.Writer // the server's log; nil discards it
}

// Setup drops and recreates the two databases and gives them Temporal's
// schema with temporal-sql-tool, so every run starts empty.
func Setup(ctx context.Context, o Options) error {
	pg, err := db.ConnConfig(o.PostgresURL)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, pg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, spec := range []struct{ db, schema string }{{o.Database, "temporal"}, {o.VisibilityDatabase, "visibility"}} {
		name := pgx.Identifier{spec.db}.Sanitize()
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return err
		}
		tool := func(args ...string) error {
			cmd := exec.CommandContext(ctx, o.SQLTool, append([]string{"--plugin", sqlPlugin, "--ep", pg.Host,
				"--port", strconv.Itoa(int(pg.Port)), "--user", pg.User, "--db", spec.db}, args...)...)
			cmd.Env = append(os.Environ(), "SQL_PASSWORD="+pg.Password)
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("temporal-sql-tool %s on %s: %w\n%s", args[0], spec.db, err, out)
			}
			return nil
		}
		// The versioning tables, then every versioned step up to the latest.
		if err := tool("setup-schema", "-v", "0.0"); err != nil {
			return err
		}
		if err := tool("update-schema", "-d", filepath.Join(o.SchemaDir, spec.schema, "versioned")); err != nil {
			return err
		}
	}
	return nil
}

// Drop removes the two databases.
func Drop(ctx context.Context, o Options) error {
	cfg, err := db.ConnConfig(o.PostgresURL)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var errs []error
	for _, db := range []string{o.Database, o.VisibilityDatabase} {
		_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Server is a running temporal-server process.
type Server struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process is reaped
}

// Start runs the server on databases Setup prepared and returns once it
// answers with the namespace and search attributes usable: it creates
// what is missing, so a restart on the same databases works too.
func Start(ctx context.Context, o Options) (*Server, error) {
	env, err := o.environment()
	if err != nil {
		return nil, err
	}
	// The server reads <root>/<config>/<env>.yaml: the template, copied
	// into the run's folder with the dynamic config beside it.
	confDir := filepath.Join(o.Dir, "temporal-config")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return nil, err
	}
	for from, to := range map[string]string{"config.yaml": "tingting.yaml", "dynamicconfig.yaml": "dynamicconfig.yaml"} {
		b, err := os.ReadFile(filepath.Join(o.DeployDir, from))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(confDir, to), b, 0o644); err != nil {
			return nil, err
		}
	}
	env = append(env, "DYNAMIC_CONFIG_FILE_PATH="+filepath.Join(confDir, "dynamicconfig.yaml"))
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	cmd := exec.Command(o.Server, "--root", o.Dir, "--config", "temporal-config", "--env", "tingting", "--allow-no-auth", "start")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	lifeline.Tie(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting temporal-server: %w", err)
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	if err := s.ready(ctx, o); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// environment is what config.yaml reads: the databases, and a free port
// for every service but the frontend's gRPC one, which is o.HostPort.
func (o Options) environment() ([]string, error) {
	pg, err := db.ConnConfig(o.PostgresURL)
	if err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(o.HostPort)
	if err != nil {
		return nil, err
	}
	env := []string{
		"POSTGRES_SEEDS=" + pg.Host, "DB_PORT=" + strconv.Itoa(int(pg.Port)),
		"POSTGRES_USER=" + pg.User, "POSTGRES_PWD=" + pg.Password,
		"DBNAME=" + o.Database, "VISIBILITY_DBNAME=" + o.VisibilityDatabase,
		"BIND_ON_IP=" + host, "FRONTEND_GRPC_PORT=" + port, "LOG_LEVEL=warn",
	}
	if o.Shards > 0 {
		env = append(env, "NUM_HISTORY_SHARDS="+strconv.Itoa(o.Shards))
	}
	for _, name := range []string{"FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT", "HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT",
		"MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT", "WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT"} {
		p, err := ports.Free(host)
		if err != nil {
			return nil, err
		}
		env = append(env, name+"="+p)
	}
	return env, nil
}

// ready waits for the frontend, then makes sure the namespace and the
// search attributes exist and that a workflow can be started with them
// (a new namespace or attribute takes a moment to reach every cache).
func (s *Server) ready(ctx context.Context, o Options) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	opts := client.Options{HostPort: o.HostPort, Namespace: o.Namespace,
		Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))}
	var c client.Client
	err := s.retry(ctx, func() error {
		var err error
		c, err = client.DialContext(ctx, opts)
		return err
	})
	if err != nil {
		return fmt.Errorf("temporal-server did not answer at %s: %w", o.HostPort, err)
	}
	defer c.Close()

	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: o.Namespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("creating namespace %s: %w", o.Namespace, err)
	}
	if err := addSearchAttributes(ctx, c, o.Namespace, o.SearchAttributes); err != nil {
		return err
	}
	// A probe workflow, started with every search attribute and then
	// terminated, proves both are in place.
	probe := "temporalserver-probe-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	err = s.retry(ctx, func() error {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: probe, TaskQueue: probe,
			TypedSearchAttributes: o.SearchAttributes}, "Probe")
		return err
	})
	if err != nil {
		return fmt.Errorf("namespace %s with its search attributes never became usable: %w", o.Namespace, err)
	}
	return c.TerminateWorkflow(ctx, probe, "", "probe")
}

func addSearchAttributes(ctx context.Context, c client.Client, namespace string, sa temporal.SearchAttributes) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("listing search attributes: %w", err)
	}
	want := map[string]enumspb.IndexedValueType{}
	for key := range sa.GetUntypedValues() {
		if _, ok := have.GetCustomAttributes()[key.GetName()]; !ok {
			want[key.GetName()] = key.GetValueType()
		}
	}
	if len(want) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: want})
	if err != nil {
		return fmt.Errorf("adding search attributes: %w", err)
	}
	return nil
}

// retry calls f every 200 ms until it succeeds, ctx ends or the server
// exits.
func (s *Server) retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-s.done:
			return fmt.Errorf("temporal-server exited (see its log): %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// PID is the server's process id, or 0 once it has exited.
func (s *Server) PID() int {
	select {
	case <-s.done:
		return 0
	default:
		return s.cmd.Process.Pid
	}
}

// Stop ends the server: SIGTERM, and SIGKILL if it is still there after
// 10 s.
func (s *Server) Stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	if err := s.cmd.Process.Kill(); err != nil {
		return err
	}
	<-s.done
	return nil
}
