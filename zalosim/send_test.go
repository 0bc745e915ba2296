package zalosim_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// oaAnswer is the answer of cs and of a template by user id.
type oaAnswer struct {
	Error int `json:"error"`
	Data  struct {
		MessageID string `json:"message_id"`
		UserID    string `json:"user_id"`
		SentTime  string `json:"sent_time"`
		Quota     struct {
			QuotaType string `json:"quota_type"`
			Remain    int    `json:"remain"`
		} `json:"quota"`
	} `json:"data"`
}

// TestCSAnswer: a cs message answers Zalo 2026's shape: message_id,
// user_id, sent_time, and its quota, reward (free) within 48 h of the last
// interaction and purchase (charged) after, with no cap (-1).
func TestCSAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T23:30:00+07:00")
	lan := w.sim.CreateUser("Lan", true)
	send := func() oaAnswer {
		body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "Chào Lan"))
		var a oaAnswer
		require.NoError(t, json.Unmarshal([]byte(body), &a), body)
		require.Zero(t, a.Error, body)
		return a
	}
	a := send()
	require.Equal(t, lan.OAUserID, a.Data.UserID)
	require.Equal(t, w.sim.Inbox(lan.OAUserID)[0].MessageID, a.Data.MessageID)
	require.Equal(t, strconv.FormatInt(w.sim.Inbox(lan.OAUserID)[0].ReceivedAt.UnixMilli(), 10), a.Data.SentTime)
	require.Equal(t, "reward_quota", a.Data.Quota.QuotaType, "free within 48 h")
	require.Equal(t, -1, a.Data.Quota.Remain)
	require.Equal(t, "Chào Lan", w.sim.Inbox(lan.OAUserID)[0].Text)

	w.sim.SetClock(w.sim.Now().Add(49 * time.Hour))
	require.Equal(t, "purchase_quota", send().Data.Quota.QuotaType, "charged from 48 h to 7 days")
}

// TestTemplateByUID: a template by user id reaches any user of the OA,
// follower or not, however long ago they last interacted; the body may
// nest the id as recipient.user_id; the inbox shows the template's name
// then one line per parameter, in the template's order.
func TestTemplateByUID(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "356701")
	follower, stranger := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", false)
	require.True(t, w.sim.SetLastInteraction(follower.OAUserID, time.Now().Add(-10*24*time.Hour)))

	body, _ := w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(follower.OAUserID, "356701",
		`{"noi_dung":"đơn 42","so_tien":"+599.000 VND","extra":"ignored"}`))
	var a oaAnswer
	require.NoError(t, json.Unmarshal([]byte(body), &a), body)
	require.Zero(t, a.Error, "a follower quiet for 10 days gets a template: %s", body)
	require.Equal(t, follower.OAUserID, a.Data.UserID)
	require.NotEmpty(t, a.Data.SentTime)
	require.Equal(t, "purchase_quota", a.Data.Quota.QuotaType)
	require.Equal(t, 99_999, a.Data.Quota.Remain, "the OA's daily template quota, one spent")
	inbox := w.sim.Inbox(follower.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, a.Data.MessageID, inbox[0].MessageID)
	require.Equal(t, zalosim.KindTemplate, inbox[0].Kind)
	require.Equal(t, "356701", inbox[0].TemplateID)
	require.Equal(t, "Biến động số dư\nso_tien: +599.000 VND\nnoi_dung: đơn 42", inbox[0].Text)

	body, _ = w.oa(t, "POST", "/v3.0/oa/message/template",
		`{"recipient":{"user_id":"`+stranger.OAUserID+`"},"template_id":"356701","template_data":{"so_tien":12000}}`)
	require.Zero(t, zaloCode(t, body), "a non-follower, by the nested shape: %s", body)
	require.Equal(t, "Biến động số dư\nso_tien: 12000\nnoi_dung: ", w.sim.Inbox(stranger.OAUserID)[0].Text,
		"a number shows as written; an optional parameter left out shows empty")
}

