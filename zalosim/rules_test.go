package zalosim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestCSWindow: a cs message needs the user's last interaction within 7
// days of the sandbox clock; a non-follower may be answered only after
// writing within that window.
func TestCSWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		follows bool
		wrote   bool          // the interaction was the user writing
		ago     time.Duration // how long before the sandbox clock
		never   bool          // no interaction at all
		want    int
	}{
		{name: "follower, just now", follows: true, want: 0},
		{name: "follower, 6 days 23 hours", follows: true, ago: 7*24*time.Hour - time.Hour, want: 0},
		{name: "follower, 7 days 1 minute", follows: true, ago: 7*24*time.Hour + time.Minute, want: -230},
		{name: "follower, 30 days", follows: true, ago: 30 * 24 * time.Hour, want: -230},
		{name: "follower, never", follows: true, never: true, want: -230},
		{name: "non-follower who wrote, 6 days", wrote: true, ago: 6 * 24 * time.Hour, want: 0},
		{name: "non-follower who wrote, 8 days", wrote: true, ago: 8 * 24 * time.Hour, want: -213},
		{name: "non-follower who never wrote", ago: time.Hour, want: -213},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
			u := w.sim.CreateUser("Lan", tc.follows)
			if tc.wrote {
				_, ok := w.sim.UserSendsText(u.OAUserID, "chào shop")
				require.True(t, ok)
			}
			at := time.Now().Add(-tc.ago)
			if tc.never {
				at = time.Time{}
			}
			require.True(t, w.sim.SetLastInteraction(u.OAUserID, at))
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
			require.Equal(t, tc.want, zaloCode(t, body), body)
		})
	}
}

// TestMovingTheClockAgesInteractions: the window reads the sandbox clock;
// a template by user id needs no window.
func TestMovingTheClockAgesInteractions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "tpl")
	u := w.sim.CreateUser("Lan", true) // follows now: an interaction
	w.sim.SetClock(time.Now().Add(8 * 24 * time.Hour))
	body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
	require.Equal(t, -230, zaloCode(t, body))
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(u.OAUserID, "tpl", `{"so_tien":"+1 VND"}`))
	require.Equal(t, 0, zaloCode(t, body), "templates need no recent interaction")
	w.sim.ResetClock()
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
	require.Equal(t, 0, zaloCode(t, body))
}

