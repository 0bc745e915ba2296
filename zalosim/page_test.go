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

// TestThePageDrivesTheSandbox: a person with only a browser can create
// users, follow, write to the OA, inject faults and see what happened.
func TestThePageDrivesTheSandbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})

	status, _, h := w.form(t, "/_sandbox/users", url.Values{"name": {"Chị Lan"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/_sandbox", h.Get("Location"))
	_, page, _ := w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, "Chị Lan")
	require.Contains(t, page, "Chưa quan tâm", "an unticked box creates a non-follower")

	var lan zalosim.User
	_, body, _ := w.do(t, "POST", "/_sandbox/users", "application/json", `{"name":"Anh Minh"}`)
	require.NoError(t, json.Unmarshal([]byte(body), &lan))
	for _, action := range []string{"follow", "unfollow", "follow"} {
		status, _, _ = w.form(t, "/_sandbox/users/"+lan.OAUserID+"/"+action, nil)
		require.Equal(t, http.StatusSeeOther, status, action)
	}
	status, _, _ = w.form(t, "/_sandbox/users/"+lan.OAUserID+"/messages", url.Values{"text": {"/invite: ABC"}})
	require.Equal(t, http.StatusSeeOther, status)

	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	for _, want := range []string{
		`action="/_sandbox/users"`, `action="/_sandbox/users/` + lan.OAUserID + `/unfollow"`,
		`action="/_sandbox/users/` + lan.OAUserID + `/messages"`, `action="/_sandbox/faults"`,
		"Đã quan tâm OA", "Hộp thư trống", "chưa cấu hình",
	} {
		require.Contains(t, page, want)
	}

	status, _, _ = w.form(t, "/_sandbox/faults", url.Values{"error_code": {"-32"}, "latency_ms": {"1"}})
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, `value="-32"`, "the page shows the faults in force")
	_, body, _ = w.do(t, "POST", "/v3.0/oa/message/cs", "application/json",
		`{"recipient":{"user_id":"`+lan.OAUserID+`"},"message":{"text":"hi"}}`, "access_token: tok")
	require.Contains(t, body, `"error":-32`, "a code without a rate applies to every call")
	status, _, _ = w.form(t, "/_sandbox/faults", url.Values{"error_rate": {"2"}})
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.form(t, "/_sandbox/faults", nil)
	require.Equal(t, http.StatusSeeOther, status, "an empty form clears the faults")
	_, body, _ = w.do(t, "POST", "/v3.0/oa/message/cs", "application/json",
		`{"recipient":{"user_id":"`+lan.OAUserID+`"},"message":{"text":"hi"}}`, "access_token: tok")
	require.Contains(t, body, `"error":0`)
	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, ">hi<")
}

// TestThePageShowsTheClockAgesAndKinds: the clock (set and reset from the
// page), each user's interaction age, and the kind of every message; all
// of it escaped.
func TestThePageShowsTheClockAgesAndKinds(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	status, _, h := w.form(t, "/_sandbox/clock", url.Values{"now": {"2026-03-10T23:15"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/_sandbox", h.Get("Location"))
	require.WithinDuration(t, time.Date(2026, 3, 10, 16, 15, 0, 0, time.UTC), w.sim.Now(), time.Second, "the form speaks Vietnam time")

	lan := w.sim.CreateUser("Lan <b>", true)
	tu := w.sim.CreateUser("Tú", false)
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "<script>alert(1)</script>"))
	w.oa(t, "POST", "/message/template", `{"user_id":"`+lan.OAUserID+`","template_id":"9","template_data":{"a":"1"}}`)
	status, _, _ = w.form(t, "/_sandbox/users/"+tu.OAUserID+"/last-interaction", url.Values{"days_ago": {"3"}})
	require.Equal(t, http.StatusSeeOther, status)

	_, page, _ := w.do(t, "GET", "/_sandbox", "", "")
	for _, want := range []string{
		"23:15", "10/03/2026", "đã chỉnh", "ban đêm", `action="/_sandbox/clock"`, `name="now"`, "Về giờ thật",
		"tương tác vừa xong", "tương tác 3 ngày trước", `action="/_sandbox/users/` + lan.OAUserID + `/last-interaction"`,
		"tư vấn (cs)", "ZNS", "Lan &lt;b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;", `name="rate_limit_per_minute"`,
	} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, "<script>")
	require.NotContains(t, page, "Lan <b>")

	status, _, _ = w.form(t, "/_sandbox/users/"+tu.OAUserID+"/last-interaction", url.Values{"days_ago": {"8"}})
	require.Equal(t, http.StatusSeeOther, status)
	status, _, _ = w.form(t, "/_sandbox/users/"+lan.OAUserID+"/last-interaction", url.Values{"days_ago": {""}})
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, "tương tác 8 ngày trước")
	require.Contains(t, page, "quá 7 ngày")
	require.Contains(t, page, "chưa tương tác")

	status, _, _ = w.form(t, "/_sandbox/users/"+tu.OAUserID+"/last-interaction", url.Values{"days_ago": {"-1"}})
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.form(t, "/_sandbox/clock", url.Values{"now": {"tomorrow"}})
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.form(t, "/_sandbox/clock", nil)
	require.Equal(t, http.StatusSeeOther, status, "an empty form goes back to real time")
	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	require.Contains(t, page, "giờ thật")
	require.WithinDuration(t, time.Now(), w.sim.Now(), time.Second)
}