// TestTemplateRefusals: the rules of a template send, by user id and by
// phone, each with its code.
func TestTemplateRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "ok")
	w.putTemplate(t, "pending", `"ENABLE"`, `"PENDING_REVIEW"`)
	w.putTemplate(t, "rejected", `"ENABLE"`, `"REJECT"`)
	w.putTemplate(t, "disabled", `"ENABLE"`, `"DISABLE"`, `"HIGH"`, `"LOW"`)
	w.putTemplate(t, "phone-only", `"price_uid":200`, `"price_uid":0,"sendable_by_uid":false`)
	lan := w.sim.CreateUser("Lan", true)
	require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	// "ê" written as e + a combining circumflex: 2 code points, 1 after NFC.
	decomposed := strings.Repeat("e\u0302", 10)
	for _, tc := range []struct {
		name, template, data string
		byUID, byPhone       int
	}{
		{"sent", "ok", `{"so_tien":"+1 VND"}`, 0, 0},
		{"no such template", "nope", `{"so_tien":"+1 VND"}`, -201, -201},
		{"pending review", "pending", `{"so_tien":"+1 VND"}`, -201, -201},
		{"rejected", "rejected", `{"so_tien":"+1 VND"}`, -201, -201},
		{"disabled for its quality", "disabled", `{"so_tien":"+1 VND"}`, -146, -146},
		{"not sendable by user id", "phone-only", `{"so_tien":"+1 VND"}`, -249, 0},
		{"required parameter missing", "ok", `{"noi_dung":"x"}`, -201, -201},
		{"required parameter blank", "ok", `{"so_tien":"  "}`, -201, -201},
		{"no template_data", "ok", `null`, -201, -201},
		{"template_data not an object", "ok", `["+1 VND"]`, -201, -201},
		{"exactly max_length", "ok", `{"so_tien":"12345678901234567890"}`, 0, 0},
		{"one over max_length", "ok", `{"so_tien":"123456789012345678901"}`, -210, -210},
		{"max_length counts characters after NFC", "ok", `{"so_tien":"1","noi_dung":"` + decomposed + `"}`, 0, 0},
		{"an optional parameter too long", "ok", `{"so_tien":"1","noi_dung":"` + decomposed + `e"}`, -210, -210},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, tc.template, tc.data))
			require.Equal(t, tc.byUID, zaloCode(t, body), "by user id: %s", body)
			body, _ = w.oa(t, "POST", "/message/template", phoneBody("84901234567", tc.template, tc.data, "t"))
			require.Equal(t, tc.byPhone, zaloCode(t, body), "by phone: %s", body)
		})
	}
	require.Contains(t, w.sim.Inbox(lan.OAUserID)[len(w.sim.Inbox(lan.OAUserID))-1].Text, "noi_dung: "+strings.Repeat("ê", 10),
		"the inbox shows the value normalised")

	for name, body := range map[string]string{
		"unknown user":   templateBody("42", "ok", `{"so_tien":"1"}`),
		"no user":        `{"template_id":"ok","template_data":{"so_tien":"1"}}`,
		"no template_id": `{"user_id":"` + lan.OAUserID + `","template_data":{"so_tien":"1"}}`,
		"not JSON":       `{"user_id"`,
	} {
		ans, _ := w.oa(t, "POST", "/v3.0/oa/message/template", body)
		require.Equal(t, -201, zaloCode(t, ans), name)
	}
	for name, body := range map[string]string{
		"a phone starting 0":      phoneBody("0901234567", "ok", `{"so_tien":"1"}`, "t"),
		"a phone with a plus":     phoneBody("+84901234567", "ok", `{"so_tien":"1"}`, "t"),
		"no phone":                `{"template_id":"ok","template_data":{"so_tien":"1"}}`,
		"no template_id":          `{"phone":"84901234567","template_data":{"so_tien":"1"}}`,
		"tracking_id over 48":     phoneBody("84901234567", "ok", `{"so_tien":"1"}`, strings.Repeat("x", 49)),
		"a user id, not a phone":  templateBody(lan.OAUserID, "ok", `{"so_tien":"1"}`),
		"not JSON":                `{"phone"`,
		"template_data a string":  `{"phone":"84901234567","template_id":"ok","template_data":"x"}`,
		"template_data malformed": `{"phone":"84901234567","template_id":"ok","template_data":{"so_tien":}}`,
	} {
		ans, _ := w.oa(t, "POST", "/message/template", body)
		require.Equal(t, -201, zaloCode(t, ans), name)
	}
	ans, _ := w.oa(t, "POST", "/message/template", phoneBody("84901234567", "ok", `{"so_tien":"1"}`, strings.Repeat("x", 48)))
	require.Zero(t, zaloCode(t, ans), "a tracking_id of 48 characters")
	_, ans, _ = w.do(t, "POST", "/message/template", "application/json", phoneBody("84901234567", "ok", `{"so_tien":"1"}`, "t"))
	require.Equal(t, -216, zaloCode(t, ans), "the ZNS host checks the access_token header too")
}

