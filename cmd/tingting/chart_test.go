package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/tingting-vn/tingting/internal/config"
)

// chartSets are the variables the Helm chart sets itself, from other
// values, and where.
var chartSets = map[string]string{
	"HTTP_ADDR":                        "configmap.yaml",
	"METRICS_ADDR":                     "configmap.yaml",
	"TEMPORAL_TLS_CLIENT_CERT_PATH":    "configmap.yaml",
	"TEMPORAL_TLS_CLIENT_KEY_PATH":     "configmap.yaml",
	"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "configmap.yaml",
	"WORKER_STOP_TIMEOUT":              "worker.yaml",
}

// chartDefaults are the variables whose default the chart gives as its own:
// where Temporal and the API are in a cluster.
var chartDefaults = map[string]bool{"TEMPORAL_ADDRESS": true, "PUBLIC_URL": true}

// TestTheChartSetsEveryVariable: deploy/helm/tingting names every variable
// `tingting env` lists, once: a secret under secret.env, the rest under
// config with tingting's own default (but chartDefaults), or in a template
// (chartSets). A variable added, renamed or given a new default fails here
// until the chart follows.
func TestTheChartSetsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/helm/tingting/values.yaml")
	require.NoError(t, err)
	var values struct {
		Secret struct {
			Env map[string]string `yaml:"env"`
		} `yaml:"secret"`
		Config map[string]string `yaml:"config"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &values))

	known := map[string]bool{}
	for _, v := range config.Vars {
		known[v.Name] = true
		_, secret := values.Secret.Env[v.Name]
		value, plain := values.Config[v.Name]
		template, set := chartSets[v.Name]
		require.Equal(t, 1, count(secret, plain, set), "%s must be in exactly one of secret.env, config and the templates", v.Name)
		require.Equal(t, v.Secret(), secret, "%s: secrets go in secret.env, and only they", v.Name)
		if plain && !chartDefaults[v.Name] {
			require.Equal(t, v.Default, value, "config.%s: tingting's default", v.Name)
		}
		if set {
			tpl, err := os.ReadFile("../../deploy/helm/tingting/templates/" + template)
			require.NoError(t, err)
			require.Contains(t, string(tpl), v.Name)
		}
	}
	for name := range values.Config {
		require.True(t, known[name], "config.%s is no variable of tingting's", name)
	}
	for name := range values.Secret.Env {
		require.True(t, known[name], "secret.env.%s is no variable of tingting's", name)
	}
	for name := range chartSets {
		require.True(t, known[name], "%s is no variable of tingting's", name)
	}
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// TestSecretVariablesAreMarked: the variables that hold a secret say
// so, for the chart test above.
func TestSecretVariablesAreMarked(t *testing.T) {
	var secrets []string
	for _, v := range config.Vars {
		if v.Secret() {
			secrets = append(secrets, v.Name)
		}
	}
	require.ElementsMatch(t, []string{
		"DATABASE_URL", "TINGTING_ENCRYPTION_KEY", "TEMPORAL_API_KEY",
		"ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_OA_ACCESS_TOKEN", "ZALO_OA_REFRESH_TOKEN",
		"TINGTING_ENCRYPTION_OLD_KEYS", "CODEC_OPERATOR_TOKEN", "ZALO_OA_CODE_VERIFIER",
	}, secrets, strings.Join(secrets, ", "))
}
