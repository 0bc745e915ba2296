package zalosim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestRateLimit: past rate_limit_per_minute OA API calls (sends and reads
// alike) in the last 60 s of the sandbox clock, Zalo answers -32; the
// answers carry X-RateLimit-Limit and X-RateLimit-Remain.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "tpl")
	lan := w.sim.CreateUser("Lan", true)
	w.setClock(t, "2026-03-10T10:00:00+07:00")

	body, h := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	require.Zero(t, zaloCode(t, body))
	require.Empty(t, h.Get("X-RateLimit-Limit"), "no limit, no headers")

	status, body, _ := w.do(t, "PUT", "/_sandbox/faults", "application/json", `{"rate_limit_per_minute":3}`)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"rate_limit_per_minute":3}`, body)
	calls := []struct {
		method, path, body string
		want               int
		remain             string
	}{
		{"POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "một"), 0, "2"},
		{"GET", `/v3.0/oa/user/detail?data={"user_id":"` + lan.OAUserID + `"}`, "", 0, "1"},
		{"POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"1"}`), 0, "0"},
		{"POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "bốn"), -32, "0"},
		{"GET", `/v2.0/oa/conversation?data={"user_id":"` + lan.OAUserID + `","offset":0,"count":10}`, "", -32, "0"},
		{"POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"), -32, "0"},
		{"GET", "/v2.0/oa/getoa", "", -32, "0"},
	}
	for i, c := range calls {
		body, h := w.oa(t, c.method, c.path, c.body)
		require.Equal(t, c.want, zaloCode(t, body), "call %d: %s", i, body)
		require.Equal(t, "3", h.Get("X-RateLimit-Limit"), "call %d", i)
		require.Equal(t, c.remain, h.Get("X-RateLimit-Remain"), "call %d", i)
	}

	w.sim.SetClock(w.sim.Now().Add(59 * time.Second))
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "năm"))
	require.Equal(t, -32, zaloCode(t, body), "59 s later the three calls still count")
	w.sim.SetClock(w.sim.Now().Add(2 * time.Second))
	body, h = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "sáu"))
	require.Zero(t, zaloCode(t, body), "61 s later they are out of the window")
	require.Equal(t, "2", h.Get("X-RateLimit-Remain"))

	status, _, _ = w.do(t, "PUT", "/_sandbox/faults", "application/json", `{"rate_limit_per_minute":-1}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.do(t, "PUT", "/_sandbox/faults", "application/json", `{"latency_ms":60001}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.do(t, "DELETE", "/_sandbox/faults", "", "")
	require.Equal(t, http.StatusNoContent, status)
	for range 5 {
		body, h = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
		require.Zero(t, zaloCode(t, body), "no limit any more")
		require.Empty(t, h.Get("X-RateLimit-Remain"))
	}
	require.Equal(t, 5, w.sim.Stats().Refused[-32])
}

// TestStats: calls count every call of each kind, accepted or refused;
// refused counts Zalo codes over the OA API and the ZNS host, injected
// codes included and HTTP-status faults excluded.
func TestStats(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: "tok", OARefreshToken: "r0"})
	w.putTemplate(t, "tpl")
	lan, tu := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", false)

	zero := `{"cs":0,"template":0,"template_phone":0,"transaction":0,"conversation":0,"quota":0,"getoa":0,"status":0,"token":0}`
	_, body, _ := w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":`+zero+`,"refused":{}}`, body)

	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))                                   // accepted
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(tu.OAUserID, "hi"))                                    // -213
	w.oa(t, "POST", "/v3.0/oa/message/transaction", `{}`)                                                // -240
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(tu.OAUserID, "tpl", `{"so_tien":"1"}`))    // accepted
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(tu.OAUserID, "tpl", `{}`))                 // -201
	w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"))        // accepted
	w.oa(t, "GET", `/v2.0/oa/conversation?data={"user_id":"`+lan.OAUserID+`","offset":0,"count":1}`, "") // accepted
	w.oa(t, "POST", "/v3.0/oa/quota/message", `{"user_id":"`+lan.OAUserID+`"}`)                          // accepted
	w.oa(t, "GET", "/v2.0/oa/getoa", "")                                                                 // accepted
	w.oa(t, "GET", "/message/status?message_id=x", "")                                                   // accepted
	w.oa(t, "GET", `/v3.0/oa/user/detail?data={"user_id":"nobody"}`, "")                                 // -201, no kind
	w.exchange(t, url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}, "s")
	w.exchange(t, url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, "s") // -14014: OAuth's, not counted
	w.do(t, "POST", "/v3.0/oa/message/cs", "application/json", csBody(lan.OAUserID, "hi"))                      // -216: no token
	w.sim.SetFaults(zalosim.Faults{ErrorCode: -211})
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi")) // -211, injected
	w.sim.SetFaults(zalosim.Faults{HTTPStatus: 503})
	status, _, _ := w.do(t, "POST", "/v3.0/oa/message/cs", "application/json", csBody(lan.OAUserID, "hi"), "access_token: tok")
	require.Equal(t, http.StatusServiceUnavailable, status)
	w.sim.SetFaults(zalosim.Faults{})

	_, body, _ = w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":{"cs":5,"template":2,"template_phone":1,"transaction":1,"conversation":1,"quota":1,"getoa":1,"status":1,"token":2},
		"refused":{"-213":1,"-240":1,"-201":2,"-216":1,"-211":1}}`, body)
	st := w.sim.Stats()
	require.Equal(t, 5, st.Calls[zalosim.KindCS])
	require.Equal(t, 1, st.Refused[-240])

	status, _, _ = w.do(t, "DELETE", "/_sandbox/stats", "", "")
	require.Equal(t, http.StatusNoContent, status)
	_, body, _ = w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":`+zero+`,"refused":{}}`, body)
}

