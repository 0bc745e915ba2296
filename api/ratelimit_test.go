package api_test

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tingting-vn/tingting/api"
)

// TestOneAddressCannotFloodTheOpenRoutes: past its budget an address gets
// 429 with Retry-After on the routes without an API key, while other
// addresses and keyed calls carry on; X-Forwarded-For counts only from a
// trusted proxy, so a client cannot pick a fresh address per request.
func TestOneAddressCannotFloodTheOpenRoutes(t *testing.T) {
	t.Parallel()
	post := func(f fixture, from string) *http.Response {
		req, err := http.NewRequest("POST", f.url+"/v1/webhooks/zalo", strings.NewReader(`{}`))
		require.NoError(t, err)
		req.Header.Set("X-Forwarded-For", from)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}

	t.Run("behind a trusted proxy", func(t *testing.T) {
		_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
		f := newFixtureWith(t, func(d *api.Deps) { d.PublicRateLimit = 6; d.TrustedProxies = []*net.IPNet{loopback} })

		require.Equal(t, http.StatusUnauthorized, post(f, "203.0.113.7").StatusCode, "the first call is judged on its signature")
		res := post(f, "203.0.113.7")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
		wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.InDelta(t, 10, wait, 1, "6 a minute: the next token in about 10 s")

		require.Equal(t, http.StatusUnauthorized, post(f, "203.0.113.8").StatusCode, "another address has its own budget")
		status, _ := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
		require.Equal(t, http.StatusOK, status, "routes with an API key are not limited by address")
	})

	t.Run("without a trusted proxy", func(t *testing.T) {
		f := newFixtureWith(t, func(d *api.Deps) { d.PublicRateLimit = 6 })
		require.Equal(t, http.StatusUnauthorized, post(f, "203.0.113.7").StatusCode)
		res := post(f, "198.51.100.1")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "a forged X-Forwarded-For is ignored: both calls came from the loopback")
	})
}
