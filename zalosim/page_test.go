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

	w.putTemplate(t, "9")
	lan := w.sim.CreateUser("Lan <b>", true)
	tu := w.sim.CreateUser("Tú", false)
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "<script>alert(1)</script>"))
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "9", `{"so_tien":"1"}`))
	status, _, _ = w.form(t, "/_sandbox/users/"+tu.OAUserID+"/last-interaction", url.Values{"days_ago": {"3"}})
	require.Equal(t, http.StatusSeeOther, status)

	_, page, _ := w.do(t, "GET", "/_sandbox", "", "")
	for _, want := range []string{
		"23:15", "10/03/2026", "đã chỉnh", "ban đêm", `action="/_sandbox/clock"`, `name="now"`, "Về giờ thật",
		"tương tác vừa xong", "tương tác 3 ngày trước", `action="/_sandbox/users/` + lan.OAUserID + `/last-interaction"`,
		"tư vấn (cs)", "mẫu theo user id (template)", "không chuông", "Lan &lt;b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;", `name="rate_limit_per_minute"`,
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

// TestThePageShowsZalo2026: templates (a person changes a status, which
// Zalo tells by webhook), the OA's standing (and a form to change it), each
// user's phone, the seen button and the consent link.
func TestThePageShowsZalo2026(t *testing.T) {
	t.Parallel()
	w, h := hookedWorld(t, zalosim.Config{OARedirectURI: "http://127.0.0.1:8080/v1/oauth/zalo-oa/callback"})
	w.putTemplate(t, "356701", `"Biến động số dư"`, `"Biến động <số dư>"`)
	lan := w.sim.CreateUser("Lan", false)
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "chào")) // refused: she never wrote

	status, _, _ := w.form(t, "/_sandbox/users/"+lan.OAUserID+"/phone", url.Values{"phone": {"84901234567"}})
	require.Equal(t, http.StatusSeeOther, status)
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "356701", `{"so_tien":"+1 VND"}`))
	_, page, _ := w.do(t, "GET", "/_sandbox", "", "")
	for _, want := range []string{
		`id="template-356701"`, "Biến động &lt;số dư&gt;", "TRANSACTION · HIGH", "so_tien", "200đ", "300đ",
		`action="/_sandbox/templates/356701/status"`, `<option selected>ENABLE</option>`,
		`action="/_sandbox/oa"`, `name="is_verified" checked`, `value="Premium"`, "7401122334455667788",
		"SĐT 84901234567", `action="/_sandbox/users/` + lan.OAUserID + `/phone"`, `action="/_sandbox/users/` + lan.OAUserID + `/seen"`,
		"/v4/oa/permission?app_id=1", "mẫu theo user id (template)",
	} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, "đã xem")

	status, _, _ = w.form(t, "/_sandbox/templates/356701/status", url.Values{"status": {"REJECT"}})
	require.Equal(t, http.StatusSeeOther, status)
	e := h.next(t)
	require.Equal(t, "change_template_status", e["event_name"])
	require.Equal(t, "REJECT", e["status"])
	require.Equal(t, "REJECT", w.sim.Templates()[0].Status)
	status, _, _ = w.form(t, "/_sandbox/templates/356701/status", url.Values{"status": {"GONE"}})
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = w.form(t, "/_sandbox/templates/nope/status", url.Values{"status": {"ENABLE"}})
	require.Equal(t, http.StatusNotFound, status)

	status, _, _ = w.form(t, "/_sandbox/users/"+lan.OAUserID+"/seen", nil)
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "user_seen_message", h.next(t)["event_name"])
	status, _, _ = w.form(t, "/_sandbox/oa", url.Values{"package_name": {""}, "linked_zca": {"on"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, zalosim.OA{LinkedZCA: "7401122334455667788"}, w.sim.OA(), "unticked: not verified; empty: no package")
	status, _, _ = w.form(t, "/_sandbox/users/"+lan.OAUserID+"/phone", url.Values{"phone": {"0901"}})
	require.Equal(t, http.StatusBadRequest, status)

	_, page, _ = w.do(t, "GET", "/_sandbox", "", "")
	for _, want := range []string{"đã xem", "REJECT</option>", "(-221)", "(-224)"} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, "(-320)")
}