// TestNightIsSilentNotRefused: cs and templates go at any hour; a template
// delivered from 22:00 to 05:59 Vietnam time, by the sandbox clock whatever
// zone it was set in, is silent (no push), and a cs message never is.
func TestNightIsSilentNotRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		now    string
		silent bool
	}{
		{"2026-03-10T21:59:00+07:00", false},
		{"2026-03-10T22:00:00+07:00", true},
		{"2026-03-10T23:00:00+07:00", true},
		{"2026-03-11T00:00:00+07:00", true},
		{"2026-03-11T05:59:00+07:00", true},
		{"2026-03-11T06:00:00+07:00", false},
		{"2026-03-10T14:59:00Z", false}, // 21:59 in Vietnam
		{"2026-03-10T15:00:00Z", true},  // 22:00 in Vietnam
		{"2026-03-10T22:59:00Z", true},  // 05:59 in Vietnam
		{"2026-03-10T23:00:00Z", false}, // 06:00 in Vietnam
	} {
		t.Run(tc.now, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
			w.putTemplate(t, "tpl")
			w.setClock(t, tc.now)
			u := w.sim.CreateUser("Lan", true)
			require.NoError(t, w.sim.SetPhone(u.OAUserID, "84901234567"))
			for _, send := range [][2]string{
				{"/v3.0/oa/message/cs", csBody(u.OAUserID, "hi")},
				{"/v3.0/oa/message/template", templateBody(u.OAUserID, "tpl", `{"so_tien":"+1 VND"}`)},
				{"/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"+1 VND"}`, "t1")},
			} {
				body, _ := w.oa(t, "POST", send[0], send[1])
				require.Zero(t, zaloCode(t, body), "%s at %s: %s", send[0], tc.now, body)
			}
			_, body, _ := w.do(t, "GET", "/_sandbox/users/"+u.OAUserID+"/inbox", "", "")
			var inbox struct {
				Items []struct {
					Kind   string `json:"kind"`
					Silent bool   `json:"silent"`
				} `json:"items"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &inbox))
			require.Len(t, inbox.Items, 3)
			require.False(t, inbox.Items[0].Silent, "cs")
			require.Equal(t, tc.silent, inbox.Items[1].Silent, "template")
			require.Equal(t, tc.silent, inbox.Items[2].Silent, "template_phone")
		})
	}
}

// TestTransactionIsShutDown: the UID transaction message was switched off
// on 2026-03-01: every call is refused with -240, counted as transaction,
// whatever its body or token; nothing is delivered.
func TestTransactionIsShutDown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	lan := w.sim.CreateUser("Lan", true)
	body := `{"recipient":{"user_id":"` + lan.OAUserID + `"},"message":{"attachment":{"type":"template","payload":{
		"template_type":"transaction_transaction","elements":[{"type":"header","content":"Biến động số dư"}]}}}}`
	ans, _ := w.oa(t, "POST", "/v3.0/oa/message/transaction", body)
	require.Equal(t, -240, zaloCode(t, ans))
	require.Contains(t, ans, "2026-03-01")
	_, ans, _ = w.do(t, "POST", "/v3.0/oa/message/transaction", "application/json", `{`)
	require.Equal(t, -240, zaloCode(t, ans), "no token, no body: still shut down")
	w.sim.SetFaults(zalosim.Faults{HTTPStatus: 503})
	ans, _ = w.oa(t, "POST", "/v3.0/oa/message/transaction", body)
	require.Equal(t, -240, zaloCode(t, ans), "faults do not reach a service that is gone")
	require.Empty(t, w.sim.Inbox(lan.OAUserID))
	st := w.sim.Stats()
	require.Equal(t, 3, st.Calls[zalosim.KindTransaction])
	require.Equal(t, 3, st.Refused[-240])
}

// TestUserInteractionField: the user JSON carries last_interaction_at,
// follows and messages set it, PUT rewrites it, user/detail reports it.
func TestUserInteractionField(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	type user struct {
		OAUserID          string  `json:"oa_user_id"`
		LastInteractionAt *string `json:"last_interaction_at"`
	}
	var hoa, lan user
	status, body, _ := w.do(t, "POST", "/_sandbox/users", "application/json", `{"name":"Hoa"}`)
	require.Equal(t, http.StatusCreated, status)
	require.Contains(t, body, `"last_interaction_at":null`)
	require.NoError(t, json.Unmarshal([]byte(body), &hoa))
	_, body, _ = w.do(t, "POST", "/_sandbox/users", "application/json", `{"name":"Lan","follows":true}`)
	require.NoError(t, json.Unmarshal([]byte(body), &lan))
	require.NotNil(t, lan.LastInteractionAt, "following is an interaction")
	at, err := time.Parse(time.RFC3339, *lan.LastInteractionAt)
	require.NoError(t, err)
	require.WithinDuration(t, time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC), at, time.Second, "by the sandbox clock")

	_, ok := w.sim.UserSendsText(hoa.OAUserID, "chào")
	require.True(t, ok)
	_, body, _ = w.do(t, "GET", "/_sandbox/users", "", "")
	var list struct {
		Items []user `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list.Items, 2)
	require.NotNil(t, list.Items[0].LastInteractionAt, "writing is an interaction")

	status, body, _ = w.do(t, "PUT", "/_sandbox/users/"+lan.OAUserID, "application/json", `{"last_interaction_at":"2026-02-01T09:00:00+07:00"}`)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"last_interaction_at":"2026-02-01T02:00:00Z"`)
	require.Contains(t, body, `"oa_user_id":"`+lan.OAUserID+`"`)
	detail, _ := w.oa(t, "GET", `/v3.0/oa/user/detail?data={"user_id":"`+lan.OAUserID+`"}`, "")
	require.Contains(t, detail, `"user_last_interaction_date":"01/02/2026"`)
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	require.Equal(t, -230, zaloCode(t, body))

	status, body, _ = w.do(t, "PUT", "/_sandbox/users/"+hoa.OAUserID, "application/json", `{"last_interaction_at":null}`)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"last_interaction_at":null`)
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(hoa.OAUserID, "hi"))
	require.Equal(t, -213, zaloCode(t, body), "her message is forgotten too")

	for _, bad := range []string{`{}`, `{"last_interaction_at":"yesterday"}`, `{"last_interaction_at":`} {
		status, _, _ = w.do(t, "PUT", "/_sandbox/users/"+lan.OAUserID, "application/json", bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}
	status, _, _ = w.do(t, "PUT", "/_sandbox/users/nobody", "application/json", `{"last_interaction_at":null}`)
	require.Equal(t, http.StatusNotFound, status)
	require.False(t, w.sim.SetLastInteraction("nobody", time.Now()))
}
