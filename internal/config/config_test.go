package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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
	require.Equal(t, "127.0.0.1:9091", c.MetricsAddr, "metrics stay on this machine unless an operator says otherwise")
	require.Equal(t, "10m0s", c.CassoSignatureMaxAge.String())
	require.Equal(t, route.Default(), c.Routes, "the README's defaults are route.Default")
	require.Equal(t, 60.0, c.SendRate)
	require.Empty(t, c.SendWeights, "every shop weighs the same unless an operator says otherwise")
	require.False(t, c.SignupOpen, "sign-up is closed unless the operator opens it")
	require.Equal(t, 72*time.Hour, c.SessionIdleTimeout)
	require.Equal(t, 720*time.Hour, c.SessionMaxAge)
	require.True(t, c.MemberLink)
	require.Equal(t, 30*time.Second, c.WorkerStopTimeout)
	require.Nil(t, c.TemporalTLS, "plain gRPC unless asked")
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

// TestShopsWeighWhatTheOperatorSays: the listed workspaces get their
// weights; a weight Temporal would clamp, a workspace named twice, or a
// name that is no workspace id is refused at start.
func TestShopsWeighWhatTheOperatorSays(t *testing.T) {
	big, small := uuid.New(), uuid.New()
	c, err := config.Load(env(map[string]string{"ZALO_SEND_WEIGHTS": " " + big.String() + "=3, " + small.String() + "=0.5,"}))
	require.NoError(t, err)
	require.Equal(t, map[uuid.UUID]float64{big: 3, small: 0.5}, c.SendWeights)

	for _, bad := range []string{big.String() + "=0", big.String() + "=1001", big.String() + "=1," + big.String() + "=2", big.String(), "shop=2"} {
		_, err := config.Load(env(map[string]string{"ZALO_SEND_WEIGHTS": bad}))
		require.ErrorContains(t, err, "ZALO_SEND_WEIGHTS", bad)
	}
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
		"ZALO_SEND_WEIGHTS":       "shop=2",
		"SIGNUP":                  "yes",
		"SESSION_IDLE_TIMEOUT":    "0",
		"SESSION_MAX_AGE":         "a month",
		"ZALO_MEMBER_LINK":        "by_name",
		"TEMPORAL_TLS":            "yes please",
		"WORKER_STOP_TIMEOUT":     "half a minute",
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

// TestTemporalTLSIsOnWhenAnythingNeedsIt: TLS to Temporal is asked for by
// TEMPORAL_TLS or by any setting that needs it, and an API key never goes
// over a plain connection.
func TestTemporalTLSIsOnWhenAnythingNeedsIt(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want *config.TemporalTLS
	}{
		{nil, nil},
		{map[string]string{"TEMPORAL_TLS": "false"}, nil},
		{map[string]string{"TEMPORAL_TLS": "true"}, &config.TemporalTLS{}},
		{map[string]string{"TEMPORAL_API_KEY": "key"}, &config.TemporalTLS{}},
		{map[string]string{"TEMPORAL_TLS_SERVER_NAME": "frontend"}, &config.TemporalTLS{ServerName: "frontend"}},
		{map[string]string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/ca.pem"}, &config.TemporalTLS{CAFile: "/ca.pem"}},
		{map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": "/tls.crt", "TEMPORAL_TLS_CLIENT_KEY_PATH": "/tls.key"},
			&config.TemporalTLS{CertFile: "/tls.crt", KeyFile: "/tls.key"}},
	} {
		c, err := config.Load(env(tc.env))
		require.NoError(t, err, "%v", tc.env)
		require.Equal(t, tc.want, c.TemporalTLS, "%v", tc.env)
	}

	for _, half := range []string{"TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH"} {
		_, err := config.Load(env(map[string]string{half: "/x.pem"}))
		require.ErrorContains(t, err, "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together")
	}
}

func TestOldKeysAndTheOperatorToken(t *testing.T) {
	key := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	old := "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
	c, err := config.Load(env(map[string]string{"TINGTING_ENCRYPTION_KEY": key, "TINGTING_ENCRYPTION_OLD_KEYS": old + " , " + key,
		"CODEC_OPERATOR_TOKEN": strings.Repeat("o", 32)}))
	require.NoError(t, err)
	require.Len(t, c.OldEncryptionKeys, 2)
	require.Equal(t, byte(1), c.OldEncryptionKeys[0][0])
	require.Equal(t, strings.Repeat("o", 32), c.OperatorToken)

	_, err = config.Load(env(map[string]string{"TINGTING_ENCRYPTION_OLD_KEYS": old + ",c2hvcnQ="}))
	require.ErrorContains(t, err, "TINGTING_ENCRYPTION_OLD_KEYS: key 2: must be the base64 of exactly 32 bytes")
	_, err = config.Load(env(map[string]string{"CODEC_OPERATOR_TOKEN": "short"}))
	require.ErrorContains(t, err, "CODEC_OPERATOR_TOKEN: at least 32 characters")
}
