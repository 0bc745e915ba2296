package api

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/internal/team"
	"github.com/tingting-vn/tingting/zalo"
)

// Signing in with Zalo: Zalo's Social login (zalologin.go) tells who the
// person is, by the app-scoped id of their Zalo account; then they are
// admitted to a workspace where they have a place (a team, an invite they
// accept, the alerts they receive) or, with SIGNUP=open, to a new one of
// their own. A server-side session follows them, by a cookie holding a
// random token of which only the hash is stored (auth.go).

var errSignupClosed = newError(http.StatusForbidden, "signup_closed",
	"sign-up is closed: this Zalo account has no workspace here; ask a workspace's owner for an invite link")

const (
	pageSignupClosed = "Hiện chưa mở đăng ký: tài khoản Zalo này chưa thuộc workspace nào. Hãy nhờ chủ workspace gửi cho bạn một liên kết mời, rồi mở liên kết đó để đăng nhập."
	pageZaloRefused  = "Zalo không xác nhận được lần đăng nhập này. Hãy quay lại trang đăng nhập và bấm “Đăng nhập bằng Zalo” lần nữa."
)

// signIn is GET /v1/auth/zalo: it sends the browser to Zalo's login page,
// with a fresh PKCE pair and the login bound to this browser. ?invite= is
// a team invite's code the person signs in to accept.
func (s *Server) signIn(c echo.Context) error {
	returnTo := c.QueryParam("return_to")
	if err := validReturnTo(returnTo); err != nil {
		return err
	}
	var invite []byte
	if code := c.QueryParam("invite"); code != "" {
		invite = team.Hash(code)
	}
	url, err := s.beginLogin(c, signInLogin, loginStart{returnTo: returnTo, invite: invite}, nil)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, url)
}

// signInCallback is where Zalo sends the browser back: in the browser that
// began it, the login is completed once, and the person gets a session.
func (s *Server) signInCallback(c echo.Context) error {
	ctx := c.Request().Context()
	login, ok, err := s.boundLogin(c, signInLogin)
	if !ok {
		return err
	}
	// Whoever marks the state used first completes the login.
	login, err = s.queries.UseOAuthLogin(ctx, login.State)
	if errors.Is(err, db.ErrNotFound) {
		return s.loginRefused(c, invalid("unknown, used or expired login state"), signInLogin.pages.expired, signInLogin)
	} else if err != nil {
		return err
	}
	verifier, err := s.box.Open(login.CodeVerifier, secret.CodeVerifier)
	if err != nil {
		return err
	}
	me, err := s.zalo.Identify(ctx, c.QueryParam("code"), verifier)
	if err != nil {
		return s.loginRefused(c, zaloLoginError(err), pageZaloRefused, signInLogin)
	}
	token, err := s.admit(c, me, login.InviteHash)
	if errors.Is(err, errSignupClosed) {
		return s.loginRefused(c, errSignupClosed, pageSignupClosed, signInLogin)
	} else if err != nil {
		return err
	}
	s.endLogin(c, signInLogin, login.State)
	s.startSession(c, token)
	if login.ReturnTo == "" {
		login.ReturnTo = "/"
	}
	return c.Redirect(http.StatusFound, login.ReturnTo)
}

// zaloLoginError is Zalo's refusal of a login as the API tells it.
func zaloLoginError(err error) *Error {
	var zerr *zalo.Error
	if !errors.As(err, &zerr) {
		return newError(http.StatusServiceUnavailable, "unavailable", "Zalo is not answering; sign in again shortly")
	}
	e := newError(http.StatusBadGateway, "zalo_refused", "Zalo refused the sign-in: %s", zerr.Message)
	e.ZaloCode = zerr.Code
	return e
}

// admit gives a person who signed in a session, in one transaction: in
// the workspace of the invite they accept, else their first place (a team,
// then the alerts they receive), else (SIGNUP=open) a new workspace they
// own. It returns the session's token.
func (s *Server) admit(c echo.Context, me zalo.Me, invite []byte) (string, error) {
	ctx := c.Request().Context()
	token := randomToken()
	err := db.InTx(ctx, s.pool, func(q *db.Queries) error {
		user, err := q.UpsertUser(ctx, db.UpsertUserParams{ZaloAppUserID: me.ID, Name: clip(me.Name, 100)})
		if err != nil {
			return err
		}
		ws := uuid.Nil
		if invite != nil {
			j, err := join(c, q, user, invite)
			var refused *Error
			switch {
			case err == nil:
				ws = j.WorkspaceID
			case !errors.As(err, &refused):
				return err
			} // a stale invite: the page they return to says so
		}
		if ws == uuid.Nil {
			seats, err := q.WorkspacesOf(ctx, db.WorkspacesOfParams{AppUserID: me.ID, LinkMembers: s.people.LinkMembers})
			if err != nil {
				return err
			}
			if len(seats) > 0 {
				ws = seats[0].ID
			}
		}
		if ws == uuid.Nil {
			if !s.people.SignupOpen {
				return errSignupClosed
			}
			if ws, err = signUp(c, q, user); err != nil {
				return err
			}
		}
		if err := q.ForgetOldSessions(ctx, db.ForgetOldSessionsParams{UserID: user.ID, IdleSeconds: s.people.IdleTimeout.Seconds()}); err != nil {
			return err
		}
		_, err = q.CreateSession(ctx, db.CreateSessionParams{
			TokenHash: tokenHash(token), UserID: user.ID, WorkspaceID: ws,
			UserAgent: clip(c.Request().UserAgent(), 200), MaxAgeSeconds: s.people.MaxAge.Seconds(),
		})
		return err
	})
	return token, err
}

// signUp makes a new workspace, named for the person, with them as its
// owner.
func signUp(c echo.Context, q *db.Queries, user db.User) (uuid.UUID, error) {
	name := user.Name
	if name == "" {
		name = "Cửa hàng mới"
	}
	ws, err := q.CreateWorkspace(c.Request().Context(), name)
	if err != nil {
		return uuid.Nil, err
	}
	if err := q.AddTeamMember(c.Request().Context(), db.AddTeamMemberParams{WorkspaceID: ws.ID, UserID: user.ID, Role: db.TeamRoleOwner}); err != nil {
		return uuid.Nil, err
	}
	return ws.ID, recordChange(c, q, personCaller(user), ws.ID, "sign_up", uuid.NullUUID{}, map[string]any{})
}

// personCaller is a person who has no session yet, for the audit log.
func personCaller(user db.User) caller {
	return caller{person: &signedIn{user: user.ID, name: user.Name, appID: user.ZaloAppUserID}}
}

// signOut is POST /v1/auth/logout: the session ends on the server, so the
// cookie is worthless wherever it went.
func (s *Server) signOut(c echo.Context) error {
	p := callerOf(c).person
	if _, err := s.queries.EndSession(c.Request().Context(), db.EndSessionParams{ID: p.session, UserID: p.user}); err != nil {
		return err
	}
	s.forgetSession(c)
	return c.NoContent(http.StatusNoContent)
}
