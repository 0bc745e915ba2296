package zalosim_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

const oaCallback = "http://127.0.0.1:8080/v1/oauth/zalo-oa/callback?keep=1"

func consentWorld(t *testing.T) world {
	return newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: "tok", OARefreshToken: "r0", OARedirectURI: oaCallback})
}

// consent follows the console's link through the consent page, as the OA
// admin's click does, and answers the code Zalo sends back.
func (w world) consent(t *testing.T) string {
	t.Helper()
	_, body, _ := w.do(t, "GET", "/_sandbox/oa/consent-url", "", "")
	var link struct {
		URL string `json:"url"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &link))
	u, err := url.Parse(link.URL)
	require.NoError(t, err)
	status, page, _ := w.do(t, "GET", u.RequestURI(), "", "")
	require.Equal(t, http.StatusOK, status, page)
	m := regexp.MustCompile(`class="allow" href="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, page)
	status, _, h := w.do(t, "GET", html.UnescapeString(m[1]), "", "")
	require.Equal(t, http.StatusFound, status)
	back, err := url.Parse(h.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:8080/v1/oauth/zalo-oa/callback", back.Scheme+"://"+back.Host+back.Path)
	require.Equal(t, "1", back.Query().Get("keep"), "the callback keeps its own query")
	require.Equal(t, "579745863508352884", back.Query().Get("oa_id"))
	return back.Query().Get("code")
}

// exchange posts the OA token form; secret is the secret_key header.
func (w world) exchange(t *testing.T, form url.Values, secret string) map[string]any {
	t.Helper()
	_, body, _ := w.do(t, "POST", "/v4/oa/access_token", "application/x-www-form-urlencoded", form.Encode(), "secret_key: "+secret)
	var ans map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &ans), body)
	return ans
}

func codeForm(code, verifier string) url.Values {
	return url.Values{"app_id": {"1"}, "grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}}
}

// TestOAConsent: the console's link, the admin's consent, and the
// exchange with the one fixed verifier give a pair the OA API takes; the
// OA's earlier tokens stop working, and the new refresh token refreshes.
func TestOAConsent(t *testing.T) {
	t.Parallel()
	w := consentWorld(t)
	_, body, _ := w.do(t, "GET", "/_sandbox/oa/consent-url", "", "")
	require.JSONEq(t, `{"url":"`+w.url+`/v4/oa/permission?app_id=1&code_challenge=`+zalosim.CodeChallenge(zalosim.DefaultOACodeVerifier)+
		`&redirect_uri=`+url.QueryEscape(oaCallback)+`"}`, body)

	code := w.consent(t)
	require.NotEmpty(t, code)
	ans := w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "s")
	require.Equal(t, "90000", ans["expires_in"], "25 h, in a string")
	access, refresh := ans["access_token"].(string), ans["refresh_token"].(string)
	require.NotEmpty(t, access)
	require.NotEmpty(t, refresh)
	a, r := w.sim.OATokens()
	require.Equal(t, [2]string{access, refresh}, [2]string{a, r})

	_, body, _ = w.do(t, "GET", "/v2.0/oa/getoa", "", "", "access_token: "+access)
	require.Zero(t, zaloCode(t, body), "the OA API takes the new token")
	body, _ = w.oa(t, "GET", "/v2.0/oa/getoa", "")
	require.Equal(t, -216, zaloCode(t, body), "the earlier token stops working")
	ans = w.exchange(t, url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}, "s")
	require.EqualValues(t, -14014, ans["error"], "so does the earlier refresh token")
	require.False(t, w.sim.RevokedByReuse(), "refused, not a reuse")

	ans = w.exchange(t, url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}, "s")
	require.NotEmpty(t, ans["access_token"], "the refresh grant lives on the same path: %v", ans)
	require.Equal(t, 1, w.sim.RefreshCount())
	st := w.sim.Stats()
	require.Equal(t, 3, st.Calls[zalosim.KindToken], "both grants count as token")
}