// TestConversation: what passed between the OA and one user (cs,
// templates by user id, the user's own texts), newest first, in pages of
// at most 10; by default templates by phone are not listed.
func TestConversation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "tpl")
	start := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC) // 10:00 in Vietnam
	w.sim.SetClock(start)
	lan, minh := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Minh", true)
	require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	step := func() { w.sim.SetClock(w.sim.Now().Add(time.Minute)) }

	_, ok := w.sim.UserSendsText(lan.OAUserID, "/invite: ABC")
	require.True(t, ok)
	step()
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "Chào Lan"))
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(minh.OAUserID, "Chào Minh")) // another user's
	step()
	w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"))
	step()
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"2"}`))
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "same minute, later")) // the clock barely moved: a near tie

	code, items := readConversation(t, w, `{"user_id":"`+lan.OAUserID+`","offset":0,"count":10}`)
	require.Zero(t, code)
	require.Equal(t, []string{
		"text|same minute, later",
		"template|Biến động số dư\nso_tien: 2\nnoi_dung: ",
		"text|Chào Lan",
		"text|/invite: ABC",
	}, conversationTexts(items), "newest first")
	oa := items[1].FromID
	require.Equal(t, 0, items[1].Src, "0: sent by the OA")
	require.Equal(t, lan.OAUserID, items[1].ToID)
	user := items[3]
	require.Equal(t, 1, user.Src, "1: sent by the user")
	require.Equal(t, lan.OAUserID, user.FromID)
	require.Equal(t, oa, user.ToID)
	require.Equal(t, start.UnixMilli(), user.Time, "unix milliseconds, by the sandbox clock")
	require.Equal(t, w.sim.Inbox(lan.OAUserID)[0].MessageID, items[2].MessageID)

	_, page := readConversation(t, w, `{"user_id":"`+lan.OAUserID+`","offset":2,"count":10}`)
	require.Len(t, page, 2)
	require.Equal(t, items[2], page[0])
	_, page = readConversation(t, w, `{"user_id":"`+lan.OAUserID+`","offset":0,"count":2}`)
	require.Equal(t, items[:2], page)

	for name, data := range map[string]string{
		"unknown user": `{"user_id":"nobody","offset":0,"count":10}`,
		"count 11":     `{"user_id":"` + lan.OAUserID + `","offset":0,"count":11}`,
		"count 0":      `{"user_id":"` + lan.OAUserID + `","offset":0,"count":0}`,
		"not JSON":     `nope`,
	} {
		code, _ := readConversation(t, w, data)
		require.Equal(t, -201, code, name)
	}
}

// TestConversationTemplatesSwitch: whether templates appear in Zalo's
// listing is unconfirmed, so Config.ConversationTemplates chooses.
func TestConversationTemplatesSwitch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		choice string
		want   []string
	}{
		{"", []string{"template|byUID", "text|cs"}},
		{"uid", []string{"template|byUID", "text|cs"}},
		{"none", []string{"text|cs"}},
		{"all", []string{"template|byUID", "template|byPhone", "text|cs"}},
	} {
		t.Run(tc.choice, func(t *testing.T) {
			t.Parallel()
			choice, err := zalosim.ParseConversationTemplates(tc.choice)
			require.NoError(t, err)
			w := newWorld(t, zalosim.Config{OAAccessToken: "tok", ConversationTemplates: choice})
			w.putTemplate(t, "tpl")
			lan := w.sim.CreateUser("Lan", true)
			require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
			w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "cs"))
			w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"))
			w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"2"}`))
			inbox := w.sim.Inbox(lan.OAUserID)
			label := map[string]string{inbox[0].MessageID: "cs", inbox[1].MessageID: "byPhone", inbox[2].MessageID: "byUID"}
			_, items := readConversation(t, w, `{"user_id":"`+lan.OAUserID+`","offset":0,"count":10}`)
			var got []string
			for _, it := range items {
				got = append(got, it.Type+"|"+label[it.MessageID])
			}
			require.Equal(t, tc.want, got)
		})
	}
	_, err := zalosim.ParseConversationTemplates("some")
	require.Error(t, err)
}

type conversationItem struct {
	MessageID string `json:"message_id"`
	Src       int    `json:"src"`
	Time      int64  `json:"time"`
	Type      string `json:"type"`
	Message   string `json:"message"`
	FromID    string `json:"from_id"`
	ToID      string `json:"to_id"`
}

func readConversation(t *testing.T, w world, data string) (int, []conversationItem) {
	t.Helper()
	body, _ := w.oa(t, "GET", "/v2.0/oa/conversation?data="+url.QueryEscape(data), "")
	var ans struct {
		Error int                `json:"error"`
		Data  []conversationItem `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans), body)
	return ans.Error, ans.Data
}

func conversationTexts(items []conversationItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Type+"|"+it.Message)
	}
	return out
}