// TestTemplateByPhone: the user with that phone gets it in their inbox
// (kind template_phone), then a signed user_received_message tells of it
// with our tracking_id; a phone no user has is accepted, logged, and
// received by nobody.
func TestTemplateByPhone(t *testing.T) {
	t.Parallel()
	w, h := hookedWorld(t, zalosim.Config{})
	w.putTemplate(t, "356701")
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	tu := w.sim.CreateUser("Tú", false)
	status, body, _ := w.do(t, "PUT", "/_sandbox/users/"+tu.OAUserID, "application/json", `{"phone":"84901234567"}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `"phone":"84901234567"`)

	body, _ = w.oa(t, "POST", "/message/template", phoneBody("84901234567", "356701", `{"so_tien":"+599.000 VND"}`, "txn-42"))
	var a struct {
		Error int `json:"error"`
		Data  struct {
			MsgID    string `json:"msg_id"`
			SentTime string `json:"sent_time"`
			Quota    struct {
				DailyQuota     string `json:"dailyQuota"`
				RemainingQuota string `json:"remainingQuota"`
			} `json:"quota"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &a), body)
	require.Zero(t, a.Error, body)
	require.NotEmpty(t, a.Data.MsgID)
	require.Equal(t, "100000", a.Data.Quota.DailyQuota)
	require.Equal(t, "99999", a.Data.Quota.RemainingQuota)
	inbox := w.sim.Inbox(tu.OAUserID)
	require.Len(t, inbox, 1, "a non-follower is reached by phone")
	require.Equal(t, zalosim.KindTemplatePhone, inbox[0].Kind)
	require.Equal(t, a.Data.MsgID, inbox[0].MessageID)
	require.Equal(t, "Biến động số dư\nso_tien: +599.000 VND\nnoi_dung: ", inbox[0].Text)

	e := h.next(t)
	require.Equal(t, "user_received_message", e["event_name"])
	require.Equal(t, "1", e["app_id"])
	require.Equal(t, map[string]any{"id": "84901234567"}, e["recipient"], "recipient.id is the phone")
	require.Equal(t, map[string]any{"msg_id": a.Data.MsgID, "tracking_id": "txn-42", "delivery_time": a.Data.SentTime}, e["message"])
	sent, err := strconv.ParseInt(a.Data.SentTime, 10, 64)
	require.NoError(t, err)
	stamp, err := strconv.ParseInt(e["timestamp"].(string), 10, 64)
	require.NoError(t, err)
	require.WithinDuration(t, time.UnixMilli(sent), time.UnixMilli(stamp), time.Second, "by the sandbox clock")
	require.WithinDuration(t, time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC), time.UnixMilli(sent), time.Second)

	body, _ = w.oa(t, "POST", "/message/template", phoneBody("84912345678", "356701", `{"so_tien":"+1 VND"}`, "txn-43"))
	require.Zero(t, zaloCode(t, body), "a phone no sandbox user has")
	h.none(t)
	_, body, _ = w.do(t, "GET", "/_sandbox/messages", "", "")
	var all struct {
		Items []zalosim.Message `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &all))
	require.Len(t, all.Items, 2)
	require.Equal(t, "84912345678", all.Items[1].Phone)
	require.Equal(t, "txn-43", all.Items[1].TrackingID)
	require.Empty(t, all.Items[1].UserID)
	require.Equal(t, zalosim.KindTemplatePhone, all.Items[1].Kind)
	require.Len(t, w.sim.Inbox(tu.OAUserID), 1)
}

// TestPhones: PUT /_sandbox/users/{id} sets or removes a phone; a number
// belongs to one user; SetPhone is the same in process.
func TestPhones(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	lan, tu := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", true)
	put := func(id, body string) (int, string) {
		status, ans, _ := w.do(t, "PUT", "/_sandbox/users/"+id, "application/json", body)
		return status, ans
	}
	status, body := put(lan.OAUserID, `{"phone":"84901234567","last_interaction_at":"2026-02-01T09:00:00+07:00"}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `"phone":"84901234567"`)
	require.Contains(t, body, `"last_interaction_at":"2026-02-01T02:00:00Z"`, "both at once")

	status, body = put(tu.OAUserID, `{"phone":"84901234567"}`)
	require.Equal(t, http.StatusConflict, status, body)
	require.Equal(t, "84901234567", mustUser(t, w, lan.OAUserID).Phone)
	status, _ = put(lan.OAUserID, `{"phone":"84901234567"}`)
	require.Equal(t, http.StatusOK, status, "her own number again")
	for _, bad := range []string{`{"phone":"0901234567"}`, `{"phone":"84 901 234 567"}`, `{"phone":84901234567}`} {
		status, _ = put(tu.OAUserID, bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}
	status, _ = put(lan.OAUserID, `{"phone":"84901234567","last_interaction_at":"yesterday"}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = put("nobody", `{"phone":"84901234568"}`)
	require.Equal(t, http.StatusNotFound, status)

	status, body = put(lan.OAUserID, `{"phone":null}`)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"phone":""`)
	require.NoError(t, w.sim.SetPhone(tu.OAUserID, "84901234567"), "free again")
	require.Error(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	require.Error(t, w.sim.SetPhone("nobody", ""))
	require.NoError(t, w.sim.SetPhone(tu.OAUserID, ""))
}

func mustUser(t *testing.T, w world, id string) zalosim.User {
	t.Helper()
	_, body, _ := w.do(t, "GET", "/_sandbox/users", "", "")
	var list struct {
		Items []zalosim.User `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	for _, u := range list.Items {
		if u.OAUserID == id {
			return u
		}
	}
	t.Fatalf("no user %s", id)
	return zalosim.User{}
}
