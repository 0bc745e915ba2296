package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

type wizardState struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Step        string `json:"step"`
	ZaloAccount *struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		FollowsOA bool   `json:"follows_oa"`
	} `json:"zalo_account"`
	Preview  string `json:"preview"`
	TestCall *struct {
		OK        bool   `json:"ok"`
		MessageID string `json:"message_id"`
	} `json:"test_call"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// newBrowser is an HTTP client that keeps cookies, as a browser does, and
// stops at return_to (/wizard/done).
func newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/wizard/done" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// beginLogin is the UI's "Đăng nhập bằng Zalo" in browser: the API answers
// Zalo's authorize URL and binds the login to browser with a cookie.
func (s *stack) beginLogin(t *testing.T, browser *http.Client, key, wizardID string) string {
	t.Helper()
	req, err := http.NewRequest("POST", s.apiURL+"/v1/wizards/"+wizardID+"/zalo-login", strings.NewReader(`{"return_to":"/wizard/done"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := browser.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var login struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&login))
	require.True(t, strings.HasPrefix(login.AuthorizeURL, s.sandboxURL+"/v4/permission?"), login.AuthorizeURL)
	return login.AuthorizeURL
}

// logIn follows "log in with Zalo" the way a browser does: the API's
// authorize URL, the sandbox's consent (picking user appID), the redirect
// to our callback, and its redirect to return_to.
func (s *stack) logIn(t *testing.T, key, wizardID, appUserID string) *http.Response {
	t.Helper()
	browser := newBrowser(t)
	authorize := s.beginLogin(t, browser, key, wizardID)
	res, err := browser.Get(authorize + "&sandbox_user=" + url.QueryEscape(appUserID))
	require.NoError(t, err)
	res.Body.Close()
	return res
}

