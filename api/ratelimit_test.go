package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/internal/metrics"
)

// TestOneAddressCannotFloodTheOpenRoutes: past its budget an address gets
// 429 with Retry-After on the route that takes no credential (the OAuth
// callback), while other addresses and keyed calls carry on;
// X-Forwarded-For counts only from a trusted proxy, so a client cannot
// pick a fresh address per request.
func TestOneAddressCannotFloodTheOpenRoutes(t *testing.T) {
	t.Parallel()
	callback := func(f fixture, from string) *http.Response {
		req, err := http.NewRequest("GET", f.url+"/v1/oauth/zalo/callback?state=s&code=c", nil)
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

		require.Equal(t, http.StatusBadRequest, callback(f, "203.0.113.7").StatusCode, "the first call is judged on its state")
		res := callback(f, "203.0.113.7")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
		wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.InDelta(t, 10, wait, 1, "6 a minute: the next token in about 10 s")

		require.Equal(t, http.StatusBadRequest, callback(f, "203.0.113.8").StatusCode, "another address has its own budget")
		require.Equal(t, http.StatusBadRequest, callback(f, "2001:db8:0:1::7").StatusCode)
		require.Equal(t, http.StatusTooManyRequests, callback(f, "2001:db8:0:1:ffff::8").StatusCode, "an IPv6 client is its /64")
		status, _ := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
		require.Equal(t, http.StatusOK, status, "routes with an API key are not limited by address")
	})

	t.Run("without a trusted proxy", func(t *testing.T) {
		f := newFixtureWith(t, func(d *api.Deps) { d.PublicRateLimit = 6 })
		require.Equal(t, http.StatusBadRequest, callback(f, "203.0.113.7").StatusCode)
		res := callback(f, "198.51.100.1")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "a forged X-Forwarded-For is ignored: both calls came from the loopback")
	})
}

// TestWebhookSendersAreNeverThrottledAsStrangers: Casso and Zalo send every
// tenant's webhooks from a few addresses, so their webhooks are never
// limited by address. Each is verified first; only then does its source
// (a Casso source, the OA) spend its own budget, so forged calls cannot
// drain it. Every refusal is counted.
func TestWebhookSendersAreNeverThrottledAsStrangers(t *testing.T) {
	t.Parallel()
	t.Run("one address, many tenants", func(t *testing.T) {
		f := newFixtureWith(t, func(d *api.Deps) { d.PublicRateLimit = 6 })
		paths := []string{f.source(t, "casso_v2", "secret-one"), f.source(t, "casso_v2", "secret-two")}
		for i := range 50 {
			body := fmt.Sprintf(sortedV2, i, time.Now().Format(time.DateTime))
			status, res := f.hook(t, paths[i%2], body, map[string]string{"X-Casso-Signature": cassoSign([]string{"secret-one", "secret-two"}[i%2], time.Now(), body)})
			require.Equal(t, http.StatusOK, status, "webhook %d: %v", i, res)
			event := followAt(strconv.FormatInt(time.Now().UnixMilli()+int64(i), 10))
			status, res = f.webhook(t, event, sign(event, stamp(event)))
			require.Equal(t, http.StatusOK, status, "event %d: %v", i, res)
		}
	})

	t.Run("a source past its budget", func(t *testing.T) {
		m := metrics.New()
		f := newFixtureWith(t, func(d *api.Deps) { d.PublicRateLimit = 6; d.WebhookRateLimit = 12; d.Metrics = m }) // a burst of 2
		for range 20 {
			status, _ := f.webhook(t, followRaw, noSecret(followRaw, stamp(followRaw)))
			require.Equal(t, http.StatusUnauthorized, status, "forged: refused on its signature, and spends no budget")
		}
		for i := range 3 {
			event := followAt(strconv.FormatInt(time.Now().UnixMilli()+int64(i), 10))
			status, res := f.webhook(t, event, sign(event, stamp(event)))
			if i < 2 {
				require.Equal(t, http.StatusOK, status, "%v", res)
				continue
			}
			require.Equal(t, http.StatusTooManyRequests, status, "the OA's budget is spent")
			require.Equal(t, "rate_limited", errorCode(res))
		}

		spent, fresh := f.source(t, "casso_v2", "secret-one"), f.source(t, "casso_v2", "secret-two")
		post := func(path, secret string, id int) int {
			body := fmt.Sprintf(sortedV2, id, time.Now().Format(time.DateTime))
			status, _ := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign(secret, time.Now(), body)})
			return status
		}
		require.Equal(t, http.StatusOK, post(spent, "secret-one", 1))
		require.Equal(t, http.StatusOK, post(spent, "secret-one", 2))
		require.Equal(t, http.StatusTooManyRequests, post(spent, "secret-one", 3))
		require.Equal(t, http.StatusUnauthorized, post(spent, "wrong-secret", 4), "the signature is checked before the budget")
		require.Equal(t, http.StatusOK, post(fresh, "secret-two", 5), "another source has its own budget")

		refused := func(webhook, code string) float64 {
			return testutil.ToFloat64(m.WebhooksRefused.WithLabelValues(webhook, code))
		}
		require.Equal(t, 20.0, refused("zalo", "bad_signature"))
		require.Equal(t, 1.0, refused("zalo", "rate_limited"))
		require.Equal(t, 1.0, refused("casso", "rate_limited"))
		require.Equal(t, 1.0, refused("casso", "bad_signature"))
	})
}

// TestReadinessIsCheckedAtMostOnceASecond: /readyz is open to anyone; a
// flood of it must not become a flood of pings to PostgreSQL and Temporal.
func TestReadinessIsCheckedAtMostOnceASecond(t *testing.T) {
	t.Parallel()
	health := &countingHealth{}
	f := newFixtureWith(t, func(d *api.Deps) { d.Temporal = health })
	done := make(chan int)
	for range 100 {
		go func() {
			status, _ := f.do(t, "GET", "/readyz", "", "")
			done <- status
		}()
	}
	for range 100 {
		require.Equal(t, http.StatusOK, <-done)
	}
	require.Less(t, health.calls.Load(), int64(5), "100 readiness checks in well under a few seconds: Temporal asked once a second at most")
}

// countingHealth is a Temporal client that only answers health checks,
// and counts them.
type countingHealth struct {
	client.Client
	calls atomic.Int64
}

func (h *countingHealth) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	h.calls.Add(1)
	return &client.CheckHealthResponse{}, nil
}
