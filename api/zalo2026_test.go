package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// template records one of the OA's templates as maintenance reads it.
func (f fixture) template(t *testing.T, id, status, quality string, params ...message.Param) {
	t.Helper()
	specs, err := json.Marshal(params)
	require.NoError(t, err)
	require.NoError(t, db.New(f.pool).UpsertTemplate(context.Background(), db.UpsertTemplateParams{
		TemplateID: id, Name: "Biến động số dư " + id, Status: status, Tag: "TRANSACTION", Quality: quality, Params: specs,
		PriceUid: 200, PriceSdt: 300, SendableByUid: true,
	}))
}

// member is the integration's member Minh, by id.
func (f fixture) member(t *testing.T, integ uuid.UUID) string {
	t.Helper()
	var id string
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT id::text FROM integration_members WHERE integration_id = $1", integ).Scan(&id))
	return id
}

// TestAnIntegrationPicksAnApprovedTemplate: the OA's templates are listed
// with what an owner needs to choose (usable, prices); a preview shows
// what an alert would carry; an integration takes only an enabled
// TRANSACTION template of good quality, its parameters mapped to fields,
// and says why it refuses the rest.
func TestAnIntegrationPicksAnApprovedTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	amount, memo := message.Param{Name: "so_tien", MaxLength: 20, Required: true}, message.Param{Name: "noi_dung", MaxLength: 12}
	f.template(t, "501", "ENABLE", "HIGH", amount, memo)
	f.template(t, "502", "ENABLE", "LOW", amount)
	f.template(t, "503", "REJECT", "UNDEFINED", amount)
	integ := f.integration(t).ID.String()

	status, list := f.do(t, "GET", "/v1/zalo-templates", f.key, "")
	require.Equal(t, http.StatusOK, status)
	usable := map[string]bool{}
	for _, it := range list["items"].([]any) {
		tpl := it.(map[string]any)
		usable[tpl["template_id"].(string)] = tpl["usable"].(bool)
		require.EqualValues(t, 200, tpl["price_uid"])
		require.EqualValues(t, 300, tpl["price_sdt"])
	}
	require.Equal(t, map[string]bool{"501": true, "502": false, "503": false}, usable)

	status, preview := f.do(t, "POST", "/v1/zalo-templates/501/preview", f.key, `{"template_params":{"so_tien":"amount","noi_dung":"description"}}`)
	require.Equal(t, http.StatusOK, status, "body: %v", preview)
	data := preview["template_data"].(map[string]any)
	require.Equal(t, "+599.000 VND", data["so_tien"])
	require.LessOrEqual(t, len([]rune(data["noi_dung"].(string))), 12, "cut to the parameter's length")
	require.Contains(t, preview["text"], "Biến động số dư 501\nso_tien: +599.000 VND")
	status, body := f.do(t, "POST", "/v1/zalo-templates/999/preview", f.key, `{}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "not_found", errorCode(body))

	patch := func(body string) (int, map[string]any) {
		return f.do(t, "PATCH", "/v1/integrations/"+integ, f.key, body)
	}
	for _, tc := range []struct{ body, code string }{
		{`{"template_id":"999","template_params":{"so_tien":"amount"}}`, "template_unusable"},     // not the OA's
		{`{"template_id":"502","template_params":{"so_tien":"amount"}}`, "template_unusable"},     // LOW quality
		{`{"template_id":"503","template_params":{"so_tien":"amount"}}`, "template_unusable"},     // rejected
		{`{"template_id":"501","template_params":{"noi_dung":"description"}}`, "invalid_request"}, // so_tien unfilled
		{`{"template_id":"501","template_params":{"so_tien":"price"}}`, "invalid_request"},        // no such field
		{`{"template_id":"501","template_params":{"ma_don":"amount"}}`, "invalid_request"},        // no such parameter
	} {
		status, body := patch(tc.body)
		require.Equal(t, tc.code, errorCode(body), "%s: %d %v", tc.body, status, body)
	}
	status, body = patch(`{"template_id":"501","template_params":{"so_tien":"amount","noi_dung":"description"}}`)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	require.Equal(t, "501", body["template_id"])
	require.Equal(t, map[string]any{"so_tien": "amount", "noi_dung": "description"}, body["template_params"])
}

// TestPhonesAndQuietHours: a member's phone is stored in E.164 and shown
// masked to all but the owner; quiet hours are "HH:MM-HH:MM" or none.
func TestPhonesAndQuietHours(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	integ := f.integration(t, seed.Person{OAUserID: "101", AppUserID: "201", Name: "Minh"}).ID
	path := "/v1/integrations/" + integ.String() + "/members/" + f.member(t, integ)
	status, body := f.do(t, "PATCH", path, f.key, `{"phone":"090 123 4567","quiet_hours":"22:00-06:00"}`)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	require.Equal(t, "84901234567", body["phone"], "the owner (an admin key) sees it whole")
	require.Equal(t, "22:00-06:00", body["quiet_hours"])
	for _, bad := range []string{`{"phone":"12345"}`, `{"phone":"0901-ABC-567"}`, `{"quiet_hours":"22-6"}`, `{"quiet_hours":"25:00-06:00"}`} {
		status, body := f.do(t, "PATCH", path, f.key, bad)
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", bad, body)
		require.Equal(t, "invalid_request", errorCode(body))
	}
	status, body = f.do(t, "PATCH", path, f.key, `{"quiet_hours":""}`)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	require.Nil(t, body["quiet_hours"], "none")
	require.Equal(t, "84901234567", body["phone"], "left as it was")
}

// TestTheOAShowsWhatStopsIt: GET /v1/zalo-oa gives getoa's health and the
// routes stopped for the whole OA, with Zalo's code and message.
func TestTheOAShowsWhatStopsIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	status, body := f.do(t, "GET", "/v1/zalo-oa", f.key, "")
	require.Equal(t, http.StatusOK, status)
	require.Nil(t, body["health"], "not read from Zalo yet")
	require.Empty(t, body["paused"])

	q := db.New(f.pool)
	require.NoError(t, q.PauseRoute(ctx, db.PauseRouteParams{Route: "template", Code: -320, Message: "No Zalo Cloud Account linked", ProbeAt: time.Now()}))
	status, body = f.do(t, "GET", "/v1/zalo-oa", f.key, "")
	require.Equal(t, http.StatusOK, status)
	paused := body["paused"].([]any)
	require.Len(t, paused, 1)
	require.Equal(t, "template", paused[0].(map[string]any)["route"])
	require.EqualValues(t, -320, paused[0].(map[string]any)["code"])
}

// TestOnlyTheOATingtingSendsAsCanBeConnected: the consent callback takes a
// first connection, then only the OA it knows; it says what is missing.
func TestOnlyTheOATingtingSendsAsCanBeConnected(t *testing.T) {
	testenv.SkipShort(t, "a Temporal dev server (the keeper is signalled)")
	simConfig := zalosim.Config{AppID: appID, AppSecret: simAppSecret, OASecretKey: oaSecret, OARedirectURI: "http://tingting.test/v1/oauth/zalo-oa/callback"}
	sim := zalosim.New(simConfig)
	simSrv := httptest.NewServer(sim)
	t.Cleanup(func() { simSrv.Close(); sim.Close() })
	var tokens *oatoken.Store
	f := newFixtureWith(t, func(d *api.Deps) {
		tokens = &oatoken.Store{Pool: d.Pool, Box: testBox}
		d.Zalo = zalo.NewClient(zalo.Config{OAuthURL: simSrv.URL, OpenAPIURL: simSrv.URL, AppID: appID, AppSecret: simAppSecret})
		d.OA = api.OAConnect{Tokens: tokens, CodeVerifier: zalosim.DefaultOACodeVerifier}
	})
	// The admin's consent, as Zalo brings it back: ?code&oa_id.
	consent := func() string {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get(zalosim.ConsentURL(simSrv.URL, simConfig) + "&sandbox_consent=1")
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusFound, res.StatusCode)
		loc, err := res.Location()
		require.NoError(t, err)
		return "?" + loc.RawQuery
	}
	callback := func(query string) (int, map[string]any, string) {
		req, err := http.NewRequest("GET", f.url+"/v1/oauth/zalo-oa/callback"+query, nil)
		require.NoError(t, err)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out, res.Header.Get("Location")
	}

	status, body, _ := callback("?code=x")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", errorCode(body))

	status, body, _ = callback("?code=made-up&oa_id=1")
	require.Equal(t, http.StatusBadGateway, status, "a code Zalo never gave")
	require.Equal(t, "zalo_refused", errorCode(body))

	first := consent()
	status, body, loc := callback(first)
	require.Equal(t, http.StatusFound, status, "body: %v", body)
	require.Equal(t, "/?oa=connected", loc)
	st, err := tokens.State(context.Background())
	require.NoError(t, err)
	require.True(t, st.Present, "the pair is stored")

	status, body, _ = callback(consent())
	require.Equal(t, http.StatusForbidden, status, "a pair is stored and tingting cannot tell which OA it is")
	require.Equal(t, "wrong_oa", errorCode(body))
	require.Contains(t, body["error"].(map[string]any)["message"], "ZALO_OA_ID")

	// Once getoa said which OA tingting sends as, only that one.
	require.NoError(t, db.New(f.pool).SetOAHealth(context.Background(), db.SetOAHealthParams{OaID: "42", Name: "Tiệm"}))
	status, body, _ = callback(consent())
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, body["error"].(map[string]any)["message"], "42")
}

// TestAPhoneIsShownWholeOnlyToTheOwner: the team sees a recipient's phone
// masked; the workspace's owner sees it whole.
func TestAPhoneIsShownWholeOnlyToTheOwner(t *testing.T) {
	t.Parallel()
	f := newPeople(t, open)
	lan, hoa := f.sim.CreateUser("Chị Lan", true), f.sim.CreateUser("Chị Hoa", true)
	owner := f.browser(t)
	owner.signIn(lan.AppUserID)
	ws := uuid.MustParse(owner.me()["workspace_id"].(string))
	status, inv := owner.call("POST", "/v1/team/invites", `{"role":"manager"}`)
	require.Equal(t, http.StatusCreated, status, "body: %v", inv)
	manager := f.browser(t)
	manager.get(manager.consent(manager.beginSignIn("?invite="+inv["code"].(string), hoa.AppUserID)))
	require.Equal(t, "manager", manager.me()["role"])

	status, acct := owner.call("POST", "/v1/bank-accounts", `{"account_number":"111"}`)
	require.Equal(t, http.StatusCreated, status, "body: %v", acct)
	integ, err := seed.CreateIntegration(context.Background(), f.pool, seed.Integration{
		WorkspaceID: ws, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct["id"].(string))},
		Owner: seed.Person{OAUserID: "100", AppUserID: "200", Name: "Lan"}, Members: []seed.Person{{OAUserID: "101", AppUserID: "201", Name: "Minh"}},
	})
	require.NoError(t, err)
	path := "/v1/integrations/" + integ.ID.String()
	status, body := owner.call("PATCH", path, `{"owner_phone":"0901234567"}`)
	require.Equal(t, http.StatusOK, status, "body: %v", body)

	phone := func(b *browser) any {
		status, body := b.call("GET", path, "")
		require.Equal(t, http.StatusOK, status, "body: %v", body)
		return body["owner"].(map[string]any)["phone"]
	}
	require.Equal(t, "84901234567", phone(owner))
	require.Equal(t, "84••••••567", phone(manager))
}
