package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

const simAppSecret = "app-secret"

// people is the API with the Zalo sandbox behind "Đăng nhập bằng Zalo".
type people struct {
	fixture
	sim *zalosim.Sim
}

func newPeople(t *testing.T, p api.People) people {
	t.Helper()
	sim := zalosim.New(zalosim.Config{AppID: appID, AppSecret: simAppSecret, OASecretKey: oaSecret})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(func() { simSrv.Close(); sim.Close() })
	f := newFixtureWith(t, func(d *api.Deps) {
		d.Zalo = zalo.NewClient(zalo.Config{OAuthURL: simSrv.URL, GraphURL: simSrv.URL, OpenAPIURL: simSrv.URL, AppID: appID, AppSecret: simAppSecret})
		d.People = p
	})
	return people{fixture: f, sim: sim}
}

// browser is a browser: it keeps cookies, reaches the API at its public
// name (http://tingting.test) and follows no redirect by itself.
type browser struct {
	t      *testing.T
	f      people
	client *http.Client
	csrf   string
}

func (f people) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	api, err := url.Parse(f.url)
	require.NoError(t, err)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "tingting.test:80" {
			addr = api.Host
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return &browser{t: t, f: f, client: &http.Client{Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(u string) *http.Response {
	b.t.Helper()
	res, err := b.client.Get(u)
	require.NoError(b.t, err)
	res.Body.Close()
	return res
}

// beginSignIn is "Đăng nhập bằng Zalo": it answers the sandbox's URL that
// the person's consent (as the sandbox user with appUserID) leads to.
func (b *browser) beginSignIn(query, appUserID string) string {
	b.t.Helper()
	res := b.get("http://tingting.test/v1/auth/zalo" + query)
	require.Equal(b.t, http.StatusFound, res.StatusCode)
	return res.Header.Get("Location") + "&sandbox_user=" + url.QueryEscape(appUserID)
}

// consent is the person choosing their account on Zalo's page: Zalo sends
// the browser back with a code, to this URL.
func (b *browser) consent(permission string) string {
	b.t.Helper()
	res := b.get(permission)
	require.Equal(b.t, http.StatusFound, res.StatusCode)
	back := res.Header.Get("Location")
	require.True(b.t, strings.HasPrefix(back, "http://tingting.test/v1/auth/zalo/callback?"), back)
	return back
}

// signIn signs in as the sandbox user and returns the callback's answer.
func (b *browser) signIn(appUserID string) *http.Response {
	b.t.Helper()
	return b.get(b.consent(b.beginSignIn("", appUserID)))
}

// call sends a JSON request as this browser, with its CSRF token once it
// has read /v1/me.
func (b *browser) call(method, path, body string) (int, map[string]any) {
	b.t.Helper()
	req, err := http.NewRequest(method, "http://tingting.test"+path, strings.NewReader(body))
	require.NoError(b.t, err)
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	res, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 {
		require.NoError(b.t, json.Unmarshal(raw, &out), "body: %s", raw)
	}
	return res.StatusCode, out
}

// me reads GET /v1/me, and keeps its CSRF token for the changes to come.
func (b *browser) me() map[string]any {
	b.t.Helper()
	status, me := b.call("GET", "/v1/me", "")
	require.Equal(b.t, http.StatusOK, status, "body: %v", me)
	b.csrf = me["csrf_token"].(string)
	return me
}

func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse("http://tingting.test/v1/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "tt_session" {
			return c
		}
	}
	return nil
}

var open = api.People{SignupOpen: true, LinkMembers: true}

// TestSigningInWithZaloStartsAWorkspace: an unknown Zalo account's first
// sign-in (SIGNUP=open) makes a workspace they own, behind a session
// cookie; a second sign-in finds it again.
func TestSigningInWithZaloStartsAWorkspace(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	lan := f.sim.CreateUser("Chị Lan", true)
	b := f.browser(t)

	res := b.get(b.consent(b.beginSignIn("?return_to=/%23/checklist", lan.AppUserID)))
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/#/checklist", res.Header.Get("Location"))
	var set *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "tt_session" {
			set = c
		}
	}
	require.NotNil(t, set, "the session cookie")
	require.True(t, set.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, set.SameSite)
	require.False(t, set.Secure, "PUBLIC_URL is http here")
	var stored int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM sessions WHERE token_hash = sha256($1::bytea)", []byte(set.Value)).Scan(&stored))
	require.Equal(t, 1, stored, "only the token's hash is stored")

	me := b.me()
	require.Equal(t, "owner", me["role"])
	require.Equal(t, "Chị Lan", me["user"].(map[string]any)["name"])
	require.Equal(t, lan.AppUserID, me["user"].(map[string]any)["zalo_app_user_id"])
	places := me["workspaces"].([]any)
	require.Len(t, places, 1)
	require.Equal(t, map[string]any{"id": me["workspace_id"], "name": "Chị Lan", "role": "owner"}, places[0])

	status, list := b.call("GET", "/v1/checklist", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"bank_account": false, "bank_feed": false, "last_webhook_at": nil, "follows_oa": false,
		"integration": false, "staff": false, "first_alert": false}, list, "a new workspace: everything to do")
	_, err := f.pool.Exec(context.Background(), "INSERT INTO zalo_followers (oa_user_id, app_user_id, following) VALUES ($1, $2, true)", lan.OAUserID, lan.AppUserID)
	require.NoError(t, err) // her follow webhook, as the worker records it
	_, list = b.call("GET", "/v1/checklist", "")
	require.Equal(t, true, list["follows_oa"], "Chị Lan follows the OA")

	again := f.browser(t)
	require.Equal(t, http.StatusFound, again.signIn(lan.AppUserID).StatusCode)
	require.Equal(t, me["workspace_id"], again.me()["workspace_id"], "the same workspace, not a second")
}

