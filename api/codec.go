package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
)

// The codec endpoint lets an operator read what tingting puts in Temporal
// (sealed: package codec) in the Temporal web UI or the temporal CLI
// (`--codec-endpoint PUBLIC_URL/codec --codec-auth "Bearer <credential>"`).
// A workspace's admin key opens that workspace's payloads only (each is
// sealed with its workspace), and leaves every other one sealed; the
// operator's token (CODEC_OPERATOR_TOKEN, configuration, no workspace's
// key) opens them all. Either goes as a Bearer header, or as the cookie
// POST /codec/session sets for the Temporal UI, whose requests carry
// cookies but no header of ours.
const codecCookie = "tt_codec"

// codecReader is who asks the codec endpoint: a workspace's admin, or the
// operator (workspace uuid.Nil).
type codecReader struct {
	credential string
	workspace  uuid.UUID
}

func (r codecReader) operator() bool { return r.workspace == uuid.Nil }

// codecSession sets the codec cookie for the credential presented, so the
// Temporal UI (same site, "include credentials") can decode.
func (s *Server) codecSession(c echo.Context) error {
	r, err := s.codecReader(c)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: codecCookie, Value: r.credential, Path: "/codec/", MaxAge: int((8 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	return c.NoContent(http.StatusNoContent)
}

// codecEncode and codecDecode are the Temporal codec server protocol:
// {"payloads":[…]} in, the same out.
func (s *Server) codecEncode(c echo.Context) error {
	return s.codecRun(c, func(r codecReader, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
		if r.operator() {
			return s.codec.Encode(p)
		}
		return s.codec.EncodeFor(r.workspace, p)
	})
}

func (s *Server) codecDecode(c echo.Context) error {
	return s.codecRun(c, func(r codecReader, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
		if r.operator() {
			return s.codec.Decode(p)
		}
		return s.codec.DecodeFor(r.workspace, p)
	})
}

func (s *Server) codecRun(c echo.Context, run func(codecReader, []*commonpb.Payload) ([]*commonpb.Payload, error)) error {
	r, err := s.codecReader(c)
	if err != nil {
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
	out, err := run(r, in.Payloads)
	if err != nil {
		return invalid("payloads cannot be decoded with the configured keys")
	}
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// codecReader checks the credential presented (header, else cookie): the
// operator's token, or a workspace's admin key.
func (s *Server) codecReader(c echo.Context) (codecReader, error) {
	credential, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok {
		if ck, err := c.Cookie(codecCookie); err == nil {
			credential, ok = ck.Value, true
		}
	}
	switch {
	case !ok:
		return codecReader{}, errUnauthorized
	case s.isOperator(credential):
		return codecReader{credential: credential}, nil
	case !strings.HasPrefix(credential, apikey.Prefix):
		return codecReader{}, errUnauthorized
	}
	k, err := s.queries.AuthenticateAPIKey(c.Request().Context(), apikey.Hash(credential))
	switch {
	case errors.Is(err, db.ErrNotFound):
		return codecReader{}, errUnauthorized
	case err != nil:
		return codecReader{}, err
	case k.Scope != db.ApiKeyScopeAdmin:
		return codecReader{}, refusal(roleIngest)
	}
	return codecReader{credential: credential, workspace: k.WorkspaceID}, nil
}

// isOperator compares in constant time (of the hashes, so not even the
// token's length shows).
func (s *Server) isOperator(credential string) bool {
	if s.operatorToken == "" {
		return false
	}
	want, got := sha256.Sum256([]byte(s.operatorToken)), sha256.Sum256([]byte(credential))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
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
