package zalosim_test

import (
	"encoding/json"
	"net/http"
	"strings"
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

// TestMovingTheClockAgesInteractions: the window reads the sandbox clock.
func TestMovingTheClockAgesInteractions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	u := w.sim.CreateUser("Lan", true) // follows now: an interaction
	// Eight days on, at noon in Vietnam (a transaction message at night
	// would meet the night rule instead).
	vn := time.FixedZone("ICT", 7*60*60)
	later := time.Now().Add(8 * 24 * time.Hour).In(vn)
	w.sim.SetClock(time.Date(later.Year(), later.Month(), later.Day(), 12, 0, 0, 0, vn))
	body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
	require.Equal(t, -230, zaloCode(t, body))
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(u.OAUserID))
	require.Equal(t, 0, zaloCode(t, body), "transaction messages need no recent interaction (%s)", w.sim.Now())
	w.sim.ResetClock()
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
	require.Equal(t, 0, zaloCode(t, body))
}

// TestTransactionNightBlock: -234 from 22:00 to 05:59 Vietnam time, by
// the sandbox clock, whatever zone the clock was set in.
func TestTransactionNightBlock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		now  string
		want int
	}{
		{"2026-03-10T21:59:00+07:00", 0},
		{"2026-03-10T22:00:00+07:00", -234},
		{"2026-03-10T23:30:00+07:00", -234},
		{"2026-03-11T00:00:00+07:00", -234},
		{"2026-03-11T05:59:00+07:00", -234},
		{"2026-03-11T06:00:00+07:00", 0},
		{"2026-03-10T14:59:00Z", 0},    // 21:59 in Vietnam
		{"2026-03-10T15:00:00Z", -234}, // 22:00 in Vietnam
		{"2026-03-10T22:59:00Z", -234}, // 05:59 in Vietnam
		{"2026-03-10T23:00:00Z", 0},    // 06:00 in Vietnam
		{"2026-03-10T12:00:00+07:00", 0},
	} {
		t.Run(tc.now, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
			w.setClock(t, tc.now)
			u := w.sim.CreateUser("Lan", true)
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(u.OAUserID))
			require.Equal(t, tc.want, zaloCode(t, body), body)
			body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
			require.Zero(t, zaloCode(t, body), "cs has no night block")
		})
	}
}

// TestTransactionMessage: the body of ZALO.md §5 reaches a follower, shows
// as header + "key: value" lines; a non-follower gets -213; a malformed
// body gets -201.
func TestTransactionMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	lan, tu := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", false)

	body, _ := w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(lan.OAUserID))
	var ans struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MessageID string `json:"message_id"`
			UserID    string `json:"user_id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.Equal(t, "Success", ans.Message)
	require.Equal(t, lan.OAUserID, ans.Data.UserID)
	_, body, _ = w.do(t, "GET", "/_sandbox/users/"+lan.OAUserID+"/inbox", "", "")
	var inbox struct {
		Items []struct {
			MessageID string `json:"message_id"`
			Kind      string `json:"kind"`
			Text      string `json:"text"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &inbox))
	require.Len(t, inbox.Items, 1)
	require.Equal(t, ans.Data.MessageID, inbox.Items[0].MessageID)
	require.Equal(t, "transaction", inbox.Items[0].Kind)
	require.Equal(t, "Biến động số dư\nSố tiền: +599.000 VND\nNội dung: thanh toan don 42", inbox.Items[0].Text)

	body, _ = w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody(tu.OAUserID))
	require.Equal(t, -213, zaloCode(t, body))
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/transaction", transactionBody("1234"))
	require.Equal(t, -213, zaloCode(t, body), "an unknown user follows nobody")

	good := transactionBody(lan.OAUserID)
	for name, bad := range map[string]string{
		"not JSON":     `{"recipient":`,
		"no recipient": strings.Replace(good, lan.OAUserID, "", 1),
		"no header":    strings.Replace(good, `{"type":"header","content":"Biến động số dư","align":"left"},`, "", 1),
		"empty header": strings.Replace(good, `"content":"Biến động số dư"`, `"content":" "`, 1),
		"no table":     strings.Replace(good, `"type":"table"`, `"type":"banner"`, 1),
		"empty rows":   strings.Replace(good, `[{"key":"Số tiền","value":"+599.000 VND"},{"key":"Nội dung","value":"thanh toan don 42"}]`, `[]`, 1),
		"rows not a list": strings.Replace(good, `[{"key":"Số tiền","value":"+599.000 VND"},{"key":"Nội dung","value":"thanh toan don 42"}]`,
			`"Số tiền"`, 1),
		"no template type": strings.Replace(good, `"template_type":"transaction_transaction",`, "", 1),
		"not a template":   strings.Replace(good, `"type":"template"`, `"type":"file"`, 1),
	} {
		require.NotEqual(t, good, bad, name)
		body, _ = w.oa(t, "POST", "/v3.0/oa/message/transaction", bad)
		require.Equal(t, -201, zaloCode(t, body), name)
	}
	require.Len(t, w.sim.Inbox(lan.OAUserID), 1, "refused messages deliver nothing")
}