// TestSessionsAndCSRF: the "Done when" of sign-in: no cookie 401; a change
// with the cookie but not the CSRF header 403 csrf; after signing out the
// old cookie 401; an idle or expired session 401.
func TestSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	lan := f.sim.CreateUser("Chị Lan", true)
	b := f.browser(t)
	b.signIn(lan.AppUserID)

	for _, path := range []string{"/v1/me", "/v1/bank-accounts", "/v1/my/alerts"} {
		status, body := f.do(t, "GET", path, "", "")
		require.Equal(t, http.StatusUnauthorized, status, path)
		require.Equal(t, "unauthorized", errorCode(body))
	}

	account := `{"account_number":"0123456789","bank_name":"Vietcombank"}`
	status, body := b.call("POST", "/v1/bank-accounts", account)
	require.Equal(t, http.StatusForbidden, status, "the cookie alone does not make a change")
	require.Equal(t, "csrf", errorCode(body))
	b.csrf = "not-the-token"
	status, body = b.call("POST", "/v1/bank-accounts", account)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, "csrf", errorCode(body))
	b.me()
	status, _ = b.call("POST", "/v1/bank-accounts", account)
	require.Equal(t, http.StatusCreated, status)
	status, list := b.call("GET", "/v1/bank-accounts", "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, list["items"], 1)

	old := b.cookie()
	status, _ = b.call("POST", "/v1/auth/logout", "")
	require.Equal(t, http.StatusNoContent, status)
	require.Nil(t, b.cookie(), "the browser is told to drop it")
	thief := f.browser(t)
	thief.client.Jar.SetCookies(&url.URL{Scheme: "http", Host: "tingting.test", Path: "/v1/"}, []*http.Cookie{old})
	thief.csrf = b.csrf
	for _, path := range []string{"/v1/me", "/v1/bank-accounts"} {
		status, body := thief.call("GET", path, "")
		require.Equal(t, http.StatusUnauthorized, status, "the old cookie after signing out: %s", path)
		require.Equal(t, "unauthorized", errorCode(body))
	}

	for name, end := range map[string]string{
		"idle":    "UPDATE sessions SET last_seen_at = now() - interval '73 hours' WHERE token_hash = sha256($1::bytea)",
		"expired": "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = sha256($1::bytea)",
	} {
		s := f.browser(t)
		s.signIn(lan.AppUserID)
		s.me()
		_, err := f.pool.Exec(context.Background(), end, []byte(s.cookie().Value))
		require.NoError(t, err)
		status, _ := s.call("GET", "/v1/me", "")
		require.Equal(t, http.StatusUnauthorized, status, name)
	}
}

