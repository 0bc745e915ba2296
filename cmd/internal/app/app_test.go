package app

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/tingting-vn/tingting/harness/testenv"
)

func newApp(t *testing.T, env map[string]string) *App {
	t.Helper()
	env["TINGTING_ENCRYPTION_KEY"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
	a, err := New(func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	return a
}

// TestTemporalIsReachedAsConfigured: plain gRPC by default; TLS on the
// system's CAs for Temporal Cloud; a private CA, a client certificate and
// a server name when given; an API key as credentials, over TLS.
func TestTemporalIsReachedAsConfigured(t *testing.T) {
	files := testenv.NewTLS(t, "temporal.test")

	opts, err := newApp(t, map[string]string{}).temporalOptions()
	require.NoError(t, err)
	require.Nil(t, opts.ConnectionOptions.TLS)
	require.Nil(t, opts.Credentials)

	opts, err = newApp(t, map[string]string{"TEMPORAL_TLS": "true"}).temporalOptions()
	require.NoError(t, err)
	require.NotNil(t, opts.ConnectionOptions.TLS)
	require.Nil(t, opts.ConnectionOptions.TLS.RootCAs, "the system's CAs")
	require.Empty(t, opts.ConnectionOptions.TLS.Certificates)

	opts, err = newApp(t, map[string]string{
		"TEMPORAL_TLS_SERVER_CA_CERT_PATH": files.CAFile, "TEMPORAL_TLS_SERVER_NAME": files.ServerName,
		"TEMPORAL_TLS_CLIENT_CERT_PATH": files.CertFile, "TEMPORAL_TLS_CLIENT_KEY_PATH": files.KeyFile,
	}).temporalOptions()
	require.NoError(t, err)
	require.NotNil(t, opts.ConnectionOptions.TLS.RootCAs)
	require.Len(t, opts.ConnectionOptions.TLS.Certificates, 1)
	require.Equal(t, "temporal.test", opts.ConnectionOptions.TLS.ServerName)

	opts, err = newApp(t, map[string]string{"TEMPORAL_API_KEY": "key"}).temporalOptions()
	require.NoError(t, err)
	require.NotNil(t, opts.Credentials)
	require.NotNil(t, opts.ConnectionOptions.TLS, "an API key goes over TLS only")
}

// TestBadTLSFilesStopTheStart: a missing or unreadable file is an error
// naming its variable, before any connection is tried.
func TestBadTLSFilesStopTheStart(t *testing.T) {
	files := testenv.NewTLS(t, "temporal.test")
	notPEM := filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/nonexistent/ca.crt"}, "TEMPORAL_TLS_SERVER_CA_CERT_PATH: open /nonexistent/ca.crt"},
		{map[string]string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH": notPEM}, "TEMPORAL_TLS_SERVER_CA_CERT_PATH: no PEM certificate in " + notPEM},
		{map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": files.CertFile, "TEMPORAL_TLS_CLIENT_KEY_PATH": "/nonexistent/tls.key"},
			"TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH: open /nonexistent/tls.key"},
		{map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": files.CAFile, "TEMPORAL_TLS_CLIENT_KEY_PATH": files.KeyFile},
			"TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH: tls: private key does not match public key"},
	} {
		tc.env["TEMPORAL_ADDRESS"] = "127.0.0.1:1" // never reached
		_, err := newApp(t, tc.env).DialTemporal(context.Background())
		require.ErrorContains(t, err, tc.want)
	}
}

// frontend is the one call of Temporal's frontend that dialing makes,
// over mutual TLS; it keeps the authorization each call carried.
type frontend struct {
	workflowservice.UnimplementedWorkflowServiceServer
	auth chan []string
}

func (f *frontend) GetSystemInfo(ctx context.Context, _ *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	select {
	case f.auth <- md.Get("authorization"):
	default:
	}
	return &workflowservice.GetSystemInfoResponse{}, nil
}

// TestTheClientDialsMutualTLSWithItsAPIKey dials a TLS listener that asks
// for a client certificate from its CA, as a Temporal cluster with mTLS or
// Temporal Cloud does: the handshake succeeds with the configured files,
// fails without the client certificate or the CA, and the API key arrives
// as a bearer token.
func TestTheClientDialsMutualTLSWithItsAPIKey(t *testing.T) {
	files := testenv.NewTLS(t, "temporal.test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(files.Server)))
	fe := &frontend{auth: make(chan []string, 1)}
	workflowservice.RegisterWorkflowServiceServer(srv, fe)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	env := func(extra ...string) map[string]string {
		e := map[string]string{
			"TEMPORAL_ADDRESS": ln.Addr().String(), "TEMPORAL_TLS_SERVER_CA_CERT_PATH": files.CAFile, "TEMPORAL_TLS_SERVER_NAME": files.ServerName,
			"TEMPORAL_TLS_CLIENT_CERT_PATH": files.CertFile, "TEMPORAL_TLS_CLIENT_KEY_PATH": files.KeyFile, "TEMPORAL_API_KEY": "cloud-key",
		}
		for i := 0; i+1 < len(extra); i += 2 {
			e[extra[i]] = extra[i+1]
		}
		return e
	}
	c, err := newApp(t, env()).DialTemporal(context.Background())
	require.NoError(t, err)
	c.Close()
	require.Equal(t, []string{"Bearer cloud-key"}, <-fe.auth)

	_, err = newApp(t, env("TEMPORAL_TLS_CLIENT_CERT_PATH", "", "TEMPORAL_TLS_CLIENT_KEY_PATH", "")).DialTemporal(context.Background())
	require.Error(t, err, "the server asks for a client certificate")
	_, err = newApp(t, env("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "")).DialTemporal(context.Background())
	require.ErrorContains(t, err, "certificate signed by unknown authority")
}

// TestTheProbesSayWhetherTheWorkHasStarted: /healthz answers while the
// process runs; /readyz only once its work has started.
func TestTheProbesSayWhetherTheWorkHasStarted(t *testing.T) {
	a := newApp(t, map[string]string{})
	srv := httptest.NewServer(a.OpsHandler())
	defer srv.Close()
	status := func(path string) int {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, status("/healthz"))
	require.Equal(t, http.StatusServiceUnavailable, status("/readyz"))
	a.started.Store(true)
	require.Equal(t, http.StatusOK, status("/readyz"))
	require.Equal(t, http.StatusOK, status("/metrics"))
}
