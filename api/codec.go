package api

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
)

// The codec endpoint lets an operator read what tingting puts in Temporal
// (sealed: package codec) in the Temporal web UI or the temporal CLI
// (`--codec-endpoint PUBLIC_URL/codec --codec-auth "Bearer <admin key>"`).
// It answers only to an admin key: as a Bearer header, or as the cookie
// POST /codec/session sets for the Temporal UI, whose requests carry
// cookies but no header of ours.
const codecCookie = "tt_codec"

// codecSession sets the codec cookie for the admin key presented, so the
// Temporal UI (same site, "include credentials") can decode.
func (s *Server) codecSession(c echo.Context) error {
	key, err := s.codecKey(c)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: codecCookie, Value: key, Path: "/codec/", MaxAge: int((8 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	return c.NoContent(http.StatusNoContent)
}

// codecEncode and codecDecode are the Temporal codec server protocol:
// {"payloads":[…]} in, the same out.
func (s *Server) codecEncode(c echo.Context) error { return s.codecRun(c, s.codec.Encode) }
func (s *Server) codecDecode(c echo.Context) error { return s.codecRun(c, s.codec.Decode) }

func (s *Server) codecRun(c echo.Context, run func([]*commonpb.Payload) ([]*commonpb.Payload, error)) error {
	if _, err := s.codecKey(c); err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	var in commonpb.Payloads
	if err := protojson.Unmarshal(body, &in); err != nil {
		return invalid("body must be {\"payloads\":[…]}")
	}
	out, err := run(in.Payloads)
	if err != nil {
		return invalid("payloads cannot be decoded with this key")
	}
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// codecKey is the admin key presented (header, else cookie), checked.
func (s *Server) codecKey(c echo.Context) (string, error) {
	key, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok {
		if ck, err := c.Cookie(codecCookie); err == nil {
			key, ok = ck.Value, true
		}
	}
	if !ok || !strings.HasPrefix(key, apikey.Prefix) {
		return "", errUnauthorized
	}
	k, err := s.queries.AuthenticateAPIKey(c.Request().Context(), apikey.Hash(key))
	switch {
	case errors.Is(err, db.ErrNotFound):
		return "", errUnauthorized
	case err != nil:
		return "", err
	case k.Scope != db.ApiKeyScopeAdmin:
		return "", refusal(roleIngest)
	}
	return key, nil
}

// codecCORS lets the Temporal web UI, on its own origin, call the codec
// endpoint with its cookie.
func (s *Server) codecCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		origin := c.Request().Header.Get("Origin")
		if origin == "" || origin != s.temporalUIOrigin {
			return next(c)
		}
		h := c.Response().Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Add("Vary", "Origin")
		if c.Request().Method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}
