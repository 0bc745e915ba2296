package zalosim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"time"
)

// codeTTL is how long an authorization code lives, as at Zalo; userTTL is
// the lifetime of a user access token (Zalo's expires_in "3600").
const (
	codeTTL = 10 * time.Minute
	userTTL = time.Hour
)

// authCode is an unused authorization code and what it is bound to.
type authCode struct {
	appID       string
	appUserID   string
	redirectURI string
	challenge   string
	expires     time.Time
}

type userToken struct {
	appUserID string
	expires   time.Time
}

type oauthState struct {
	codes      map[string]authCode  // unused login codes; a used one is deleted
	userTokens map[string]userToken // by user access token
	oaCodes    map[string]time.Time // unused OA consent codes → expiry
}

func newOAuthState() oauthState {
	return oauthState{codes: map[string]authCode{}, userTokens: map[string]userToken{}, oaCodes: map[string]time.Time{}}
}

var permissionPage = template.Must(template.New("permission").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Đăng nhập bằng Zalo (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
a.user{display:block;padding:.8rem 1rem;margin:.5rem 0;border:1px solid #0068ff;border-radius:8px;color:#0068ff;text-decoration:none}
a.user:hover{background:#eef5ff}small{color:#666}</style></head><body>
<h1>Đăng nhập bằng Zalo</h1>
<p>Ứng dụng <b>{{.AppID}}</b> muốn biết tên và ảnh đại diện Zalo của bạn, rồi đưa bạn về
<small>{{.Redirect}}</small>.</p><p>Chọn tài khoản Zalo (sandbox) để đồng ý:</p>
{{range .Users}}<a class="user" href="{{$.Base}}&sandbox_user={{.AppUserID}}">{{.Name}}{{if not .Follows}} <small>(chưa quan tâm OA)</small>{{end}}</a>
{{else}}<p>Chưa có người dùng nào. Tạo một người dùng ở <a href="/_sandbox">/_sandbox</a> rồi tải lại trang này.</p>{{end}}
<p><small>Đây là Zalo sandbox của tingting, không phải Zalo thật.</small></p>
</body></html>`))

// permission is GET /v4/permission: Zalo's login-and-consent page. With
// sandbox_user=<app user id> it skips the page, for scripts and tests.
func (s *Sim) permission(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("app_id") != s.cfg.AppID:
		http.Error(w, "Ứng dụng không hợp lệ (app_id)", http.StatusBadRequest)
		return
	case err != nil || !redirect.IsAbs():
		http.Error(w, "redirect_uri không hợp lệ", http.StatusBadRequest)
		return
	case q.Get("code_challenge") == "":
		http.Error(w, "Thiếu code_challenge (PKCE)", http.StatusBadRequest)
		return
	}
	pick := q.Get("sandbox_user")
	if pick == "" {
		s.mu.Lock()
		users := s.usersInOrder()
		s.mu.Unlock()
		q.Del("sandbox_user")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = permissionPage.Execute(w, map[string]any{
			"AppID": s.cfg.AppID, "Redirect": redirect.Scheme + "://" + redirect.Host, "Users": users,
			"Base": template.URL("/v4/permission?" + q.Encode()),
		})
		return
	}
	s.mu.Lock()
	_, found := s.byAppUserID(pick)
	code := s.token("code")
	if found {
		s.oauth.codes[code] = authCode{
			appID: s.cfg.AppID, appUserID: pick, redirectURI: redirect.String(),
			challenge: q.Get("code_challenge"), expires: s.cfg.Now().Add(codeTTL),
		}
	}
	s.mu.Unlock()
	if !found {
		http.Error(w, "Không có người dùng sandbox này (sandbox_user)", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// exchangeCode is POST /v4/access_token: single-use, expiring codes, PKCE.
func (s *Sim) exchangeCode(w http.ResponseWriter, r *http.Request) {
	if !s.appAuthorized(w, r) {
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, codeInvalidRequest, "Invalid grant_type")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	code, ok := s.oauth.codes[f.Get("code")]
	delete(s.oauth.codes, f.Get("code")) // single use, even when the verifier is wrong
	switch {
	case !ok || code.appID != f.Get("app_id") || !now.Before(code.expires):
		oauthError(w, codeInvalidCode, "Invalid authorization code")
		return
	case CodeChallenge(f.Get("code_verifier")) != code.challenge:
		oauthError(w, codeInvalidVerifier, "Invalid code_verifier")
		return
	}
	access := s.token("user-access")
	s.oauth.userTokens[access] = userToken{appUserID: code.appUserID, expires: now.Add(userTTL)}
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": access, "refresh_token": s.token("user-refresh"), "expires_in": "3600",
	})
}

// CodeChallenge is PKCE's S256 challenge of a verifier: base64url, without
// padding, of its SHA-256.
func CodeChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// me is GET /v2.0/me, which requires appsecret_proof.
func (s *Sim) me(w http.ResponseWriter, r *http.Request) {
	token := r.Header.Get("access_token")
	mac := hmac.New(sha256.New, []byte(s.cfg.AppSecret))
	mac.Write([]byte(token))
	proof, _ := hex.DecodeString(r.Header.Get("appsecret_proof"))
	if token == "" || !hmac.Equal(proof, mac.Sum(nil)) {
		zaloError(w, -124, "Invalid appsecret_proof")
		return
	}
	s.mu.Lock()
	ut, ok := s.oauth.userTokens[token]
	ok = ok && s.cfg.Now().Before(ut.expires)
	me, found := s.byAppUserID(ut.appUserID)
	s.mu.Unlock()
	if !ok || !found {
		zaloError(w, -216, "Access token is invalid")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": me.AppUserID, "name": me.Name, "error": 0, "message": "Success",
		"picture": map[string]any{"data": map[string]string{"url": avatarURL(me)}},
	})
}

// byAppUserID finds a user by app-scoped id; the caller holds s.mu.
func (s *Sim) byAppUserID(appUserID string) (User, bool) {
	for _, a := range s.users {
		if a.AppUserID == appUserID {
			return a.public(), true
		}
	}
	return User{}, false
}

// usersInOrder lists users in creation order; the caller holds s.mu.
func (s *Sim) usersInOrder() []User {
	out := make([]User, len(s.order))
	for i, id := range s.order {
		out[i] = s.users[id].public()
	}
	return out
}

func avatarURL(u User) string { return "https://sandbox.invalid/avatar/" + u.AppUserID }
