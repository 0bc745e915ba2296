package api

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/codec"
)

const workspaceKey = "workspace_id"

// authenticate resolves the bearer API key to its workspace; every /v1
// handler sees only that workspace's data, and what it sends Temporal is
// sealed as that workspace's (codec.WithWorkspace). It is one query, which
// also notes when the key was used (at most once a minute). An ingest key
// may only post transactions: every other route, including any added
// later, answers it 403.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if !ok || !strings.HasPrefix(key, apikey.Prefix) {
			return errUnauthorized
		}
		k, err := s.queries.AuthenticateAPIKey(c.Request().Context(), apikey.Hash(key))
		if errors.Is(err, db.ErrNotFound) {
			return errUnauthorized
		} else if err != nil {
			return err
		}
		if k.Scope != db.ApiKeyScopeAdmin && !ingestAllowed(c) {
			return errForbidden
		}
		c.Set(workspaceKey, k.WorkspaceID)
		c.SetRequest(c.Request().WithContext(codec.WithWorkspace(c.Request().Context(), k.WorkspaceID)))
		return next(c)
	}
}

// ingestAllowed says whether the matched route is one an ingest key may
// use: recording transactions, nothing else.
func ingestAllowed(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == "/v1/transactions"
}

func workspaceID(c echo.Context) uuid.UUID { return c.Get(workspaceKey).(uuid.UUID) }

// limitBody makes reading more than maxBody fail, which decodeJSON turns
// into a 413; a declared Content-Length over the limit is refused at once.
// Either way the rest of the body is read and thrown away (up to
// maxDrain), so a client that writes its whole body before reading the
// answer gets the 413 rather than a reset connection.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		body := r.Body
		if r.ContentLength > maxBody {
			drain(body)
			return errTooLarge
		}
		r.Body = http.MaxBytesReader(c.Response(), body, maxBody)
		err := next(c)
		if toError(err) == errTooLarge {
			drain(body)
		}
		return err
	}
}

// maxDrain bounds what is read of a refused body: past it, the connection
// is closed mid-upload after all.
const maxDrain = 16 << 20

func drain(body io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain)) }

// requestLog logs one line per request: never headers or bodies, which may
// carry keys and signatures.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = toError(err).Status
		}
		s.log.InfoContext(c.Request().Context(), "http request",
			"method", c.Request().Method, "route", c.Path(), "status", status,
			"duration_ms", time.Since(start).Milliseconds())
		return err
	}
}
