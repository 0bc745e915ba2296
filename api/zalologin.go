package api

import (
	"crypto/subtle"
	"errors"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/zalo"
)

// "Đăng nhập bằng Zalo" serves two ends with one mechanism: the wizard's
// login, which learns the owner's Zalo account (wizards.go), and signing in
// (signin.go). Each login has a fresh state and PKCE pair, its verifier
// stored sealed, and is bound to the browser that began it by a cookie
// whose hash is stored with it.

// zaloLogin is one kind of login: where Zalo sends the browser back, and
// what the browser is told when the login cannot be completed.
type zaloLogin struct {
	callback string
	signIn   bool // a sign-in's login has no wizard
	pages    loginPages
}

// loginPages are the plain pages, in Vietnamese, a browser sees when a
// login cannot be completed, and where they lead back to.
type loginPages struct {
	notCompleted, expired, elsewhere, back string
}

var (
	wizardLogin = zaloLogin{callback: "/v1/oauth/zalo/callback", pages: loginPages{
		notCompleted: "Bạn chưa hoàn tất đăng nhập bằng Zalo. Hãy quay lại trang thiết lập và bấm “Đăng nhập bằng Zalo” lần nữa.",
		expired:      "Liên kết đăng nhập này không còn dùng được (đã dùng hoặc đã quá 15 phút). Hãy quay lại trang thiết lập và bấm “Đăng nhập bằng Zalo” lần nữa.",
		elsewhere:    "Liên kết đăng nhập này được tạo trên một trình duyệt khác, nên không thể hoàn tất ở đây. Nếu bạn đang thiết lập tích hợp, hãy bấm “Đăng nhập bằng Zalo” trên chính trình duyệt bạn dùng để thiết lập. Nếu ai đó gửi cho bạn liên kết này, hãy bỏ qua nó.",
		back:         "Về trang thiết lập",
	}}
	signInLogin = zaloLogin{callback: "/v1/auth/zalo/callback", signIn: true, pages: loginPages{
		notCompleted: "Bạn chưa hoàn tất đăng nhập bằng Zalo. Hãy quay lại trang đăng nhập và bấm “Đăng nhập bằng Zalo” lần nữa.",
		expired:      "Liên kết đăng nhập này không còn dùng được (đã dùng hoặc đã quá 15 phút). Hãy quay lại trang đăng nhập và bấm “Đăng nhập bằng Zalo” lần nữa.",
		elsewhere:    "Liên kết đăng nhập này được tạo trên một trình duyệt khác, nên không thể hoàn tất ở đây. Hãy bấm “Đăng nhập bằng Zalo” trên chính trình duyệt bạn muốn dùng. Nếu ai đó gửi cho bạn liên kết này, hãy bỏ qua nó.",
		back:         "Về trang đăng nhập",
	}}
)

// loginLife is how long a login may take, as GetOAuthLogin and
// UseOAuthLogin allow.
const loginLife = 15 * time.Minute

// loginStart is what a login stores besides its state and verifier: the
// wizard's workspace and id (none for a sign-in), where the browser goes
// afterwards, and the team invite a sign-in accepts.
type loginStart struct {
	workspace uuid.NullUUID
	wizard    *string
	returnTo  string
	invite    []byte
}

// beginLogin stores a fresh login, lets first (if any) take its state (the
// wizard's step), then binds the login to this browser with a cookie and
// returns the URL of Zalo's login page. Only the browser holding the
// cookie can complete it, so a login link opened by someone else binds no
// one.
func (s *Server) beginLogin(c echo.Context, kind zaloLogin, start loginStart, first func(state string) error) (string, error) {
	verifier, challenge := zalo.NewPKCE()
	state, browser := randomToken(), randomToken()
	if err := s.queries.CreateOAuthLogin(c.Request().Context(), db.CreateOAuthLoginParams{
		State: state, WorkspaceID: start.workspace, WizardID: start.wizard, InviteHash: start.invite,
		CodeVerifier: s.box.Seal(verifier, secret.CodeVerifier), ReturnTo: start.returnTo, BrowserHash: tokenHash(browser),
	}); err != nil {
		return "", err
	}
	if first != nil {
		if err := first(state); err != nil {
			return "", err
		}
	}
	c.SetCookie(&http.Cookie{
		Name: loginCookie(state), Value: browser, Path: kind.callback, MaxAge: int(loginLife.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	return s.zalo.AuthorizeURL(s.publicURL+kind.callback, challenge, state), nil
}

// boundLogin is the login a callback completes: Zalo's answer must carry a
// code, and its state must name a login of this kind that may still be
// completed and that this browser began. When it is not, the refusal is
// answered (to a browser as a plain page: loginRefused) and ok is false;
// err is what the handler returns either way.
func (s *Server) boundLogin(c echo.Context, kind zaloLogin) (login db.OauthLogin, ok bool, err error) {
	state, code := c.QueryParam("state"), c.QueryParam("code")
	if c.QueryParam("error") != "" || code == "" {
		return login, false, s.loginRefused(c, invalid("the Zalo login was not completed"), kind.pages.notCompleted, kind)
	}
	login, err = s.queries.GetOAuthLogin(c.Request().Context(), state)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (login.WizardID == nil) != kind.signIn) {
		return login, false, s.loginRefused(c, invalid("unknown, used or expired login state"), kind.pages.expired, kind)
	} else if err != nil {
		return login, false, err
	}
	cookie, err := c.Cookie(loginCookie(state))
	if err != nil || login.BrowserHash == nil || subtle.ConstantTimeCompare(tokenHash(cookie.Value), login.BrowserHash) != 1 {
		e := newError(http.StatusForbidden, "login_elsewhere", "this login was begun in another browser: finish it there")
		if kind.signIn {
			e = invalid("this sign-in was begun in another browser: sign in from the browser you want to use")
		}
		return login, false, s.loginRefused(c, e, kind.pages.elsewhere, kind)
	}
	return login, true, nil
}

// endLogin forgets a completed login's cookie.
func (s *Server) endLogin(c echo.Context, kind zaloLogin, state string) {
	c.SetCookie(&http.Cookie{Name: loginCookie(state), Path: kind.callback, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

// loginCookie names a login's cookie, so logins in two tabs do not clash.
func loginCookie(state string) string { return "tt_login_" + state[:min(len(state), 12)] }

// secureCookies: cookies are Secure when browsers reach us over https.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.publicURL, "https://") }

// validReturnTo accepts only a path on this site: no other host (//, or /\
// which browsers read as //), no scheme, no control characters.
func validReturnTo(p string) error {
	refused := invalid("return_to: a path on this site, like /wizard")
	if p == "" {
		return nil
	}
	if len(p) > 512 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return refused
	}
	for _, r := range p {
		if r == '\\' || r == ' ' || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return refused
		}
	}
	return nil
}

// loginRefused answers a browser with a plain page in Vietnamese, and any
// other client with the contract's error.
func (s *Server) loginRefused(c echo.Context, e *Error, page string, kind zaloLogin) error {
	if !strings.Contains(c.Request().Header.Get("Accept"), "text/html") {
		return e
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", uiPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	return c.HTML(e.Status, "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Đăng nhập bằng Zalo</title>"+
		"<p>"+html.EscapeString(page)+"</p><p><a href=\"/\">"+html.EscapeString(kind.pages.back)+"</a></p></html>")
}
