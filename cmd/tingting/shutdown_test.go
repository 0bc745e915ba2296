package main

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/zalosim"
)

// TestAStoppingWorkerFinishesTheSendsItHas: a worker told to stop while
// Zalo takes 3 s to answer lets the send finish and record its outcome
// (WORKER_STOP_TIMEOUT, 30 s by default): the message is sent once and
// nothing is left in doubt. With no time to finish, the send is cut off:
// the message arrived, but the delivery waits for the in-doubt check of
// the next worker to learn it.
func TestAStoppingWorkerFinishesTheSendsItHas(t *testing.T) {
	for _, tc := range []struct {
		stopTimeout string
		want        string
	}{{"30s", "sent"}, {"0s", "pending"}} {
		t.Run(tc.stopTimeout, func(t *testing.T) {
			sh := newShopWith(t, "WORKER_STOP_TIMEOUT", tc.stopTimeout)
			sh.sim.SetFaults(zalosim.Faults{LatencyMS: 3000})
			id := sh.post(t, 150_000)
			require.Eventually(t, func() bool { return sh.sim.Stats().Calls[zalosim.KindCS] == 1 }, 15*time.Second, 10*time.Millisecond,
				"the send never reached the sandbox")

			started := time.Now()
			require.NoError(t, sh.stopWorker())
			if tc.want == "sent" {
				require.Greater(t, time.Since(started), 2*time.Second, "the worker stopped without waiting for its send")
			}
			require.Eventually(t, func() bool { return len(sh.sim.Inbox(sh.owner.OAUserID)) == 1 }, 5*time.Second, 10*time.Millisecond)
			d := sh.deliveryOf(t, id)
			require.EqualValues(t, tc.want, d.Status, "%+v", d)
			if tc.want == "sent" {
				require.NotEmpty(t, d.ZaloMessageID)
			}
		})
	}
}

// TestTheStackReachesTemporalOverMutualTLS runs the API and the worker
// against the dev server behind a TLS listener that asks for a client
// certificate from a private CA, as a self-run cluster with mTLS does: the
// API is ready and a payment's alert reaches the owner, every connection
// to Temporal having shown the client certificate.
func TestTheStackReachesTemporalOverMutualTLS(t *testing.T) {
	testenv.SkipShort(t, "a Temporal dev server")
	files := testenv.NewTLS(t, "temporal.test")
	addr, handshakes := tlsProxy(t, files.Server, temporalServer.FrontendHostPort())
	sh := newShopWith(t, "TEMPORAL_ADDRESS", addr, "TEMPORAL_TLS_SERVER_NAME", files.ServerName,
		"TEMPORAL_TLS_SERVER_CA_CERT_PATH", files.CAFile,
		"TEMPORAL_TLS_CLIENT_CERT_PATH", files.CertFile, "TEMPORAL_TLS_CLIENT_KEY_PATH", files.KeyFile)
	sh.pay(t, 150_000)
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 1)
	require.GreaterOrEqual(t, handshakes.Load(), int64(2), "the API and the worker each dial Temporal through TLS")

	res, err := http.Get("http://" + sh.env["METRICS_ADDR"] + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "the worker polls Temporal")
}

// tlsProxy terminates TLS with conf in front of backend (plain gRPC) and
// counts the handshakes that showed a verified client certificate.
func tlsProxy(t *testing.T, conf *tls.Config, backend string) (string, *atomic.Int64) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var handshakes atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				if tc.Handshake() != nil || len(tc.ConnectionState().VerifiedChains) == 0 {
					return
				}
				handshakes.Add(1)
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				go func() { _, _ = io.Copy(b, c) }()
				_, _ = io.Copy(c, b)
			}()
		}
	}()
	return ln.Addr().String(), &handshakes
}