// TestOAConsentCodeRules: a code is single use, lives 10 minutes, needs
// the verifier of the console's challenge and the app's secret.
func TestOAConsentCodeRules(t *testing.T) {
	t.Parallel()
	w := consentWorld(t)
	code := w.consent(t)
	require.EqualValues(t, -14021, w.exchange(t, codeForm(code, "another-verifier-0000000000000000000000000"), "s")["error"])
	require.EqualValues(t, -14019, w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "s")["error"],
		"a code tried with the wrong verifier is spent")

	code = w.consent(t)
	require.NotEmpty(t, w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "s")["access_token"])
	require.EqualValues(t, -14019, w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "s")["error"], "single use")

	code = w.consent(t)
	require.EqualValues(t, -14016, w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "wrong")["error"], "the app's secret_key")
	code = w.consent(t)
	w.clock.Add(int64(10*time.Minute + time.Second))
	require.EqualValues(t, -14019, w.exchange(t, codeForm(code, zalosim.DefaultOACodeVerifier), "s")["error"], "10 minutes")
	require.EqualValues(t, -14003, w.exchange(t, url.Values{"app_id": {"1"}, "grant_type": {"password"}}, "s")["error"])
}

// TestOAConsentRepairsARevokedOA: after a reused refresh token broke the
// OA, the admin's consent gives it a working pair again.
func TestOAConsentRepairsARevokedOA(t *testing.T) {
	t.Parallel()
	w := consentWorld(t)
	refresh := url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}
	require.NotEmpty(t, w.exchange(t, refresh, "s")["access_token"])
	require.EqualValues(t, -14014, w.exchange(t, refresh, "s")["error"])
	require.True(t, w.sim.RevokedByReuse())

	ans := w.exchange(t, codeForm(w.consent(t), zalosim.DefaultOACodeVerifier), "s")
	require.False(t, w.sim.RevokedByReuse())
	_, body, _ := w.do(t, "GET", "/v2.0/oa/getoa", "", "", "access_token: "+ans["access_token"].(string))
	require.Zero(t, zaloCode(t, body))
}

// TestOAConsentLinkMustBeTheConsoles: a redirect_uri or challenge other
// than the console's is refused on Zalo's page (-14003), as is another
// app; a sandbox with no OA callback configured refuses every link.
func TestOAConsentLinkMustBeTheConsoles(t *testing.T) {
	t.Parallel()
	w := consentWorld(t)
	good := url.Values{"app_id": {"1"}, "redirect_uri": {oaCallback}, "code_challenge": {zalosim.CodeChallenge(zalosim.DefaultOACodeVerifier)}}
	for name, tc := range map[string]struct {
		change func(url.Values)
		want   string
	}{
		"another redirect_uri": {func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8080/elsewhere") }, "-14003"},
		"no redirect_uri":      {func(q url.Values) { q.Del("redirect_uri") }, "-14003"},
		"a fresh challenge":    {func(q url.Values) { q.Set("code_challenge", zalosim.CodeChallenge("mine")) }, "-14003"},
		"another app":          {func(q url.Values) { q.Set("app_id", "2") }, "-14016"},
	} {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		tc.change(q)
		q.Set("sandbox_consent", "1")
		status, body, _ := w.do(t, "GET", "/v4/oa/permission?"+q.Encode(), "", "")
		require.Equal(t, http.StatusBadRequest, status, name)
		require.Contains(t, body, tc.want, name)
	}
	q := url.Values{}
	for k, v := range good {
		q[k] = v
	}
	q.Set("sandbox_consent", "1")
	q.Set("state", "st")
	status, _, h := w.do(t, "GET", "/v4/oa/permission?"+q.Encode(), "", "")
	require.Equal(t, http.StatusFound, status, "sandbox_consent skips the page")
	loc, err := url.Parse(h.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "st", loc.Query().Get("state"), "a state given comes back")

	bare := newWorld(t, zalosim.Config{AppID: "1"})
	status, _, _ = bare.do(t, "GET", "/v4/oa/permission?"+good.Encode(), "", "")
	require.Equal(t, http.StatusBadRequest, status, "no OA callback configured")
	_, page, _ := bare.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, "chưa cấu hình callback của OA")
}
