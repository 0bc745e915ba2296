package zalosim_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// world is a sandbox over HTTP with a clock the test moves.
type world struct {
	sim   *zalosim.Sim
	url   string
	clock *atomic.Int64 // added to the real time, in nanoseconds
}

func newWorld(t *testing.T, cfg zalosim.Config) world {
	t.Helper()
	clock := &atomic.Int64{}
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(clock.Load())) }
	sim := zalosim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return world{sim: sim, url: srv.URL, clock: clock}
}

// do sends a request without following redirects; header is "name: value".
func (w world) do(t *testing.T, method, path, contentType, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, w.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header
}

// form posts an HTML form as the /_sandbox page does.
func (w world) form(t *testing.T, path string, values url.Values) (int, string, http.Header) {
	t.Helper()
	return w.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", values.Encode())
}