// TestTheSignInCannotBeCompletedByAnotherBrowser: a sign-in link opened in
// another browser (say, sent to a victim so they would sign in to the
// attacker's account) signs no one in; the login is single use.
func TestTheSignInCannotBeCompletedByAnotherBrowser(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	mallory := f.sim.CreateUser("Mallory", true)
	attacker, victim := f.browser(t), f.browser(t)
	back := attacker.consent(attacker.beginSignIn("", mallory.AppUserID))

	res := victim.get(back)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Nil(t, victim.cookie(), "no session for the other browser")
	status, body := victim.call("GET", "/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "unauthorized", errorCode(body))

	req, _ := http.NewRequest("GET", back, nil)
	req.Header.Set("Accept", "text/html")
	page, err := victim.client.Do(req)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	require.Equal(t, http.StatusBadRequest, page.StatusCode)
	require.Contains(t, string(html), "được tạo trên một trình duyệt khác")

	require.Equal(t, http.StatusFound, attacker.get(back).StatusCode, "the browser that began it completes it")
	res = attacker.get(back)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "once")

	for _, q := range []string{"?state=nope&code=x", "?error=access_denied&state=x"} {
		status, body := victim.call("GET", "/v1/auth/zalo/callback"+q, "")
		require.Equal(t, http.StatusBadRequest, status, q)
		require.Equal(t, "invalid_request", errorCode(body))
	}
	for _, rt := range []string{"//evil.example", "/%5Cevil.example", "https://evil.example"} {
		status, _ := victim.call("GET", "/v1/auth/zalo?return_to="+rt, "")
		require.Equal(t, http.StatusBadRequest, status, rt)
	}
}

// TestSignupClosed: with SIGNUP=closed an unknown account is told plainly;
// an invite still admits someone.
func TestSignupClosed(t *testing.T) {
	t.Parallel()
	f := newPeople(t, api.People{})
	stranger := f.sim.CreateUser("Người lạ", true)
	b := f.browser(t)
	req, _ := http.NewRequest("GET", b.consent(b.beginSignIn("", stranger.AppUserID)), nil)
	req.Header.Set("Accept", "application/json")
	res, err := b.client.Do(req)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "signup_closed", errorCode(body))
	require.Nil(t, b.cookie())
	var users int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&users))
	require.Zero(t, users, "nothing is kept of who was refused")

	req, _ = http.NewRequest("GET", b.consent(b.beginSignIn("", stranger.AppUserID)), nil)
	req.Header.Set("Accept", "text/html")
	res, err = b.client.Do(req)
	require.NoError(t, err)
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Contains(t, string(html), "Hiện chưa mở đăng ký")

	status, inv := f.do(t, "POST", "/v1/team/invites", f.key, `{"role":"viewer"}`)
	require.Equal(t, http.StatusCreated, status, "an admin key invites")
	b.get(b.consent(b.beginSignIn("?invite="+inv["code"].(string), stranger.AppUserID)))
	me := b.me()
	require.Equal(t, "viewer", me["role"])
}