// TestZNS: the ZNS route at the sandbox root takes a user id or a phone,
// needs no follower, and answers msg_id (and message_id, the same).
func TestZNS(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	tu := w.sim.CreateUser("Tú", false)
	type answer struct {
		Error int `json:"error"`
		Data  struct {
			MsgID      string `json:"msg_id"`
			MessageID  string `json:"message_id"`
			SentTime   string `json:"sent_time"`
			UserID     string `json:"user_id"`
			TrackingID string `json:"tracking_id"`
		} `json:"data"`
	}
	send := func(body string) answer {
		b, _ := w.oa(t, "POST", "/message/template", body)
		var a answer
		require.NoError(t, json.Unmarshal([]byte(b), &a), b)
		return a
	}

	a := send(`{"user_id":"` + tu.OAUserID + `","template_id":"230918","template_data":{"so_tien":"+599.000 VND","amount":599000},"tracking_id":"txn-42"}`)
	require.Zero(t, a.Error, "a non-follower gets ZNS")
	require.NotEmpty(t, a.Data.MsgID)
	require.Equal(t, a.Data.MsgID, a.Data.MessageID)
	require.Equal(t, tu.OAUserID, a.Data.UserID)
	require.Equal(t, "txn-42", a.Data.TrackingID)
	require.NotEmpty(t, a.Data.SentTime)
	inbox := w.sim.Inbox(tu.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, zalosim.KindZNS, inbox[0].Kind)
	require.Equal(t, "[zns 230918]\namount: 599000\nso_tien: +599.000 VND", inbox[0].Text)
	require.Equal(t, "txn-42", inbox[0].TrackingID)

	a = send(`{"phone":"84912345678","template_id":"230918","template_data":{"so_tien":"+1 VND"}}`)
	require.Zero(t, a.Error, "a phone needs no sandbox user")
	require.Empty(t, a.Data.UserID)
	_, body, _ := w.do(t, "GET", "/_sandbox/messages", "", "")
	var all struct {
		Items []zalosim.Message `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &all))
	require.Len(t, all.Items, 2)
	require.Equal(t, "84912345678", all.Items[1].Phone)
	require.Empty(t, all.Items[1].UserID)
	require.Equal(t, zalosim.KindZNS, all.Items[1].Kind)

	for name, bad := range map[string]string{
		"no template":      `{"phone":"84912345678","template_data":{}}`,
		"no recipient":     `{"template_id":"1","template_data":{}}`,
		"unknown user":     `{"user_id":"42","template_id":"1","template_data":{}}`,
		"bad phone":        `{"phone":"call me","template_id":"1","template_data":{}}`,
		"not JSON":         `{"phone"`,
		"data not strings": `{"phone":"84912345678","template_id":"1","template_data":[1]}`,
	} {
		require.Equal(t, -201, send(bad).Error, name)
	}
	_, body, _ = w.do(t, "POST", "/message/template", "application/json", `{"phone":"84912345678","template_id":"1"}`)
	require.Equal(t, -216, zaloCode(t, body), "ZNS checks the access_token header too")
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
