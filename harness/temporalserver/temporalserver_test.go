package temporalserver_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"gopkg.in/yaml.v3"

	"github.com/tingting-vn/tingting/harness/temporalserver"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// The server renders deploy/temporal/config.yaml with sprig; this renders
// it with the three functions it may use, so a typo fails here rather than
// in a server's start-up.
func TestConfigTemplate(t *testing.T) {
	b, err := os.ReadFile("../../deploy/temporal/config.yaml")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "# enable-template"), "the server renders only files that say so")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		shards int
		addr   string
	}{
		{"defaults", nil, 4, "127.0.0.1:5432"},
		{"bench", map[string]string{"NUM_HISTORY_SHARDS": "8", "POSTGRES_SEEDS": "db", "DB_PORT": "5433", "DBNAME": "t1"}, 8, "db:5433"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := template.New("config").Funcs(template.FuncMap{
				"env":     func(k string) string { return tc.env[k] },
				"default": func(d string, v string) string { return map[bool]string{true: d, false: v}[v == ""] },
				"quote":   func(v string) string { return fmt.Sprintf("%q", v) },
			}).Parse(string(b))
			require.NoError(t, err)
			var out strings.Builder
			require.NoError(t, tpl.Execute(&out, nil))
			var cfg struct {
				Persistence struct {
					NumHistoryShards int `yaml:"numHistoryShards"`
					DefaultStore     string
					DataStores       map[string]struct {
						SQL struct {
							PluginName   string `yaml:"pluginName"`
							ConnectAddr  string `yaml:"connectAddr"`
							DatabaseName string `yaml:"databaseName"`
						}
					} `yaml:"datastores"`
				}
				Services map[string]struct {
					RPC struct {
						GRPCPort int `yaml:"grpcPort"`
					}
				}
			}
			require.NoError(t, yaml.Unmarshal([]byte(out.String()), &cfg), out.String())
			assert.Equal(t, tc.shards, cfg.Persistence.NumHistoryShards)
			def := cfg.Persistence.DataStores["postgres-default"].SQL
			assert.Equal(t, "postgres12_pgx", def.PluginName)
			assert.Equal(t, tc.addr, def.ConnectAddr)
			assert.Len(t, cfg.Services, 4, "frontend, history, matching and worker in one process")
			assert.Equal(t, 7233, cfg.Services["frontend"].RPC.GRPCPort)
		})
	}
}

// TestServer builds (if need be) and runs the real server on fresh
// databases, starts a workflow with tingting's search attributes, restarts
// the server on the same databases and cleans up.
func TestServer(t *testing.T) {
	testenv.SkipShort(t, "a Temporal server on PostgreSQL (and building it, the first time)")
	ctx := context.Background()
	server, sqlTool, err := temporalserver.Binaries(ctx, os.Stderr)
	require.NoError(t, err)
	schema, err := temporalserver.SchemaDir(ctx)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hostPort := ln.Addr().String()
	ln.Close()
	suffix := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	o := temporalserver.Options{
		Server: server, SQLTool: sqlTool, SchemaDir: schema, DeployDir: "../../deploy/temporal",
		PostgresURL: testenv.DefaultDatabaseURL, Database: "tt_" + suffix, VisibilityDatabase: "tt_" + suffix + "_visibility",
		HostPort: hostPort, Namespace: "default", SearchAttributes: contract.SearchAttributes(),
		Dir: t.TempDir(),
	}
	var logs strings.Builder
	o.Output = &logs
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("temporal-server's log:\n" + logs.String())
		}
	})
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		o.PostgresURL = u
	}
	require.NoError(t, temporalserver.Setup(ctx, o))
	t.Cleanup(func() { assert.NoError(t, temporalserver.Drop(context.Background(), o)) })

	for round := range 2 {
		srv, err := temporalserver.Start(ctx, o)
		require.NoError(t, err, "round %d", round)
		assert.NotZero(t, srv.PID())
		c, err := client.Dial(client.Options{HostPort: hostPort})
		require.NoError(t, err)
		desc, err := c.DescribeWorkflowExecution(ctx, "nonexistent", "")
		assert.Error(t, err, "%v", desc)
		c.Close()
		require.NoError(t, srv.Stop())
		assert.Zero(t, srv.PID())
	}
}
