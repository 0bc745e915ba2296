package zalosim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestSeenReceipt: "seen" sends one signed user_seen_message with the ids
// of the cs and template (by user id) messages not seen before, and marks
// them seen in the inbox; templates by phone are not in it, and seeing
// again with nothing new sends nothing.
func TestSeenReceipt(t *testing.T) {
	t.Parallel()
	w, h := hookedWorld(t, zalosim.Config{})
	w.putTemplate(t, "tpl")
	lan := w.sim.CreateUser("Lan", false)
	require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	_, ok := w.sim.UserSendsText(lan.OAUserID, "chào shop")
	require.True(t, ok)
	h.next(t) // user_send_text

	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "một"))
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"+1 VND"}`))
	w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"+2 VND"}`, "t"))
	require.Equal(t, "user_received_message", h.next(t)["event_name"])
	inbox := w.sim.Inbox(lan.OAUserID)
	require.Len(t, inbox, 3)

	status, body, _ := w.do(t, "POST", "/_sandbox/users/"+lan.OAUserID+"/seen", "", "")
	require.Equal(t, http.StatusOK, status)
	var ans struct {
		MsgIDs        []string `json:"msg_ids"`
		WebhookStatus int      `json:"webhook_status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.Equal(t, []string{inbox[0].MessageID, inbox[1].MessageID}, ans.MsgIDs)
	require.Equal(t, http.StatusOK, ans.WebhookStatus)
	e := h.next(t)
	require.Equal(t, "user_seen_message", e["event_name"])
	require.Equal(t, map[string]any{"id": lan.OAUserID}, e["sender"], "the user saw")
	require.Equal(t, map[string]any{"id": "579745863508352884"}, e["recipient"])
	require.Equal(t, lan.AppUserID, e["user_id_by_app"])
	require.Equal(t, map[string]any{"msg_ids": []any{inbox[0].MessageID, inbox[1].MessageID}}, e["message"])

	_, body, _ = w.do(t, "GET", "/_sandbox/users/"+lan.OAUserID+"/inbox", "", "")
	var items struct {
		Items []struct {
			SeenAt *string `json:"seen_at"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &items))
	require.NotNil(t, items.Items[0].SeenAt)
	require.NotNil(t, items.Items[1].SeenAt)
	require.Nil(t, items.Items[2].SeenAt, "a template by phone is not seen this way")

	_, body, _ = w.do(t, "POST", "/_sandbox/users/"+lan.OAUserID+"/seen", "", "")
	require.JSONEq(t, `{"msg_ids":[],"webhook_status":0}`, body, "nothing new")
	h.none(t)
	w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hai"))
	ids, status, ok := w.sim.Seen(lan.OAUserID)
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []string{w.sim.Inbox(lan.OAUserID)[3].MessageID}, ids, "only the new one")
	require.Len(t, h.next(t)["message"].(map[string]any)["msg_ids"], 1)

	status, _, _ = w.do(t, "POST", "/_sandbox/users/nobody/seen", "", "")
	require.Equal(t, http.StatusNotFound, status)
	status, _, hdr := w.form(t, "/_sandbox/users/"+lan.OAUserID+"/seen", url.Values{})
	require.Equal(t, http.StatusSeeOther, status, "the page's button")
	require.Equal(t, "/_sandbox", hdr.Get("Location"))
}

// TestMessageStatus: message/status tells what became of a template by
// phone: 1 delivered (with delivery_time), 0 pushed but not delivered (a
// phone no user has), -1 unknown (another id, another phone, another kind).
func TestMessageStatus(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "tpl")
	lan := w.sim.CreateUser("Lan", true)
	require.NoError(t, w.sim.SetPhone(lan.OAUserID, "84901234567"))
	msgID := func(body string) string {
		var a struct {
			Data struct {
				MsgID     string `json:"msg_id"`
				MessageID string `json:"message_id"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &a), body)
		return a.Data.MsgID + a.Data.MessageID
	}
	body, _ := w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t1"))
	delivered := msgID(body)
	body, _ = w.oa(t, "POST", "/message/template", phoneBody("84999999999", "tpl", `{"so_tien":"1"}`, "t2"))
	nobody := msgID(body)
	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	cs := msgID(body)

	type status struct {
		Error int `json:"error"`
		Data  struct {
			Status       int    `json:"status"`
			DeliveryTime string `json:"delivery_time"`
		} `json:"data"`
	}
	ask := func(q url.Values) status {
		body, _ := w.oa(t, "GET", "/message/status?"+q.Encode(), "")
		var s status
		require.NoError(t, json.Unmarshal([]byte(body), &s), body)
		return s
	}
	s := ask(url.Values{"message_id": {delivered}})
	require.Zero(t, s.Error)
	require.Equal(t, 1, s.Data.Status)
	require.Equal(t, strconv.FormatInt(w.sim.Inbox(lan.OAUserID)[0].ReceivedAt.UnixMilli(), 10), s.Data.DeliveryTime)
	require.Equal(t, 1, ask(url.Values{"message_id": {delivered}, "phone": {"84901234567"}}).Data.Status)
	s = ask(url.Values{"message_id": {nobody}})
	require.Equal(t, 0, s.Data.Status, "pushed, never delivered")
	require.Empty(t, s.Data.DeliveryTime)
	for name, q := range map[string]url.Values{
		"unknown id":    {"message_id": {"nope"}},
		"another phone": {"message_id": {delivered}, "phone": {"84999999999"}},
		"a cs message":  {"message_id": {cs}},
	} {
		require.Equal(t, -1, ask(q).Data.Status, name)
	}
	require.Equal(t, -201, ask(url.Values{}).Error, "message_id is required")
	require.Equal(t, 7, w.sim.Stats().Calls[zalosim.KindStatus], "every question counted, the refused one too")
}
