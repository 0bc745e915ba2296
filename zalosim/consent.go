package zalosim

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"
)

// DefaultOACodeVerifier is the PKCE verifier whose challenge the sandbox's
// console holds unless Config.OACodeChallenge says otherwise; `dev` gives
// it to the product as ZALO_OA_CODE_VERIFIER. It is no secret: it opens a
// sandbox only.
const DefaultOACodeVerifier = "tingting-sandbox-oa-consent-verifier-000001"

// ConsentURL is the OA consent link Zalo's console generates from what it
// holds (cfg's app id, OA redirect URI and code challenge), on the sandbox
// served at base (http://host:port).
func ConsentURL(base string, cfg Config) string {
	challenge := cfg.OACodeChallenge
	if challenge == "" {
		challenge = CodeChallenge(DefaultOACodeVerifier)
	}
	return base + "/v4/oa/permission?" + url.Values{
		"app_id": {cfg.AppID}, "redirect_uri": {cfg.OARedirectURI}, "code_challenge": {challenge},
	}.Encode()
}

// getConsentURL is GET /_sandbox/oa/consent-url: the link as the console
// shows it, for this sandbox's address.
func (s *Sim) getConsentURL(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"url": ConsentURL("http://"+r.Host, s.cfg)})
}

var oaConsentPage = template.Must(template.New("oa-consent").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cấp quyền cho ứng dụng (Zalo sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
a.allow{display:inline-block;padding:.8rem 1.4rem;margin:1rem 0;border-radius:8px;background:#0068ff;color:#fff;text-decoration:none}
small{color:#666}</style></head><body>
<h1>Cấp quyền quản lý Official Account</h1>
<p>Ứng dụng <b>{{.AppID}}</b> muốn quản lý Official Account <b>{{.OAName}}</b> thay bạn: gửi tin nhắn,
đọc danh sách người quan tâm và hội thoại, dùng mẫu tin ZBS. Sau đó Zalo đưa bạn về
<small>{{.Redirect}}</small>.</p>
<a class="allow" href="{{.Allow}}">Đồng ý</a>
<p><small>Bạn đang đăng nhập với tư cách quản trị viên OA. Đây là Zalo sandbox của tingting, không phải Zalo thật.</small></p>
</body></html>`))

// oaPermission is GET /v4/oa/permission?app_id&redirect_uri&code_challenge:
// the OA admin's consent page. The link must be the console's: another
// redirect_uri, or another challenge, is refused with -14003 (Zalo shows
// it on its page). With sandbox_consent=1 the admin's consent is taken
// without the page, for scripts and tests; the admin is sent back to
// redirect_uri with ?code&oa_id (and the state, if the link had one).
func (s *Sim) oaPermission(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("app_id") != s.cfg.AppID:
		http.Error(w, fmt.Sprintf("%d Ứng dụng không hợp lệ (app_id)", codeInvalidApp), http.StatusBadRequest)
		return
	case s.cfg.OARedirectURI == "" || q.Get("redirect_uri") != s.cfg.OARedirectURI:
		http.Error(w, fmt.Sprintf("%d Invalid redirect uri: not the OA callback URL saved in the console", codeInvalidRequest), http.StatusBadRequest)
		return
	case q.Get("code_challenge") != s.cfg.OACodeChallenge:
		http.Error(w, fmt.Sprintf("%d Invalid code_challenge: not the one saved in the console", codeInvalidRequest), http.StatusBadRequest)
		return
	}
	if q.Get("sandbox_consent") == "" {
		allow := url.Values{}
		for k, v := range q {
			allow[k] = v
		}
		allow.Set("sandbox_consent", "1")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = oaConsentPage.Execute(w, map[string]any{
			"AppID": s.cfg.AppID, "OAName": oaName, "Redirect": s.cfg.OARedirectURI,
			"Allow": template.URL("/v4/oa/permission?" + allow.Encode()),
		})
		return
	}
	s.mu.Lock()
	code := s.token("oa-code")
	s.oauth.oaCodes[code] = s.cfg.Now().Add(codeTTL)
	s.mu.Unlock()
	back, _ := url.Parse(s.cfg.OARedirectURI) // it parsed: it equals the link's
	v := back.Query()
	v.Set("code", code)
	v.Set("oa_id", oaID)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// oaAccessToken is POST /v4/oa/access_token: the OA's refresh, or the
// exchange of its admin's consent, by grant_type.
func (s *Sim) oaAccessToken(w http.ResponseWriter, r *http.Request) {
	if !s.appAuthorized(w, r) {
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		s.refreshOA(w, r)
	case "authorization_code":
		s.exchangeOACode(w, r)
	default:
		oauthError(w, codeInvalidRequest, "Invalid grant_type")
	}
}

// exchangeOACode turns a consent code (single use, 10 minutes) and the
// verifier of the console's challenge into a fresh token pair. The OA's
// tokens start afresh: earlier access and refresh tokens stop working and
// an OA broken by a reused refresh token works again.
func (s *Sim) exchangeOACode(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	expires, ok := s.oauth.oaCodes[f.Get("code")]
	delete(s.oauth.oaCodes, f.Get("code")) // single use, even when the verifier is wrong
	switch {
	case !ok || !now.Before(expires):
		oauthError(w, codeInvalidCode, "Invalid authorization code")
		return
	case CodeChallenge(f.Get("code_verifier")) != s.cfg.OACodeChallenge:
		oauthError(w, codeInvalidVerifier, "Invalid code_verifier")
		return
	}
	access, refresh := s.token("oa-access"), s.token("oa-refresh")
	refreshes := s.tokens.refreshes
	s.tokens = newOATokens(access, refresh, now, s.cfg.AccessTokenTTL)
	s.tokens.refreshes = refreshes
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": access, "refresh_token": refresh, "expires_in": expiresIn(s.cfg.AccessTokenTTL),
	})
}

// expiresIn is a lifetime as Zalo answers it: seconds, in a string.
func expiresIn(d time.Duration) string { return fmt.Sprint(int64(d.Seconds())) }