// TestRoles: the owner invites a manager and a viewer by link; each may do
// what their role says and is refused the rest with 403 forbidden; a
// person sees only the workspaces they belong to (another's data is 404);
// removing someone ends their sessions; the last owner stays.
func TestRoles(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	lan, minh, hoa := f.sim.CreateUser("Chị Lan", true), f.sim.CreateUser("Anh Minh", true), f.sim.CreateUser("Chị Hoa", true)
	owner := f.browser(t)
	owner.signIn(lan.AppUserID)
	mine := owner.me()["workspace_id"].(string)

	invite := func(role string) map[string]any {
		status, inv := owner.call("POST", "/v1/team/invites", `{"role":"`+role+`"}`)
		require.Equal(t, http.StatusCreated, status, "body: %v", inv)
		require.Equal(t, "http://tingting.test/#/join/"+inv["code"].(string), inv["url"])
		expires, err := time.Parse(time.RFC3339, inv["expires_at"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(7*24*time.Hour), expires, time.Minute)
		return inv
	}
	status, body := owner.call("POST", "/v1/team/invites", `{"role":"owner"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", errorCode(body))

	// Anh Minh has a workspace of his own; he joins Chị Lan's as manager.
	manager := f.browser(t)
	manager.signIn(minh.AppUserID)
	manager.me()
	code := invite("manager")["code"].(string)
	status, body = manager.call("POST", "/v1/team/join", `{"code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	require.Equal(t, map[string]any{"workspace_id": mine, "role": "manager"}, body)
	status, again := manager.call("POST", "/v1/team/join", `{"code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, body, again, "joining again answers the same")
	me := manager.me()
	require.Equal(t, mine, me["workspace_id"])
	require.Equal(t, "manager", me["role"])
	require.Len(t, me["workspaces"], 2)

	// Chị Hoa signs in through a viewer's link.
	viewer := f.browser(t)
	viewer.get(viewer.consent(viewer.beginSignIn("?invite="+invite("viewer")["code"].(string), hoa.AppUserID)))
	require.Equal(t, "viewer", viewer.me()["role"])
	status, body = viewer.call("POST", "/v1/team/join", `{"code":"`+code+`"}`)
	require.Equal(t, http.StatusNotFound, status, "someone else's invite")
	require.Equal(t, "not_found", errorCode(body))

	bank := `{"account_number":"111"}`
	for _, tc := range []struct {
		who          *browser
		method, path string
		body         string
		status       int
	}{
		{viewer, "GET", "/v1/bank-accounts", "", 200},
		{viewer, "GET", "/v1/checklist", "", 200},
		{viewer, "POST", "/v1/bank-accounts", bank, 403},
		{viewer, "POST", "/v1/wizards", "{}", 403},
		{viewer, "GET", "/v1/team", "", 403},
		{viewer, "GET", "/v1/sessions", "", 200},
		{manager, "POST", "/v1/bank-accounts", bank, 201},
		{manager, "POST", "/v1/webhook-sources", `{"provider":"casso_v2","secret":"s3cret-s3cret"}`, 201},
		{manager, "GET", "/v1/api-keys", "", 403},
		{manager, "POST", "/v1/api-keys", `{"label":"x","scope":"admin"}`, 403},
		{manager, "POST", "/v1/team/invites", `{"role":"viewer"}`, 403},
		{manager, "GET", "/v1/team", "", 403},
		{owner, "GET", "/v1/team", "", 200},
		{owner, "POST", "/v1/api-keys", `{"label":"POS","scope":"ingest"}`, 201},
	} {
		status, body := tc.who.call(tc.method, tc.path, tc.body)
		require.Equal(t, tc.status, status, "%s %s: %v", tc.method, tc.path, body)
		if status == 403 {
			require.Equal(t, "forbidden", errorCode(body))
		}
	}

	// Another workspace's data answers as if it did not exist.
	_, theirs := f.do(t, "POST", "/v1/bank-accounts", f.other, `{"account_number":"999"}`)
	var other uuid.UUID
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT workspace_id FROM bank_accounts WHERE id = $1", theirs["id"]).Scan(&other))
	integ, err := seed.CreateIntegration(context.Background(), f.pool, seed.Integration{
		WorkspaceID: other, BankAccountIDs: []uuid.UUID{uuid.MustParse(theirs["id"].(string))}, Owner: seed.Person{OAUserID: "o-1", AppUserID: "a-1", Name: "B"},
	})
	require.NoError(t, err)
	for _, path := range []string{"/v1/integrations/" + integ.ID.String(), "/v1/integrations/" + integ.ID.String() + "/changes"} {
		status, body := owner.call("GET", path, "")
		require.Equal(t, http.StatusNotFound, status, path)
		require.Equal(t, "not_found", errorCode(body))
	}
	status, _ = owner.call("PATCH", "/v1/integrations/"+integ.ID.String(), `{"status":"paused"}`)
	require.Equal(t, http.StatusNotFound, status)
	status, _ = owner.call("PUT", "/v1/me/workspace", `{"workspace_id":"`+other.String()+`"}`)
	require.Equal(t, http.StatusNotFound, status, "not one of hers")

	// The team, and Anh Minh switching back to his own workspace.
	status, list := owner.call("GET", "/v1/team", "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, list["items"], 3)
	status, switched := manager.call("PUT", "/v1/me/workspace", `{"workspace_id":"`+me["workspaces"].([]any)[0].(map[string]any)["id"].(string)+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "owner", switched["role"])
	status, _ = manager.call("PUT", "/v1/me/workspace", `{"workspace_id":"`+mine+`"}`)
	require.Equal(t, http.StatusOK, status)

	// Removing Chị Hoa signs her out at once; the only owner stays.
	hoaID := viewer.me()["user"].(map[string]any)["id"].(string)
	status, _ = owner.call("DELETE", "/v1/team/"+hoaID, "")
	require.Equal(t, http.StatusNoContent, status)
	status, body = viewer.call("GET", "/v1/bank-accounts", "")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "unauthorized", errorCode(body))
	lanID := owner.me()["user"].(map[string]any)["id"].(string)
	status, body = owner.call("DELETE", "/v1/team/"+lanID, "")
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "conflict", errorCode(body))
	status, _ = owner.call("DELETE", "/v1/team/"+uuid.NewString(), "")
	require.Equal(t, http.StatusNotFound, status)
}

// TestSessionsCanBeEndedOneByOne: "đăng xuất khỏi thiết bị khác".
func TestSessionsCanBeEndedOneByOne(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	lan := f.sim.CreateUser("Chị Lan", true)
	phone, laptop := f.browser(t), f.browser(t)
	phone.signIn(lan.AppUserID)
	laptop.signIn(lan.AppUserID)
	laptop.me()
	status, list := laptop.call("GET", "/v1/sessions", "")
	require.Equal(t, http.StatusOK, status)
	items := list["items"].([]any)
	require.Len(t, items, 2)
	var other string
	for _, it := range items {
		s := it.(map[string]any)
		require.Equal(t, "Go-http-client/1.1", s["user_agent"])
		if s["current"] == false {
			other = s["id"].(string)
		}
	}
	require.NotEmpty(t, other)
	status, _ = laptop.call("DELETE", "/v1/sessions/"+other, "")
	require.Equal(t, http.StatusNoContent, status)
	status, _ = phone.call("GET", "/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, status, "the phone is signed out")
	status, _ = laptop.call("GET", "/v1/me", "")
	require.Equal(t, http.StatusOK, status, "the laptop is not")
	status, _ = laptop.call("DELETE", "/v1/sessions/"+other, "")
	require.Equal(t, http.StatusNotFound, status)

	status, body := f.do(t, "GET", "/v1/sessions", f.key, "")
	require.Equal(t, http.StatusForbidden, status, "a key is not a person")
	require.Equal(t, "forbidden", errorCode(body))
}

// TestARecipientSeesOnlyTheirOwnAlerts: a member of an integration (known
// by the follower table's app id) signs in and sees the alerts they were
// sent, by day, with their hidden fields still hidden, and nothing else of
// the workspace. With ZALO_MEMBER_LINK=off they cannot sign in.
func TestARecipientSeesOnlyTheirOwnAlerts(t *testing.T) {
	t.Parallel()
	f := newPeople(t, api.People{LinkMembers: true})
	ctx := context.Background()
	lan, minh := f.sim.CreateUser("Chị Lan", true), f.sim.CreateUser("Anh Minh", true)
	_, acct := f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111","bank_name":"VCB"}`)
	var ws uuid.UUID
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT workspace_id FROM bank_accounts WHERE id = $1", acct["id"]).Scan(&ws))
	integ, err := seed.CreateIntegration(ctx, f.pool, seed.Integration{
		WorkspaceID: ws, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct["id"].(string))},
		Owner:   seed.Person{OAUserID: lan.OAUserID, AppUserID: lan.AppUserID, Name: lan.Name},
		Members: []seed.Person{{OAUserID: minh.OAUserID, AppUserID: minh.AppUserID, Name: minh.Name}},
	})
	require.NoError(t, err)
	var member string
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT id FROM integration_members WHERE oa_user_id = $1", minh.OAUserID).Scan(&member))
	status, _ := f.do(t, "PATCH", "/v1/integrations/"+integ.ID.String()+"/members/"+member, f.key, `{"hidden_fields":["description","balance"]}`)
	require.Equal(t, http.StatusOK, status)

	// Two transactions on 3 October, one on the 4th, each sent to both.
	q := db.New(f.pool)
	for i, at := range []string{"2024-10-03T09:15:00+07:00", "2024-10-03T23:50:00+07:00", "2024-10-04T00:10:00+07:00"} {
		status, txn := f.do(t, "POST", "/v1/transactions", f.key, `{"account_number":"111","external_id":"FT`+string(rune('1'+i))+
			`","amount":250000,"description":"Mua bánh sinh nhật","balance_after":25250000,"occurred_at":"`+at+`"}`)
		require.Equal(t, http.StatusAccepted, status)
		_, err := q.PlanDeliveries(ctx, uuid.MustParse(txn["transaction_id"].(string)))
		require.NoError(t, err)
		_, err = f.pool.Exec(ctx, "UPDATE deliveries SET status = 'sent', sent_at = $2, created_at = $2 WHERE transaction_id = $1", txn["transaction_id"], at)
		require.NoError(t, err)
	}

	b := f.browser(t)
	b.signIn(minh.AppUserID)
	me := b.me()
	require.Equal(t, "member", me["role"])
	require.Equal(t, ws.String(), me["workspace_id"])
	status, alerts := b.call("GET", "/v1/my/alerts?day=2024-10-03", "")
	require.Equal(t, http.StatusOK, status, "body: %v", alerts)
	items := alerts["items"].([]any)
	require.Len(t, items, 2, "the 3rd of October in Vietnam")
	first := items[0].(map[string]any)
	require.Equal(t, "2024-10-03T16:50:00Z", first["sent_at"], "newest first")
	require.Equal(t, "Biến động số dư\nSố tiền: +250.000 VND\nThời gian: 23:50:00 03/10/2024\nTài khoản: 111 - VCB", first["text"])
	require.NotContains(t, first["text"], "Mua bánh", "the description is hidden from him")
	require.NotContains(t, first["text"], "Số dư")
	require.Equal(t, map[string]any{"id": integ.ID.String(), "bank_accounts": []any{"111 - VCB"}}, first["integration"])
	_, day4 := b.call("GET", "/v1/my/alerts?day=2024-10-04", "")
	require.Len(t, day4["items"], 1)
	status, body := b.call("GET", "/v1/my/alerts?day=3/10/2024", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", errorCode(body))

	for _, path := range []string{"/v1/integrations", "/v1/integrations/" + integ.ID.String(), "/v1/bank-accounts", "/v1/checklist", "/v1/sessions"} {
		status, body := b.call("GET", path, "")
		require.Equal(t, http.StatusForbidden, status, path)
		require.Equal(t, "forbidden", errorCode(body))
	}
	status, _ = b.call("PATCH", "/v1/integrations/"+integ.ID.String()+"/members/"+member, `{"hidden_fields":[]}`)
	require.Equal(t, http.StatusForbidden, status, "he cannot unhide what the owner hid")

	// The owner of the integration sees everything in hers.
	o := f.browser(t)
	o.signIn(lan.AppUserID)
	o.me()
	_, mine := o.call("GET", "/v1/my/alerts?day=2024-10-03", "")
	require.Contains(t, mine["items"].([]any)[0].(map[string]any)["text"], "Nội dung: Mua bánh sinh nhật")

	// Taken off the integration, he has no place here any more.
	status, _ = f.do(t, "DELETE", "/v1/integrations/"+integ.ID.String()+"/members/"+member, f.key, "")
	require.Equal(t, http.StatusNoContent, status)
	status, _ = b.call("GET", "/v1/my/alerts?day=2024-10-03", "")
	require.Equal(t, http.StatusUnauthorized, status)

	// Without the follower-table link, a member is not known as one.
	unlinked := newPeople(t, api.People{})
	hoa := unlinked.sim.CreateUser("Chị Hoa", true)
	_, acct = unlinked.do(t, "POST", "/v1/bank-accounts", unlinked.key, `{"account_number":"222"}`)
	require.NoError(t, unlinked.pool.QueryRow(ctx, "SELECT workspace_id FROM bank_accounts WHERE id = $1", acct["id"]).Scan(&ws))
	_, err = seed.CreateIntegration(ctx, unlinked.pool, seed.Integration{
		WorkspaceID: ws, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct["id"].(string))},
		Owner: seed.Person{OAUserID: "o-9", AppUserID: "a-9", Name: "X"}, Members: []seed.Person{{OAUserID: hoa.OAUserID, AppUserID: hoa.AppUserID, Name: hoa.Name}},
	})
	require.NoError(t, err)
	u := unlinked.browser(t)
	require.Equal(t, http.StatusForbidden, u.signIn(hoa.AppUserID).StatusCode, "signup_closed: she is no one here")
}

// TestEveryChangeSaysWhoMadeIt: an integration's changes, made by a person
// and by a key, are listed newest first with who made them; secrets are
// named, never recorded.
func TestEveryChangeSaysWhoMadeIt(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	ctx := context.Background()
	lan := f.sim.CreateUser("Chị Lan", true)
	b := f.browser(t)
	b.signIn(lan.AppUserID)
	ws := uuid.MustParse(b.me()["workspace_id"].(string))
	_, acct := b.call("POST", "/v1/bank-accounts", `{"account_number":"111"}`)
	_, err := db.New(f.pool).CreateAPIKey(ctx, db.CreateAPIKeyParams{WorkspaceID: ws, KeyHash: apikey.Hash("tt_" + strings.Repeat("k", 40)), Label: "Máy POS", Scope: db.ApiKeyScopeAdmin})
	require.NoError(t, err)
	integ, err := seed.CreateIntegration(ctx, f.pool, seed.Integration{
		WorkspaceID: ws, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct["id"].(string))}, Owner: seed.Person{OAUserID: lan.OAUserID, AppUserID: lan.AppUserID, Name: lan.Name},
		Fields: []message.Field{message.FieldAmount},
	})
	require.NoError(t, err)
	base := "/v1/integrations/" + integ.ID.String()
	status, _ := b.call("PATCH", base, `{"status":"paused"}`)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, db.New(f.pool).UpsertTemplate(ctx, db.UpsertTemplateParams{
		TemplateID: "245601", Name: "Biến động", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH", Params: []byte("[]"), SendableByUid: true,
	}))
	status, _ = f.do(t, "PATCH", base, "tt_"+strings.Repeat("k", 40), `{"status":"active","template_id":"245601"}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = b.call("PATCH", base, `{"status":"bogus"}`)
	require.Equal(t, http.StatusBadRequest, status, "a refused change is not recorded")
	status, _ = b.call("POST", "/v1/webhook-sources", `{"provider":"casso_v2","secret":"very-secret-1"}`)
	require.Equal(t, http.StatusCreated, status)

	status, changes := b.call("GET", base+"/changes", "")
	require.Equal(t, http.StatusOK, status)
	items := changes["items"].([]any)
	require.Len(t, items, 2)
	byKey, byLan := items[0].(map[string]any), items[1].(map[string]any)
	require.Equal(t, map[string]any{"kind": "key", "name": "Máy POS"}, byKey["actor"])
	require.Equal(t, "PATCH /v1/integrations/:id", byKey["action"])
	require.Equal(t, map[string]any{"status": "active", "template_id": "245601"}, byKey["detail"])
	require.Equal(t, map[string]any{"kind": "person", "name": "Chị Lan"}, byLan["actor"])
	require.Equal(t, map[string]any{"status": "paused"}, byLan["detail"])

	var detail string
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT detail::text FROM audit_log WHERE action = 'POST /v1/webhook-sources'").Scan(&detail))
	require.Contains(t, detail, `"provider": "casso_v2"`)
	require.Contains(t, detail, `"changed": ["secret"]`)
	require.NotContains(t, detail, "very-secret-1")
}
