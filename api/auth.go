package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/codec"
)

// Two credentials reach /v1: an API key (Authorization: Bearer), for
// machines and operators, and the session cookie a person gets by signing
// in with Zalo (signin.go). Either way the request is made by a caller, in
// one workspace, as one role, and access.go's table says whether it may.

// caller is who made a request: a key, or a signed-in person.
type caller struct {
	workspace uuid.UUID
	role      role
	key       *db.AuthenticateAPIKeyRow
	person    *signedIn
}

// signedIn is a person's session.
type signedIn struct {
	session uuid.UUID
	token   string // the cookie's, which the CSRF token is made from
	user    uuid.UUID
	name    string
	appID   string // Zalo's app-scoped id
}

const (
	callerKey     = "caller"
	sessionCookie = "tt_session"
	csrfHeader    = "X-CSRF-Token"
)

var (
	errSessionEnded = newError(http.StatusUnauthorized, "unauthorized", "this session has ended (signed out, idle or expired): sign in again")
	errLeft         = newError(http.StatusUnauthorized, "unauthorized", "you no longer have a place in this workspace: sign in again")
	errCSRF         = newError(http.StatusForbidden, "csrf", "a change made with the session cookie needs the "+csrfHeader+" header: GET /v1/me's csrf_token")
)

// authenticate finds who is calling, refuses what access.go's table does
// not let them do, and records the changes it says to record. What the
// request sends Temporal is sealed as its workspace's
// (codec.WithWorkspace).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		who, err := s.identify(c)
		if err != nil {
			return err
		}
		r, ok := access[c.Request().Method+" "+c.Path()]
		if !ok || !r.allows(who.role) {
			return refusal(who.role)
		}
		c.Set(callerKey, who)
		c.SetRequest(c.Request().WithContext(codec.WithWorkspace(c.Request().Context(), who.workspace)))
		if r.audit {
			return s.audited(c, who, next)
		}
		return next(c)
	}
}

// identify is the request's key if it has an Authorization header, else
// its session cookie.
func (s *Server) identify(c echo.Context) (caller, error) {
	if h := c.Request().Header.Get("Authorization"); h != "" {
		return s.keyCaller(c, h)
	}
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return caller{}, errUnauthorized
	}
	return s.sessionCaller(c, ck.Value)
}

// keyCaller resolves a bearer API key to its workspace: one query, which
// also notes when the key was used (at most once a minute).
func (s *Server) keyCaller(c echo.Context, header string) (caller, error) {
	key, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || !strings.HasPrefix(key, apikey.Prefix) {
		return caller{}, errUnauthorized
	}
	k, err := s.queries.AuthenticateAPIKey(c.Request().Context(), apikey.Hash(key))
	if errors.Is(err, db.ErrNotFound) {
		return caller{}, errUnauthorized
	} else if err != nil {
		return caller{}, err
	}
	r := roleAdmin
	if k.Scope != db.ApiKeyScopeAdmin {
		r = roleIngest
	}
	return caller{workspace: k.WorkspaceID, role: r, key: &k}, nil
}

// sessionCaller resolves a session cookie to its person, the workspace the
// session is in and their role there. A change needs the session's CSRF
// token too: another site can make the browser send the cookie, but
// cannot read the token to send with it.
func (s *Server) sessionCaller(c echo.Context, token string) (caller, error) {
	ctx := c.Request().Context()
	row, err := s.queries.AuthenticateSession(ctx, db.AuthenticateSessionParams{
		TokenHash: tokenHash(token), IdleSeconds: s.people.IdleTimeout.Seconds(), LinkMembers: s.people.LinkMembers,
	})
	if errors.Is(err, db.ErrNotFound) {
		s.forgetSession(c)
		return caller{}, errSessionEnded
	} else if err != nil {
		return caller{}, err
	}
	if row.Role == "" {
		// Taken off the team, or no longer receiving alerts: this session
		// has nothing left to show. Signing in again finds their places.
		if _, err := s.queries.EndSession(ctx, db.EndSessionParams{ID: row.ID, UserID: row.UserID}); err != nil {
			return caller{}, err
		}
		s.forgetSession(c)
		return caller{}, errLeft
	}
	if changes(c.Request().Method) && subtle.ConstantTimeCompare([]byte(c.Request().Header.Get(csrfHeader)), []byte(csrfToken(token))) != 1 {
		return caller{}, errCSRF
	}
	return caller{workspace: row.WorkspaceID, role: role(row.Role), person: &signedIn{
		session: row.ID, token: token, user: row.UserID, name: row.UserName, appID: row.ZaloAppUserID,
	}}, nil
}

// changes says whether a request of this method may change something.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// csrfToken is a session's CSRF token: derived from the cookie's token, so
// nothing more is stored, and unlike what is stored (tokenHash) of it.
func csrfToken(token string) string {
	sum := sha256.Sum256([]byte("tingting csrf\x00" + token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// startSession sets the session cookie: HttpOnly, SameSite=Lax, Secure
// over https, sent only to the API.
func (s *Server) startSession(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/v1", MaxAge: int(s.people.MaxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
}

// forgetSession tells the browser to drop its session cookie.
func (s *Server) forgetSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Path: "/v1", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func callerOf(c echo.Context) caller { return c.Get(callerKey).(caller) }

func workspaceID(c echo.Context) uuid.UUID { return callerOf(c).workspace }

// asOwner tells a caller who acts as the workspace's owner (its owner, or
// an admin key): they see what others see masked (recipients' phones).
func asOwner(c echo.Context) bool {
	r := callerOf(c).role
	return r == roleOwner || r == roleAdmin
}

// People is how people sign in with Zalo.
type People struct {
	// SignupOpen: an unknown Zalo account's first sign-in makes it a
	// workspace with them as its owner; else it is refused.
	SignupOpen bool
	// A session ends after IdleTimeout without a request, and MaxAge after
	// signing in.
	IdleTimeout, MaxAge time.Duration
	// LinkMembers: alert recipients are known by the follower table's app
	// id ↔ OA id, and may sign in to see their alerts.
	LinkMembers bool
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what is stored of a secret token: a browser's login cookie,
// a session's cookie, a team invite's code.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
