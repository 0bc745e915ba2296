package zalosim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestFaultsAimAtRoutes: with routes, a fault reaches only the calls of
// those kinds; without, every OA API call but never the token route.
func TestFaultsAimAtRoutes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: "tok", OARefreshToken: "r0"})
	w.putTemplate(t, "tpl")
	lan := w.sim.CreateUser("Lan", true)
	require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	calls := map[zalosim.Kind]func() int{
		zalosim.KindCS: func() int {
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
			return zaloCode(t, body)
		},
		zalosim.KindTemplate: func() int {
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"1"}`))
			return zaloCode(t, body)
		},
		zalosim.KindTemplatePhone: func() int {
			body, _ := w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"))
			return zaloCode(t, body)
		},
		zalosim.KindConversation: func() int {
			body, _ := w.oa(t, "GET", `/v2.0/oa/conversation?data={"user_id":"`+lan.OAUserID+`","offset":0,"count":1}`, "")
			return zaloCode(t, body)
		},
		zalosim.KindStatus: func() int {
			body, _ := w.oa(t, "GET", "/message/status?message_id=x", "")
			return zaloCode(t, body)
		},
		zalosim.KindQuota: func() int {
			body, _ := w.oa(t, "POST", "/v3.0/oa/quota/message", `{"user_id":"`+lan.OAUserID+`"}`)
			return zaloCode(t, body)
		},
		zalosim.KindGetOA: func() int {
			body, _ := w.oa(t, "GET", "/v2.0/oa/getoa", "")
			return zaloCode(t, body)
		},
	}
	for aim := range calls {
		w.sim.SetFaults(zalosim.Faults{ErrorCode: -211, Routes: []zalosim.Kind{aim}})
		for kind, call := range calls {
			want := 0
			if kind == aim {
				want = -211
			}
			require.Equal(t, want, call(), "a fault aimed at %s, a %s call", aim, kind)
		}
	}

	status, body, _ := w.do(t, "PUT", "/_sandbox/faults", "application/json", `{"error_code":-211}`)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"error_code":-211,"error_rate":1}`, body)
	for kind, call := range calls {
		require.Equal(t, -211, call(), "no routes: every OA API call, %s among them", kind)
	}
	refresh := url.Values{"app_id": {"1"}, "grant_type": {"refresh_token"}, "refresh_token": {"r0"}}
	ans := w.exchange(t, refresh, "s")
	require.NotEmpty(t, ans["access_token"], "but not the token route: %v", ans)
	refresh.Set("refresh_token", ans["refresh_token"].(string))

	status, body, _ = w.do(t, "PUT", "/_sandbox/faults", "application/json", `{"error_code":-32,"routes":["token"]}`)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"error_code":-32,"error_rate":1,"routes":["token"]}`, body)
	require.EqualValues(t, -32, w.exchange(t, refresh, "s")["error"], "aimed at by name")
	require.Equal(t, 0, calls[zalosim.KindCS]())
	w.sim.SetFaults(zalosim.Faults{HTTPStatus: 503, Routes: []zalosim.Kind{zalosim.KindToken}})
	status, _, _ = w.do(t, "POST", "/v4/oa/access_token", "application/x-www-form-urlencoded", refresh.Encode(), "secret_key: s")
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, 1, w.sim.RefreshCount(), "the faulted refreshes took no effect")

	for _, bad := range []string{`{"error_code":-32,"routes":["zns"]}`, `{"routes":["transaction"]}`, `{"routes":"cs"}`} {
		status, _, _ = w.do(t, "PUT", "/_sandbox/faults", "application/json", bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}
}

// TestAimedLatencyIsALostAnswer: latency aimed at one route slows only
// that route, and the call takes effect though its caller gave up.
func TestAimedLatencyIsALostAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "tpl")
	lan := w.sim.CreateUser("Lan", true)
	w.sim.SetFaults(zalosim.Faults{LatencyMS: 300, Routes: []zalosim.Kind{zalosim.KindTemplate}})

	start := time.Now()
	body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	require.Zero(t, zaloCode(t, body))
	require.Less(t, time.Since(start), 250*time.Millisecond, "cs is not slowed")

	req, err := http.NewRequest("POST", w.url+"/v3.0/oa/message/template", strings.NewReader(templateBody(lan.OAUserID, "tpl", `{"so_tien":"1"}`)))
	require.NoError(t, err)
	req.Header.Set("access_token", "tok")
	_, err = (&http.Client{Timeout: 50 * time.Millisecond}).Do(req)
	require.Error(t, err, "the caller gives up")
	require.Eventually(t, func() bool { return len(w.sim.Inbox(lan.OAUserID)) == 2 }, 2*time.Second, 10*time.Millisecond,
		"the template was delivered all the same")
}

// TestThePageAimsFaults: the page's faults form takes comma-separated routes.
func TestThePageAimsFaults(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	lan := w.sim.CreateUser("Lan", true)
	status, _, _ := w.form(t, "/_sandbox/faults", url.Values{"error_code": {"-217"}, "routes": {"template, cs"}})
	require.Equal(t, http.StatusSeeOther, status)
	body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	require.Equal(t, -217, zaloCode(t, body))
	body, _ = w.oa(t, "GET", "/v2.0/oa/getoa", "")
	require.Zero(t, zaloCode(t, body))
	_, page, _ := w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, `value="template, cs"`)
	status, _, _ = w.form(t, "/_sandbox/faults", url.Values{"routes": {"sms"}})
	require.Equal(t, http.StatusBadRequest, status)
}
