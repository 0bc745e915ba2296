package zalosim_test

import (
	"encoding/json"
	"net/http"
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
		{"POST", "/v3.0/oa/message/transaction", transactionBody(lan.OAUserID), 0, "0"},
		{"POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "bốn"), -32, "0"},
		{"GET", `/v2.0/oa/conversation?data={"user_id":"` + lan.OAUserID + `","offset":0,"count":10}`, "", -32, "0"},
		{"POST", "/message/template", `{"user_id":"` + lan.OAUserID + `","template_id":"1","template_data":{}}`, -32, "0"},
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
	require.Equal(t, 4, w.sim.Stats().Refused[-32])
}

// TestStats: calls count every call to each message route, accepted or
// refused; refused counts Zalo codes over the OA API, injected codes
// included and HTTP-status faults excluded.
func TestStats(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T23:00:00+07:00")
	lan, tu := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", false)

	_, body, _ := w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":{"cs":0,"transaction":0,"zns":0,"template":0},"refused":{}}`, body)

	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))                              // accepted
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(tu.OAUserID, "hi"))                               // -213
	w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(lan.OAUserID))                  // -234: night
	w.oa(t, "POST", "/v3.0/oa/message/transaction", `{}`)                                           // -201
	w.oa(t, "POST", "/message/template", `{"user_id":"`+tu.OAUserID+`","template_id":"1"}`)         // accepted
	w.oa(t, "POST", "/v3.0/oa/message/template", `{"user_id":"`+tu.OAUserID+`","template_id":"1"}`) // -213
	w.oa(t, "GET", `/v3.0/oa/user/detail?data={"user_id":"nobody"}`, "")                            // -201, not a message route
	w.do(t, "POST", "/v3.0/oa/message/cs", "application/json", csBody(lan.OAUserID, "hi"))          // -216: no token
	w.sim.SetFaults(zalosim.Faults{ErrorCode: -211})
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi")) // -211, injected
	w.sim.SetFaults(zalosim.Faults{HTTPStatus: 503})
	status, _, _ := w.do(t, "POST", "/v3.0/oa/message/cs", "application/json", csBody(lan.OAUserID, "hi"), "access_token: tok")
	require.Equal(t, http.StatusServiceUnavailable, status)
	w.sim.SetFaults(zalosim.Faults{})

	_, body, _ = w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":{"cs":5,"transaction":2,"zns":1,"template":1},
		"refused":{"-213":2,"-234":1,"-201":2,"-216":1,"-211":1}}`, body)
	st := w.sim.Stats()
	require.Equal(t, 5, st.Calls[zalosim.KindCS])
	require.Equal(t, 1, st.Refused[-234])

	status, _, _ = w.do(t, "DELETE", "/_sandbox/stats", "", "")
	require.Equal(t, http.StatusNoContent, status)
	_, body, _ = w.do(t, "GET", "/_sandbox/stats", "", "")
	require.JSONEq(t, `{"calls":{"cs":0,"transaction":0,"zns":0,"template":0},"refused":{}}`, body)
}

// TestConversation: what passed between the OA and one user, every kind
// and the user's own texts, newest first, in pages of at most 10.
func TestConversation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	start := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC) // 10:00 in Vietnam
	w.sim.SetClock(start)
	lan, minh := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Minh", true)
	step := func() { w.sim.SetClock(w.sim.Now().Add(time.Minute)) }

	_, ok := w.sim.UserSendsText(lan.OAUserID, "/invite: ABC")
	require.True(t, ok)
	step()
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "Chào Lan"))
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(minh.OAUserID, "Chào Minh")) // another user's
	step()
	w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(lan.OAUserID))
	step()
	w.oa(t, "POST", "/message/template", `{"user_id":"`+lan.OAUserID+`","template_id":"9","template_data":{"a":"1"}}`)
	step()
	w.oa(t, "POST", "/v3.0/oa/message/template", `{"user_id":"`+lan.OAUserID+`","template_id":"7","template_data":{"b":"2"}}`)
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "same minute, later")) // the clock barely moved: a near tie

	type item struct {
		MessageID string `json:"message_id"`
		Src       int    `json:"src"`
		Time      int64  `json:"time"`
		Type      string `json:"type"`
		Message   string `json:"message"`
		FromID    string `json:"from_id"`
		ToID      string `json:"to_id"`
	}
	read := func(data string) (int, []item) {
		body, _ := w.oa(t, "GET", "/v2.0/oa/conversation?data="+data, "")
		var ans struct {
			Error int    `json:"error"`
			Data  []item `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &ans), body)
		return ans.Error, ans.Data
	}
	code, items := read(`{"user_id":"` + lan.OAUserID + `","offset":0,"count":10}`)
	require.Zero(t, code)
	var texts []string
	for _, it := range items {
		texts = append(texts, it.Type+"|"+it.Message)
	}
	require.Equal(t, []string{
		"text|same minute, later",
		"template|[template 7]\nb: 2",
		"template|[zns 9]\na: 1",
		"template|Biến động số dư\nSố tiền: +599.000 VND\nNội dung: thanh toan don 42",
		"text|Chào Lan",
		"text|/invite: ABC",
	}, texts, "newest first")
	oa := items[1].FromID
	require.Equal(t, 0, items[1].Src, "0: sent by the OA")
	require.Equal(t, lan.OAUserID, items[1].ToID)
	user := items[5]
	require.Equal(t, 1, user.Src, "1: sent by the user")
	require.Equal(t, lan.OAUserID, user.FromID)
	require.Equal(t, oa, user.ToID)
	require.Equal(t, start.UnixMilli(), user.Time, "unix milliseconds, by the sandbox clock")
	require.Equal(t, w.sim.Inbox(lan.OAUserID)[0].MessageID, items[4].MessageID)

	_, page := read(`{"user_id":"` + lan.OAUserID + `","offset":4,"count":10}`)
	require.Len(t, page, 2)
	require.Equal(t, items[4], page[0])
	_, page = read(`{"user_id":"` + lan.OAUserID + `","offset":0,"count":2}`)
	require.Equal(t, items[:2], page)

	for name, data := range map[string]string{
		"unknown user": `{"user_id":"nobody","offset":0,"count":10}`,
		"count 11":     `{"user_id":"` + lan.OAUserID + `","offset":0,"count":11}`,
		"count 0":      `{"user_id":"` + lan.OAUserID + `","offset":0,"count":0}`,
		"not JSON":     `nope`,
	} {
		code, _ := read(data)
		require.Equal(t, -201, code, name)
	}
}
