// Package api is tingting's HTTP API: the contract of DESIGN.md served with
// Echo. It starts workflows by name and never imports activities.
package api

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// maxBody bounds every request body; larger ones answer 413.
const maxBody = 1 << 20

// Deps are what the API needs from the process that runs it.
type Deps struct {
	Pool      *db.Pool
	Temporal  client.Client
	Log       *slog.Logger
	Webhooks  ZaloWebhooks
	Zalo      *zalo.Client // builds "log in with Zalo" URLs
	Box       *secret.Box  // seals PKCE verifiers
	PublicURL string       // where Zalo sends the browser back
	// CassoMaxAge: how old a Casso v2 signature may be; 0 turns that off
	// (one dated more than casso.MaxSkew ahead is refused regardless).
	CassoMaxAge time.Duration
	// ReadBackDays is how many days before today a Casso read-back reads
	// (POST /v1/webhook-sources/{id}/sync reads as the schedule does).
	ReadBackDays int
	Metrics      *metrics.Metrics
	// Codec seals what goes to Temporal; /codec/* opens it for operators.
	Codec *codec.Codec
	// OperatorToken opens every payload at /codec/*; "" for none.
	OperatorToken string
	// TemporalUIOrigin is the Temporal web UI's origin, allowed to call
	// /codec/* with its cookie.
	TemporalUIOrigin string
	// PublicRateLimit is how many requests a minute one client address may
	// make to the routes without any credential; 0 turns the limit off.
	PublicRateLimit int
	// WebhookRateLimit is how many webhooks a minute one source (a Casso
	// source, the OA) may send once verified; 0 turns the limit off.
	WebhookRateLimit int
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client; without them the client is the connection's peer.
	TrustedProxies []*net.IPNet
	// Routes is the worker's route policy, to say how each person is
	// reached.
	Routes route.Policy
	// People is how people sign in with Zalo; zero durations are 72 h
	// idle and 30 days in all.
	People People
	// Now is the clock webhook signatures and secret expiries are read
	// with; nil is time.Now. Tests move it.
	Now func() time.Time
	// OA is what connecting the OA takes.
	OA OAConnect
}

// OAConnect is what connecting the OA (its admin's consent) takes.
type OAConnect struct {
	Tokens       *oatoken.Store // the sealed pair, replaced
	CodeVerifier string         // ZALO_OA_CODE_VERIFIER
	ID           string         // ZALO_OA_ID: the only OA that may be connected ("" the one getoa knows)
}

// ZaloWebhooks is what verifying the OA's webhooks takes.
type ZaloWebhooks struct {
	AppID         string
	WebhookSecret string        // the OA secret key or the app secret: Zalo's docs disagree, so it is configuration
	MaxAge        time.Duration // how old an event may be; 0: no limit
}

// Server is the API as an http.Handler.
type Server struct {
	echo         *echo.Echo
	pool         *db.Pool
	queries      *db.Queries
	temporal     client.Client
	log          *slog.Logger
	webhooks     ZaloWebhooks
	zalo         *zalo.Client
	box          *secret.Box
	publicURL    string
	cassoMaxAge  time.Duration
	readBackDays int
	metrics      *metrics.Metrics
	now          func() time.Time

	codec            *codec.Codec
	operatorToken    string
	temporalUIOrigin string
	publicLimits     *addressLimits
	sourceLimits     *sourceLimits
	readiness        readiness
	policy           route.Policy
	oa               OAConnect
	people           People
}

// New builds the API with every route of routes.go.
func New(d Deps) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(d.Log)
	s := &Server{echo: e, pool: d.Pool, queries: db.New(d.Pool), temporal: d.Temporal, log: d.Log,
		webhooks: d.Webhooks, zalo: d.Zalo, box: d.Box, publicURL: d.PublicURL, cassoMaxAge: d.CassoMaxAge, readBackDays: d.ReadBackDays,
		metrics: d.Metrics, now: d.Now, codec: d.Codec, operatorToken: d.OperatorToken, temporalUIOrigin: d.TemporalUIOrigin,
		publicLimits: newAddressLimits(d.PublicRateLimit), sourceLimits: newSourceLimits(d.WebhookRateLimit), policy: d.Routes, people: d.People, oa: d.OA}
	e.IPExtractor = clientAddress(d.TrustedProxies)
	if s.now == nil {
		s.now = time.Now
	}
	if s.people.IdleTimeout == 0 {
		s.people.IdleTimeout = 72 * time.Hour
	}
	if s.people.MaxAge == 0 {
		s.people.MaxAge = 30 * 24 * time.Hour
	}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Route is one method and path the API serves.
type Route struct {
	Method, Path string
}

// Routes lists what routes.go registers (not Echo's own not-found
// catch-alls), for docs/openapi.yaml's test.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}
