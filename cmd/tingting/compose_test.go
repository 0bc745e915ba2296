package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// No machine here runs Docker, so docker-compose.yml is read with
// compose-go, the loader `docker compose config` runs: the file is checked
// against the Compose specification, its variables are interpolated, and
// the tests read the project Docker would run.

const testKey = "c29tZSBrZXkgZm9yIHRoZSBjb21wb3NlIHRlc3QgMzI="

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "docker-compose.yml")}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("tingting", true) })
}

func composeProject(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, map[string]string{"TINGTING_ENCRYPTION_KEY": testKey})
	require.NoError(t, err)
	return p
}

// TestComposeExposesOnlyWhatMustBeReached: Temporal (which has no
// authentication of its own there) and PostgreSQL publish no port, the
// Temporal UI only on the host's loopback, and no encryption key ships in
// the file: compose refuses to start until one is given.
func TestComposeExposesOnlyWhatMustBeReached(t *testing.T) {
	_, err := loadCompose(t, nil)
	require.ErrorContains(t, err, "set TINGTING_ENCRYPTION_KEY to base64 of 32 random bytes")

	p := composeProject(t)
	published := map[string][]string{}
	for name, svc := range p.Services {
		for _, port := range svc.Ports {
			published[name] = append(published[name], strings.TrimPrefix(fmt.Sprintf("%s:%s:%d", port.HostIP, port.Published, port.Target), ":"))
		}
	}
	require.Equal(t, map[string][]string{
		"api":         {"8080:8080"},
		"zalosim":     {"8090:8090"},
		"temporal-ui": {"127.0.0.1:8233:8080"},
	}, published)
	for _, name := range []string{"api", "worker", "migrate"} {
		require.Equal(t, testKey, *p.Services[name].Environment["TINGTING_ENCRYPTION_KEY"], name)
	}
}

// TestComposeRunsTemporalAsTheBenchmarkDoes: docker-compose's Temporal is
// Temporal's own images at the server version tools/go.mod pins, with the
// SQL plugin, shard count and dynamic config of deploy/temporal, which the
// benchmark's -temporal postgres runs, so its numbers carry over.
func TestComposeRunsTemporalAsTheBenchmarkDoes(t *testing.T) {
	p := composeProject(t)
	version := pinnedTemporalServer(t)
	temporal := p.Services["temporal"]
	require.Equal(t, "temporalio/server:"+version, temporal.Image)
	for _, name := range []string{"temporal-schema", "temporal-namespace"} {
		image := p.Services[name].Image
		// admin-tools tags name the server's version, then the CLIs it ships.
		require.Regexp(t, "^temporalio/admin-tools:"+regexp.QuoteMeta(version)+"(-|$)", image, name)
	}

	config, err := os.ReadFile("../../deploy/temporal/config.yaml")
	require.NoError(t, err)
	env := func(svc, name string) string {
		v := p.Services[svc].Environment[name]
		require.NotNil(t, v, "%s has no %s", svc, name)
		return *v
	}
	require.Contains(t, string(config), `numHistoryShards: {{ default "`+env("temporal", "NUM_HISTORY_SHARDS")+`" (env "NUM_HISTORY_SHARDS") }}`)
	require.Contains(t, string(config), "pluginName: "+env("temporal", "DB")+"\n")
	require.Equal(t, env("temporal", "DB"), env("temporal-schema", "SQL_PLUGIN"))

	dynamic, err := filepath.Abs("../../deploy/temporal/dynamicconfig.yaml")
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(temporal.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Source == dynamic && v.Target == env("temporal", "DYNAMIC_CONFIG_FILE_PATH") && v.ReadOnly
	}), "deploy/temporal/dynamicconfig.yaml is not mounted read-only at DYNAMIC_CONFIG_FILE_PATH: %+v", temporal.Volumes)
}

// TestComposeRegistersTheContractsSearchAttributes: the namespace gets
// exactly the search attributes workflows/contract sets, with their types,
// before anything of tingting starts.
func TestComposeRegistersTheContractsSearchAttributes(t *testing.T) {
	p := composeProject(t)
	svc := p.Services["temporal-namespace"]
	var want []string
	for key := range contract.SearchAttributes().GetUntypedValues() {
		want = append(want, key.GetName()+"="+key.GetValueType().String())
	}
	got := strings.Fields(*svc.Environment["SEARCH_ATTRIBUTES"])
	require.ElementsMatch(t, want, got)
	require.Equal(t, *p.Services["api"].Environment["TEMPORAL_NAMESPACE"], *svc.Environment["NAMESPACE"])
	for _, name := range []string{"api", "worker"} {
		require.Equal(t, types.ServiceConditionCompletedSuccessfully, p.Services[name].DependsOn["temporal-namespace"].Condition, name)
	}
}

// pinnedTemporalServer is the version of go.temporal.io/server that
// tools/go.mod builds the benchmark's server from.
func pinnedTemporalServer(t *testing.T) string {
	raw, err := os.ReadFile("../../tools/go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*go\.temporal\.io/server v(\S+)`).FindSubmatch(raw)
	require.NotNil(t, m, "tools/go.mod pins no go.temporal.io/server")
	return string(m[1])
}
