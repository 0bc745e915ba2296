package zalosim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

func TestControlAPI(t *testing.T) {
	sim := zalosim.New(zalosim.Config{OAAccessToken: "tok"})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}

	status, body := do("POST", "/_sandbox/users", `{"name":"Lan"}`)
	require.Equal(t, http.StatusCreated, status)
	require.Contains(t, body, `"follows":false`)
	require.Contains(t, body, `"webhook_status":0`, "no webhook URL, nothing sent")
	u := sim.CreateUser("Minh", false)

	status, body = do("POST", "/_sandbox/users/"+u.OAUserID+"/follow", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"follows":true`)
	status, _ = do("POST", "/_sandbox/users/nobody/follow", "")
	require.Equal(t, http.StatusNotFound, status)
	status, _ = do("GET", "/_sandbox/users/nobody/inbox", "")
	require.Equal(t, http.StatusNotFound, status)
	status, body = do("POST", "/_sandbox/users", `{"name":`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `"code":"bad_request"`)

	send := func() string {
		_, body := do("POST", "/v3.0/oa/message/cs", `{"recipient":{"user_id":"`+u.OAUserID+`"},"message":{"text":"hi"}}`)
		return body
	}
	// The sandbox checks the token: do() sends none.
	require.Contains(t, send(), `"error":-216`)

	status, _ = do("PUT", "/_sandbox/faults", `{"error_rate":2}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = do("PUT", "/_sandbox/faults", `{"http_status":503}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = do("POST", "/v3.0/oa/message/cs", `{}`)
	require.Equal(t, http.StatusServiceUnavailable, status)
	status, _ = do("DELETE", "/_sandbox/faults", "")
	require.Equal(t, http.StatusNoContent, status)

	status, body = do("GET", "/_sandbox", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Minh")
}

func TestErrorRateGivesBothOutcomes(t *testing.T) {
	sim := zalosim.New(zalosim.Config{OAAccessToken: "tok", Seed: 3})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	u := sim.CreateUser("Lan", true)
	req, _ := http.NewRequest("PUT", srv.URL+"/_sandbox/faults", strings.NewReader(`{"error_code":-32,"error_rate":0.5}`))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	for range 100 {
		req, _ := http.NewRequest("POST", srv.URL+"/v3.0/oa/message/cs",
			strings.NewReader(`{"recipient":{"user_id":"`+u.OAUserID+`"},"message":{"text":"hi"}}`))
		req.Header.Set("access_token", "tok")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
	}
	delivered := len(sim.Inbox(u.OAUserID))
	require.Greater(t, delivered, 20)
	require.Less(t, delivered, 80)
}

func TestWebhookControlRoutes(t *testing.T) {
	received := make(chan string, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-ZEvent-Signature") != "mac="+zalosim.Sign("1", "k", b) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		received <- string(b)
	}))
	defer recv.Close()
	sim := zalosim.New(zalosim.Config{AppID: "1", OASecretKey: "k", WebhookURL: recv.URL})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	post := func(path, body string) string {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}

	require.Contains(t, post("/_sandbox/users", `{"name":"Minh","follows":true}`), `"webhook_status":200`)
	require.Contains(t, <-received, `"event_name":"follow"`)
	u := sim.CreateUser("Lan", false) // no webhook: she does not follow yet
	require.Empty(t, received)
	require.Contains(t, post("/_sandbox/users/"+u.OAUserID+"/follow", ""), `"webhook_status":200`)
	require.Contains(t, <-received, `"event_name":"follow"`)
	require.Contains(t, post("/_sandbox/users/"+u.OAUserID+"/follow", ""), `"webhook_status":0`, "no change, no event")
	sent := post("/_sandbox/users/"+u.OAUserID+"/messages", `{"text":"/invite: ABC"}`)
	require.Contains(t, sent, `"webhook_status":200`)
	var ans struct {
		MsgID string `json:"msg_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(sent), &ans))
	require.NotEmpty(t, ans.MsgID)
	require.Contains(t, <-received, `"msg_id":"`+ans.MsgID+`"`)
	require.Contains(t, post("/_sandbox/users/"+u.OAUserID+"/unfollow", ""), `"follows":false`)
	require.Contains(t, <-received, `"event_name":"unfollow"`)
	require.Contains(t, post("/_sandbox/users/"+u.OAUserID+"/messages", `{"text":""}`), `bad_request`)
	require.Empty(t, received)
}

func TestLoginPageListsUsers(t *testing.T) {
	sim := zalosim.New(zalosim.Config{AppID: "1"})
	sim.CreateUser("Chị Lan", true)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/v4/permission?app_id=1&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_challenge=x&state=s")
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(b), "Chị Lan")
	require.Contains(t, string(b), "sandbox_user=")

	res, err = http.Get(srv.URL + "/v4/permission?app_id=2&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_challenge=x")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "unknown app")
}

// TestANonFollowerWhoWroteCanBeAnswered: the OA may answer someone who just
// wrote to it, follower or not, but not someone who never did.
func TestANonFollowerWhoWroteCanBeAnswered(t *testing.T) {
	sim := zalosim.New(zalosim.Config{OAAccessToken: "tok"})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	send := func(u zalosim.User) string {
		req, _ := http.NewRequest("POST", srv.URL+"/v3.0/oa/message/cs", strings.NewReader(`{"recipient":{"user_id":"`+u.OAUserID+`"},"message":{"text":"hi"}}`))
		req.Header.Set("access_token", "tok")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	hoa, tu := sim.CreateUser("Hoa", false), sim.CreateUser("Tú", false)
	_, ok := sim.UserSendsText(hoa.OAUserID, "/invite: X")
	require.True(t, ok)
	require.Contains(t, send(hoa), `"error":0`)
	require.Contains(t, send(tu), `"error":-213`)
}
