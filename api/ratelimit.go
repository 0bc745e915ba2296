package api

import (
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// bucket is a token bucket of a limit: tokens left as of at (a zero at is
// a full bucket).
type bucket struct {
	tokens float64
	at     time.Time
}

// limit is how many requests a minute a bucket allows, and the burst (a
// sixth of a minute's worth) it starts with.
type limit struct {
	perMinute int
	burst     float64
}

func newLimit(perMinute int) limit {
	return limit{perMinute: perMinute, burst: float64(max(perMinute/6, 1))}
}

// take spends a token of b, or says how long until one is there.
func (l limit) take(b *bucket, now time.Time) time.Duration {
	perSecond := float64(l.perMinute) / 60
	if b.at.IsZero() {
		b.tokens = l.burst
	} else if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed*perSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
}

// refuse answers 429 with Retry-After.
func refuse(c echo.Context, wait time.Duration, why *Error) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return why
}

// addressSlots is the size of the per-address table: 64 KiB whatever the
// number of addresses that call.
const addressSlots = 4096

// addressLimits is a token bucket per client address for the routes that
// take no credential at all (the OAuth callback): anyone on the internet
// can call them, so no one address may flood them. The table has a fixed
// size, so a flood from a million addresses costs no memory: an address
// hashes (with a per-process seed no one can aim at) to one of its slots,
// and the rare addresses that share a slot share its budget. An IPv6
// client is its /64, which one subscriber gets whole. Webhooks are not
// limited here: they prove who sent them, and are limited per source.
// Per process: replicas each count their own.
type addressLimits struct {
	limit
	seed maphash.Seed

	mu    sync.Mutex
	slots [addressSlots]bucket
}

func newAddressLimits(perMinute int) *addressLimits {
	return &addressLimits{limit: newLimit(perMinute), seed: maphash.MakeSeed()}
}

// middleware answers 429 with Retry-After once an address's bucket is
// empty; perMinute 0 turns it off.
func (l *addressLimits) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l.perMinute <= 0 {
			return next(c)
		}
		if wait := l.take(c.RealIP(), time.Now()); wait > 0 {
			return refuse(c, wait, errRateLimited)
		}
		return next(c)
	}
}

// take spends a token of addr's bucket, or says how long until one is there.
func (l *addressLimits) take(addr string, now time.Time) time.Duration {
	slot := maphash.Bytes(l.seed, addressGroup(addr)) % addressSlots
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit.take(&l.slots[slot], now)
}

// addressGroup is what an address is counted as: an IPv4 address alone,
// an IPv6 address by its /64.
func addressGroup(addr string) []byte {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return []byte(addr)
	}
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		return b[:]
	}
	b := ip.As16()
	return b[:8]
}

// sourceLimits is a token bucket per webhook source (a Casso source, the
// OA), taken only once a request's signature has proved it came from
// there: Casso and Zalo send every tenant's webhooks from a few shared
// addresses, so an address says nothing of who is calling. The keys are
// the sources that signed, so the map stays as small as the number of
// sources.
type sourceLimits struct {
	limit

	mu      sync.Mutex
	sources map[string]*bucket
}

func newSourceLimits(perMinute int) *sourceLimits {
	return &sourceLimits{limit: newLimit(perMinute), sources: map[string]*bucket{}}
}

// allow spends a token of source's bucket, or answers 429 with
// Retry-After; perMinute 0 turns it off.
func (l *sourceLimits) allow(c echo.Context, source string) error {
	if l.perMinute <= 0 {
		return nil
	}
	l.mu.Lock()
	b, ok := l.sources[source]
	if !ok {
		b = &bucket{}
		l.sources[source] = b
	}
	wait := l.limit.take(b, time.Now())
	l.mu.Unlock()
	if wait > 0 {
		return refuse(c, wait, errSourceRateLimited)
	}
	return nil
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

// countRefused counts what a webhook route refused, by its error code
// (bad_signature, rate_limited, invalid_request…): a sender whose
// webhooks fail is one Casso or Zalo may give up on.
func (s *Server) countRefused(webhook string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err != nil {
				s.metrics.WebhooksRefused.WithLabelValues(webhook, toError(err).Code).Inc()
			}
			return err
		}
	}
}

var (
	errRateLimited       = newError(http.StatusTooManyRequests, "rate_limited", "too many requests from this address; retry after the time Retry-After gives")
	errSourceRateLimited = newError(http.StatusTooManyRequests, "rate_limited", "too many webhooks from this source; retry after the time Retry-After gives")
)
