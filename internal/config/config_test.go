package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/internal/config"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "10m0s", c.CassoSignatureMaxAge.String())
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for name, value := range map[string]string{
		"DATABASE_URL":            "not a url",
		"TINGTING_ENCRYPTION_KEY": "c2hvcnQ=",
		"CASSO_SIGNATURE_MAX_AGE": "ten minutes",
		"LOG_LEVEL":               "loud",
		"LOG_FORMAT":              "xml",
	} {
		_, err := config.Load(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name)
	}
}

// TestReadmeDocumentsEveryVariable keeps the README's table true.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, v := range config.Vars {
		require.True(t, strings.Contains(string(readme), "| `"+v.Name+"` |"), "README.md lacks %s", v.Name)
	}
}
