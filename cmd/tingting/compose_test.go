package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestComposeExposesOnlyWhatMustBeReached: no machine here runs Docker, so
// docker-compose.yml is checked by reading it. Temporal (which has no
// authentication of its own there) and PostgreSQL publish no port, the
// Temporal UI only on the host's loopback, and no encryption key ships in
// the file: compose refuses to start until one is given.
func TestComposeExposesOnlyWhatMustBeReached(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var compose struct {
		Env      map[string]string `yaml:"x-tingting-env"`
		Services map[string]struct {
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &compose))

	published := map[string][]string{}
	for name, svc := range compose.Services {
		if len(svc.Ports) > 0 {
			published[name] = svc.Ports
		}
	}
	require.Equal(t, map[string][]string{
		"api":         {"8080:8080"},
		"zalosim":     {"8090:8090"},
		"temporal-ui": {"127.0.0.1:8233:8080"},
	}, published)

	key := compose.Env["TINGTING_ENCRYPTION_KEY"]
	require.True(t, strings.HasPrefix(key, "${TINGTING_ENCRYPTION_KEY:?"), "the key must come from the environment, got %q", key)
}

// TestComposeRunsTemporalAsTheBenchmarkDoes: docker-compose's Temporal has
// the shard count and dynamic config of deploy/temporal, which the
// benchmark's -temporal postgres runs, so its numbers carry over.
func TestComposeRunsTemporalAsTheBenchmarkDoes(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &compose))
	temporal := compose.Services["temporal"]

	config, err := os.ReadFile("../../deploy/temporal/config.yaml")
	require.NoError(t, err)
	require.Contains(t, string(config), `numHistoryShards: {{ default "`+temporal.Environment["NUM_HISTORY_SHARDS"]+`" (env "NUM_HISTORY_SHARDS") }}`)
	require.Contains(t, temporal.Volumes, "./deploy/temporal/dynamicconfig.yaml:"+temporal.Environment["DYNAMIC_CONFIG_FILE_PATH"]+":ro")
}

// TestComposeRegistersTheContractsSearchAttributes: docker-compose names
// tingting's search attributes in a shell loop; they must be the
// contract's, which every other server (dev, tests, benchmark) gets.
func TestComposeRegistersTheContractsSearchAttributes(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &compose))
	cmd := compose.Services["temporal-search-attributes"].Command
	require.Len(t, cmd, 1)
	loop := regexp.MustCompile(`for attribute in ([^;]+);`).FindStringSubmatch(cmd[0])
	require.NotNil(t, loop, cmd[0])

	var want []string
	for key := range contract.SearchAttributes().GetUntypedValues() {
		want = append(want, key.GetName()+":"+key.GetValueType().String()) // Keyword, KeywordList: the CLI's names
	}
	require.ElementsMatch(t, want, strings.Fields(loop[1]))
}
