package zalosim_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

func TestPermissionRefusesBadRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s"})
	u := w.sim.CreateUser("Lan", true)
	base := url.Values{"app_id": {"1"}, "redirect_uri": {"http://127.0.0.1/cb?keep=1"}, "code_challenge": {"c"}, "state": {"st"}}
	get := func(change func(url.Values)) (int, http.Header) {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		change(q)
		status, _, h := w.do(t, "GET", "/v4/permission?"+q.Encode(), "", "")
		return status, h
	}
	for name, change := range map[string]func(url.Values){
		"unknown app":          func(q url.Values) { q.Set("app_id", "2") },
		"relative redirect":    func(q url.Values) { q.Set("redirect_uri", "/cb") },
		"no challenge":         func(q url.Values) { q.Del("code_challenge") },
		"unknown sandbox user": func(q url.Values) { q.Set("sandbox_user", "42") },
	} {
		status, _ := get(change)
		require.Equal(t, http.StatusBadRequest, status, name)
	}
	status, h := get(func(q url.Values) { q.Set("sandbox_user", u.AppUserID) })
	require.Equal(t, http.StatusFound, status)
	loc, err := url.Parse(h.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "1", loc.Query().Get("keep"), "the redirect keeps its own query")
	require.Equal(t, "st", loc.Query().Get("state"))
	require.NotEmpty(t, loc.Query().Get("code"))
}

// TestClickingAUserLogsIn follows the link the consent page renders, as a
// person's click would.
func TestClickingAUserLogsIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s"})
	w.sim.CreateUser("Chị Lan", true)
	q := url.Values{"app_id": {"1"}, "redirect_uri": {"http://127.0.0.1/cb"}, "code_challenge": {"c"}, "state": {"st"}}
	_, page, _ := w.do(t, "GET", "/v4/permission?"+q.Encode(), "", "")
	m := regexp.MustCompile(`class="user" href="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, page)
	status, _, h := w.do(t, "GET", html.UnescapeString(m[1]), "", "")
	require.Equal(t, http.StatusFound, status)
	loc, err := url.Parse(h.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "st", loc.Query().Get("state"))
	require.NotEmpty(t, loc.Query().Get("code"))
}

func TestOATokenCallsAreStrict(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: "a0", OARefreshToken: "r0"})
	refresh := func(form url.Values, secret string) string {
		_, body, _ := w.do(t, "POST", "/v4/oa/access_token", "application/x-www-form-urlencoded", form.Encode(), "secret_key: "+secret)
		return body
	}
	good := url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}
	require.Contains(t, refresh(good, "wrong"), `"error":-14016`)
	require.Contains(t, refresh(url.Values{"app_id": {"2"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}, "s"), `"error":-14016`)
	require.Contains(t, refresh(url.Values{"app_id": {"1"}, "grant_type": {"password"}, "refresh_token": {"r0"}}, "s"), `"error":-14003`)
	require.Contains(t, refresh(url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r9"}}, "s"), `"error":-14014`)
	require.False(t, w.sim.RevokedByReuse(), "an unknown refresh token revokes nothing")
	require.Zero(t, w.sim.RefreshCount(), "refused calls spend nothing")

	w.clock.Store(int64(91 * 24 * time.Hour))
	require.Contains(t, refresh(good, "s"), `"error":-14014`, "refresh tokens live three months")
	require.False(t, w.sim.RevokedByReuse())
	w.clock.Store(0)
	body := refresh(good, "s")
	require.Contains(t, body, `"expires_in":"90000"`, "a string, like Zalo's")
	require.Equal(t, 1, w.sim.RefreshCount())
}

func TestMeWantsAValidUserToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s"})
	_, body, _ := w.do(t, "GET", "/v2.0/me?fields=id,name,picture", "", "")
	require.Contains(t, body, `"error":-124`, "no token, no proof")
	_, body, _ = w.do(t, "GET", "/v2.0/me?fields=id,name,picture", "", "", "access_token: x",
		"appsecret_proof: 4c2b8f6a1e2a9d4b1d3c1f4e0b6b0f1a3c2e5d7f9a8b6c4d2e0f1a3b5c7d9e1f")
	require.Contains(t, body, `"error":-124`, "a proof made with another secret")
}