// TestTheWizardEndToEnd walks the setup wizard over HTTP as an owner would,
// through the sandbox's OAuth, and finds the test message in the owner's
// Zalo inbox; the saved integration then notifies real transactions.
func TestTheWizardEndToEnd(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	key := s.workspace(t, "Tiệm bánh")
	api := s.api(t, key)
	created, err := api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{AccountNumber: "0123456789", BankName: ptr("Vietcombank")})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode())
	acct := created.JSON201
	var lan struct {
		OAUserID  string `json:"oa_user_id"`
		AppUserID string `json:"app_user_id"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.sandboxURL+"/_sandbox/users", "", map[string]any{"name": "Chị Lan", "follows": true}, &lan))
	s.waitFollower(t, lan.OAUserID, "following") // she followed the OA before she came to set up

	started, err := api.CreateWizardWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, started.StatusCode())
	w := started.JSON201
	require.Equal(t, "bank_accounts", w.Step)

	early, err := api.TestWizardCallWithResponse(ctx, w.ID, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, early.StatusCode())
	require.Equal(t, "step_out_of_order", early.JSON422.Error.Code)

	chosen, err := api.ChooseWizardBankAccountsWithBodyWithResponse(ctx, w.ID, nil, "application/json",
		strings.NewReader(`{"bank_account_ids":["`+acct.ID.String()+`"],"direction":"sideways"}`)) // no such direction in the typed body
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, chosen.StatusCode())
	require.Equal(t, "invalid_request", chosen.JSON400.Error.Code, "a bad value is not a step out of order")
	chosen, err = api.ChooseWizardBankAccountsWithResponse(ctx, w.ID, nil, apiclient.ChooseWizardBankAccountsJSONRequestBody{
		BankAccountIds: []uuid.UUID{acct.ID}, Direction: apiclient.ChooseWizardBankAccountsJSONBodyDirectionIn,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, chosen.StatusCode())
	require.Equal(t, "zalo_account", chosen.JSON200.Step)

	res := s.logIn(t, key, w.ID.String(), lan.AppUserID)
	code := res.Request.URL.Query().Get("code") // the callback Zalo sent the browser to
	require.NotEmpty(t, code)
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/wizard/done", res.Header.Get("Location"))
	w = wizard(t, api, w.ID)
	require.NotNil(t, w.ZaloAccount)
	require.Equal(t, "Chị Lan", w.ZaloAccount.Name)
	require.True(t, w.ZaloAccount.FollowsOa)
	require.Equal(t, "fields", w.Step)

	fields := func(f ...apiclient.ChooseWizardFieldsJSONBodyFields) *apiclient.ChooseWizardFieldsResponse {
		t.Helper()
		res, err := api.ChooseWizardFieldsWithResponse(ctx, w.ID, nil, apiclient.ChooseWizardFieldsJSONRequestBody{Fields: f})
		require.NoError(t, err)
		return res
	}
	chose := fields(apiclient.ChooseWizardFieldsJSONBodyFieldsTime, apiclient.ChooseWizardFieldsJSONBodyFieldsDescription, apiclient.ChooseWizardFieldsJSONBodyFieldsBalance)
	require.Equal(t, http.StatusOK, chose.StatusCode())
	w = chose.JSON200
	require.Contains(t, w.Preview, "[Tin nhắn thử]")
	require.Contains(t, w.Preview, "Số tiền: +599.000 VND")
	require.Contains(t, w.Preview, "Số dư:")
	require.NotContains(t, w.Preview, "Mã tham chiếu", "only the chosen fields")
	save := func() *apiclient.SaveWizardResponse {
		t.Helper()
		res, err := api.SaveWizardWithResponse(ctx, w.ID, nil)
		require.NoError(t, err)
		return res
	}
	require.Equal(t, http.StatusUnprocessableEntity, save().StatusCode(), "no save before a test call")

	// A retried click (same Idempotency-Key) sends one test message.
	click := &apiclient.TestWizardCallParams{IdempotencyKey: ptr("click-1")}
	tc1, err := api.TestWizardCallWithResponse(ctx, w.ID, click)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tc1.StatusCode())
	tc2, err := api.TestWizardCallWithResponse(ctx, w.ID, click)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tc2.StatusCode())
	require.True(t, tc1.JSON200.Ok)
	require.Equal(t, tc1.JSON200.MessageID, tc2.JSON200.MessageID)
	inbox := s.sim.Inbox(lan.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, tc1.JSON200.MessageID, inbox[0].MessageID)
	require.True(t, strings.HasPrefix(inbox[0].Text, "[Tin nhắn thử] Biến động số dư"), inbox[0].Text)

	// A change after the test call invalidates it.
	chose = fields(apiclient.ChooseWizardFieldsJSONBodyFieldsTime, apiclient.ChooseWizardFieldsJSONBodyFieldsDescription)
	require.Equal(t, http.StatusOK, chose.StatusCode())
	require.Nil(t, chose.JSON200.TestCall)
	require.Equal(t, http.StatusUnprocessableEntity, save().StatusCode())
	again, err := api.TestWizardCallWithResponse(ctx, w.ID, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, again.StatusCode())

	saved := save()
	require.Equal(t, http.StatusCreated, saved.StatusCode())
	integ := saved.JSON201
	require.Regexp(t, regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTWXYZ]{10}$`), integ.ReferralCode)
	require.Equal(t, "Chị Lan", integ.Owner.Name)
	require.Equal(t, []uuid.UUID{acct.ID}, integ.BankAccountIds)
	require.EqualValues(t, "in", integ.Direction)
	require.Equal(t, []string{"amount", "time", "description"}, integ.Fields)
	require.EqualValues(t, "saved", wizard(t, api, w.ID).Status)
	closed := fields(apiclient.ChooseWizardFieldsJSONBodyFieldsTime)
	require.Equal(t, http.StatusUnprocessableEntity, closed.StatusCode())
	require.Equal(t, "wizard_closed", closed.JSON422.Error.Code)
	require.Contains(t, closed.JSON422.Error.Message, "saved")

	// Another workspace cannot see or step this wizard: its id names
	// nothing there.
	other := s.api(t, s.workspace(t, "Tiệm khác"))
	seen, err := other.GetWizardWithResponse(ctx, w.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, seen.StatusCode())
	stepped, err := other.ChooseWizardFieldsWithResponse(ctx, w.ID, nil, apiclient.ChooseWizardFieldsJSONRequestBody{Fields: []apiclient.ChooseWizardFieldsJSONBodyFields{"time"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, stepped.StatusCode())
	require.Equal(t, "not_found", stepped.JSON404.Error.Code)

	// The login's state and code cannot be used again: even in the browser
	// that began it, a used login is told as expired.
	require.Equal(t, http.StatusBadRequest, s.replayCallback(t, res))

	// The saved integration notifies the owner of real transactions.
	post := func(externalID string, amount int64, description string) uuid.UUID {
		t.Helper()
		res, err := api.CreateTransactionWithResponse(ctx, apiclient.TransactionRequest{
			AccountNumber: ptr("0123456789"), ExternalID: externalID, Amount: amount, Description: &description, OccurredAt: time.Now(),
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode())
		return res.JSON202.TransactionID
	}
	post("FT-after-wizard", 250000, "Mua bánh")
	require.Eventually(t, func() bool { return len(s.sim.Inbox(lan.OAUserID)) == 4 }, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, message.OwnerWelcome("Tiệm bánh"), s.sim.Inbox(lan.OAUserID)[2].Text,
		"the new owner is told which business now sends them alerts, and how to stop them")
	require.Contains(t, s.sim.Inbox(lan.OAUserID)[3].Text, "Nội dung: Mua bánh")

	// Paused, it notifies nobody; the delivery log says nothing was planned.
	paused, err := api.UpdateIntegrationWithResponse(ctx, integ.ID, apiclient.UpdateIntegrationJSONRequestBody{Status: ptr(apiclient.UpdateIntegrationJSONBodyStatusPaused)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, paused.StatusCode())
	require.EqualValues(t, "paused", paused.JSON200.Status)
	s.notified(t, post("FT-paused", 1000, ""))
	require.Len(t, s.sim.Inbox(lan.OAUserID), 4)
	list, err := api.ListIntegrationsWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode())
	require.Len(t, list.JSON200.Items, 1)

	// The owner's Zalo tokens never entered the wizard's history.
	// Temporal sees nothing of it: every payload is sealed.
	wizardID := contract.WizardWorkflowID(uuid.MustParse(s.workspaceOf(t, key)), w.ID)
	sealed := s.history(t, wizardID, false)
	for _, plain := range []string{"Chị Lan", "Tiệm bánh", "0123456789"} {
		require.NotContains(t, sealed, plain)
	}
	// And even opened, it holds no token, no verifier, no OAuth code and no
	// referral code.
	history := s.history(t, wizardID, true)
	for _, secret := range []string{"user-access-", "user-refresh-", "oa-access", "oa-refresh", "code_verifier", integ.ReferralCode, code} {
		require.NotContains(t, history, secret)
	}
	require.Contains(t, history, "Chị Lan", "payloads were decoded") // the check above can fail
	recordHistory(t, contract.SetupWizardName, wizardID)
}

// TestTheWizardWantsAnOwnerWhoFollowsTheOA: someone who has not followed
// the OA logs in; the test call says to follow ("Quan tâm") first.
func TestTheWizardWantsAnOwnerWhoFollowsTheOA(t *testing.T) {
	s := startStack(t)
	key := s.workspace(t, "Shop")
	minh := s.sim.CreateUser("Anh Minh", false)

	var w wizardState
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/wizards", key, map[string]any{}, &w))
	base := s.apiURL + "/v1/wizards/" + w.ID
	require.Equal(t, http.StatusFound, s.logIn(t, key, w.ID, minh.AppUserID).StatusCode)
	require.Equal(t, http.StatusOK, call(t, "PUT", base+"/fields", key, map[string]any{"fields": []string{}}, &w))
	require.False(t, w.ZaloAccount.FollowsOA)

	var e apiError
	require.Equal(t, http.StatusUnprocessableEntity, call(t, "POST", base+"/test-call", key, nil, &e))
	require.Equal(t, "not_following", e.Error.Code)
	require.Contains(t, e.Error.Message, "Quan tâm")
	require.Empty(t, s.sim.Inbox(minh.OAUserID))

	// Once he follows, the same wizard's test call goes through, unless
	// Zalo refuses it: then the owner sees Zalo's code.
	_, status, _ := s.sim.Follow(minh.OAUserID, true)
	require.Equal(t, http.StatusOK, status)
	s.sim.SetFaults(zalosim.Faults{ErrorCode: -244, ErrorRate: 1})
	var refused struct {
		Error struct {
			Code     string `json:"code"`
			ZaloCode int    `json:"zalo_code"`
		} `json:"error"`
	}
	require.Eventually(t, func() bool {
		return call(t, "POST", base+"/test-call", key, nil, &refused) == http.StatusBadGateway
	}, 10*time.Second, 200*time.Millisecond)
	require.Equal(t, "zalo_refused", refused.Error.Code)
	require.Equal(t, -244, refused.Error.ZaloCode)
	s.sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool {
		return call(t, "POST", base+"/test-call", key, nil, nil) == http.StatusOK
	}, 10*time.Second, 200*time.Millisecond)

	require.Equal(t, http.StatusNoContent, call(t, "DELETE", base, key, nil, nil))
	require.Equal(t, http.StatusOK, call(t, "GET", base, key, nil, &w))
	require.Equal(t, "cancelled", w.Status)
	var other struct {
		Items []struct{ ID string } `json:"items"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/zalo-accounts", key, nil, &other))
	require.Len(t, other.Items, 1)
}

// TestAFieldChangeDuringTheTestCallIsNotSavedUntested is the race an owner
// with two tabs can run: Zalo takes 3 s to answer the test call, and a
// change of fields sent meanwhile waits for it, then invalidates it, so
// save refuses until the new fields have been tested.
func TestAFieldChangeDuringTheTestCallIsNotSavedUntested(t *testing.T) {
	s := startStack(t)
	key := s.workspace(t, "Tiệm hoa")
	var acct struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/bank-accounts", key, map[string]string{"account_number": "555"}, &acct))
	lan := s.sim.CreateUser("Chị Lan", true)
	s.waitFollower(t, lan.OAUserID, "following")
	var w wizardState
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/wizards", key, map[string]any{}, &w))
	base := s.apiURL + "/v1/wizards/" + w.ID
	require.Equal(t, http.StatusOK, call(t, "PUT", base+"/bank-accounts", key, map[string]any{"bank_account_ids": []string{acct.ID}, "direction": "in"}, &w))
	require.Equal(t, http.StatusFound, s.logIn(t, key, w.ID, lan.AppUserID).StatusCode)
	require.Equal(t, http.StatusOK, call(t, "PUT", base+"/fields", key, map[string]any{"fields": []string{"time"}}, &w))

	s.sim.SetFaults(zalosim.Faults{LatencyMS: 3000})
	sent := func() int { return s.sim.Stats().Calls[zalosim.KindCS] }
	before := sent()
	testCall := make(chan int)
	go func() { testCall <- call(t, "POST", base+"/test-call", key, nil, nil) }()
	require.Eventually(t, func() bool { return sent() > before }, 10*time.Second, 10*time.Millisecond, "the test message is at Zalo now")
	require.Empty(t, s.sim.Inbox(lan.OAUserID), "and takes Zalo 3 s")
	require.Equal(t, http.StatusOK, call(t, "PUT", base+"/fields", key, map[string]any{"fields": []string{"time", "balance"}}, &w))
	require.Len(t, s.sim.Inbox(lan.OAUserID), 1, "the change waited for the test call: its message had arrived")
	require.Nil(t, w.TestCall, "and the change invalidated it")
	require.Equal(t, http.StatusOK, <-testCall)
	s.sim.SetFaults(zalosim.Faults{})

	var e apiError
	require.Equal(t, http.StatusUnprocessableEntity, call(t, "POST", base+"/save", key, nil, &e))
	require.Equal(t, "step_out_of_order", e.Error.Code)
	require.Equal(t, http.StatusOK, call(t, "POST", base+"/test-call", key, nil, nil))
	var integ struct {
		Fields []string `json:"fields"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", base+"/save", key, nil, &integ))
	require.Equal(t, []string{"amount", "time", "balance"}, integ.Fields)
	require.Eventually(t, func() bool { return len(s.sim.Inbox(lan.OAUserID)) == 3 }, 10*time.Second, 50*time.Millisecond)
	inbox := s.sim.Inbox(lan.OAUserID)
	require.Contains(t, inbox[1].Text, "Số dư", "the saved fields were the ones last tested")
	require.Equal(t, message.OwnerWelcome("Tiệm hoa"), inbox[2].Text)
}

// replayCallback sends the browser's callback request again, with its
// cookies.
func (s *stack) replayCallback(t *testing.T, final *http.Response) int {
	req, err := http.NewRequest("GET", final.Request.URL.String(), nil) // the last request: our callback
	require.NoError(t, err)
	for _, c := range final.Request.Cookies() {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// history is the text of a workflow's history, with every payload's data
// appended: sealed as Temporal keeps it, or opened with the key.
func (s *stack) history(t *testing.T, workflowID string, open bool) string {
	h := historyOf(t, workflowID)
	if open {
		h = decoded(t, h)
	}
	raw, err := protojson.Marshal(h)
	require.NoError(t, err)
	text := string(raw)
	for _, m := range regexp.MustCompile(`"data":\s*"([^"]+)"`).FindAllStringSubmatch(text, -1) {
		if payload, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			text += "\n" + string(payload)
		}
	}
	return text
}

// workspaceOf is the id of the workspace an API key belongs to.
func (s *stack) workspaceOf(t *testing.T, key string) string {
	pool, err := db.Open(context.Background(), s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	var id string
	require.NoError(t, pool.QueryRow(context.Background(),
		"SELECT workspace_id::text FROM api_keys WHERE key_hash = sha256($1::bytea)", key).Scan(&id))
	return id
}

// TestALoginLinkOpenedByAnotherBrowserBindsNoOne: the login link an owner's
// wizard made, opened in someone else's browser (sent to them, say), ends
// on a plain page in Vietnamese and binds their Zalo account to nothing;
// the owner's own browser still completes it. return_to must be a path on
// this site.
func TestALoginLinkOpenedByAnotherBrowserBindsNoOne(t *testing.T) {
	s := startStack(t)
	key := s.workspace(t, "Shop")
	victim := s.sim.CreateUser("Người lạ", true)
	owner := s.sim.CreateUser("Chủ shop", true)
	var w wizardState
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/wizards", key, map[string]any{}, &w))

	authorize := s.beginLogin(t, newBrowser(t), key, w.ID)
	other := newBrowser(t)
	req, err := http.NewRequest("GET", authorize+"&sandbox_user="+url.QueryEscape(victim.AppUserID), nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	res, err := other.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(page), "trình duyệt khác")
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/wizards/"+w.ID, key, nil, &w))
	require.Nil(t, w.ZaloAccount, "nobody was bound")
	var accounts struct {
		Items []struct{ Name string } `json:"items"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/zalo-accounts", key, nil, &accounts))
	require.Empty(t, accounts.Items)

	// The owner's own browser completes a login of its own.
	require.Equal(t, http.StatusFound, s.logIn(t, key, w.ID, owner.AppUserID).StatusCode)
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/wizards/"+w.ID, key, nil, &w))
	require.Equal(t, "Chủ shop", w.ZaloAccount.Name)

	for _, to := range []string{"/\\evil.example", "//evil.example", "https://evil.example", "evil.example", "/a\r\nSet-Cookie: x=1",
		"/ok\u202e", "/a b", "/tab\there"} {
		var e apiError
		require.Equal(t, http.StatusBadRequest, call(t, "POST", s.apiURL+"/v1/wizards/"+w.ID+"/zalo-login", key, map[string]string{"return_to": to}, &e), to)
		require.Equal(t, "invalid_request", e.Error.Code)
	}
}

// wizard is GET /v1/wizards/{id}, which must answer 200.
func wizard(t *testing.T, api *apiclient.ClientWithResponses, id uuid.UUID) *apiclient.Wizard {
	t.Helper()
	res, err := api.GetWizardWithResponse(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	return res.JSON200
}
