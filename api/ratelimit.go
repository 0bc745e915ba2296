package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// addressLimits is a token bucket per client address, for the routes that
// take no API key (Casso's and Zalo's webhooks, the OAuth callback):
// anyone on the internet can call them, so no one address may flood them.
// Zalo and Casso deliver from a few addresses each, hence the generous
// default (PUBLIC_RATE_LIMIT). Per process: replicas each count their own.
type addressLimits struct {
	perMinute int
	burst     int

	mu       sync.Mutex
	limiters map[string]*visitor
	swept    time.Time
}

type visitor struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newAddressLimits(perMinute int) *addressLimits {
	return &addressLimits{perMinute: perMinute, burst: max(perMinute/6, 1), limiters: map[string]*visitor{}}
}

// middleware answers 429 with Retry-After once an address's bucket is
// empty; perMinute 0 turns it off.
func (l *addressLimits) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l.perMinute <= 0 {
			return next(c)
		}
		if wait := l.take(c.RealIP(), time.Now()); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return errRateLimited
		}
		return next(c)
	}
}

// take spends a token of addr's bucket, or says how long until one is there.
func (l *addressLimits) take(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for a, v := range l.limiters {
			if now.Sub(v.seen) > 10*time.Minute { // its bucket is full again long since
				delete(l.limiters, a)
			}
		}
		l.swept = now
	}
	v, ok := l.limiters[addr]
	if !ok {
		v = &visitor{limiter: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.burst)}
		l.limiters[addr] = v
	}
	v.seen = now
	r := v.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// clientAddress says whose request it is: the connection's peer, or, when
// that peer is one of the trusted proxies, the client X-Forwarded-For names.
// Without trusted proxies the header is ignored, so no one can pick an
// address and dodge the limit.
func clientAddress(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

var errRateLimited = newError(http.StatusTooManyRequests, "rate_limited", "too many requests from this address; retry after the time Retry-After gives")
