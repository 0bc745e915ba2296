package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/route"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "10m0s", c.CassoSignatureMaxAge.String())
	require.Equal(t, route.Default(), c.Routes, "the README's defaults are route.Default")
	require.Equal(t, 60.0, c.SendRate)
	require.False(t, c.SignupOpen, "sign-up is closed unless the operator opens it")
	require.Equal(t, 72*time.Hour, c.SessionIdleTimeout)
	require.Equal(t, 720*time.Hour, c.SessionMaxAge)
	require.True(t, c.MemberLink)
}

func TestTheRoutePolicyIsConfiguration(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"ZALO_ROUTES": "template_phone, cs", "ZALO_CS_WINDOW": "24h", "ZALO_NIGHT": "21:30-06:15", "ZALO_NIGHT_ROUTES": "template",
		"ZALO_SEND_RATE": "12.5", "ZALO_CS_PRICE": "55",
	}))
	require.NoError(t, err)
	require.Equal(t, route.Policy{
		Order: []route.Route{route.TemplatePhone, route.CS}, CSWindow: 24 * time.Hour,
		Night: route.Window{Start: 21*time.Hour + 30*time.Minute, End: 6*time.Hour + 15*time.Minute}, NightRoutes: []route.Route{route.Template},
	}, c.Routes)
	require.Equal(t, 12.5, c.SendRate)
	require.EqualValues(t, 55, c.CSPrice)
	require.Equal(t, 48*time.Hour, c.CSFree)
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for name, value := range map[string]string{
		"DATABASE_URL":            "not a url",
		"TINGTING_ENCRYPTION_KEY": "c2hvcnQ=",
		"CASSO_SIGNATURE_MAX_AGE": "ten minutes",
		"LOG_LEVEL":               "loud",
		"LOG_FORMAT":              "xml",
		"ZALO_ROUTES":             "cs,sms",
		"ZALO_NIGHT":              "22h-6h",
		"ZALO_NIGHT_ROUTES":       "cs,fax",
		"ZALO_PAUSE_PROBE":        "soon",
		"ZALO_CS_PRICE":           "free",
		"ZALO_SEND_RATE":          "-1",
		"SIGNUP":                  "yes",
		"SESSION_IDLE_TIMEOUT":    "0",
		"SESSION_MAX_AGE":         "a month",
		"ZALO_MEMBER_LINK":        "by_name",
	} {
		_, err := config.Load(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name)
	}
}

// TestZaloIsReachedOverHTTPSOnly: tokens and secrets travel to Zalo, so
// plain http is refused except to the loopback and hosts named for it.
func TestZaloIsReachedOverHTTPSOnly(t *testing.T) {
	for _, tc := range []struct {
		env map[string]string
		ok  bool
	}{
		{map[string]string{"ZALO_OPENAPI_URL": "https://openapi.zalo.me"}, true},
		{map[string]string{"ZALO_OPENAPI_URL": "http://127.0.0.1:8090"}, true},
		{map[string]string{"ZALO_OAUTH_URL": "http://localhost:8090"}, true},
		{map[string]string{"ZALO_GRAPH_URL": "http://[::1]:8090"}, true},
		{map[string]string{"ZALO_OPENAPI_URL": "http://openapi.zalo.me"}, false},
		{map[string]string{"ZALO_ZNS_URL": "http://zalosim:8090"}, false},
		{map[string]string{"ZALO_ZNS_URL": "http://zalosim:8090", "ZALO_INSECURE_HOSTS": "zalosim"}, true},
		{map[string]string{"ZALO_LOGIN_URL": "ftp://zalo.me"}, false},
	} {
		_, err := config.Load(env(tc.env))
		if tc.ok {
			require.NoError(t, err, "%v", tc.env)
		} else {
			require.Error(t, err, "%v", tc.env)
			for name := range tc.env {
				if name != "ZALO_INSECURE_HOSTS" {
					require.ErrorContains(t, err, name)
				}
			}
		}
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
