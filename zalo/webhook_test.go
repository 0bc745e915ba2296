package zalo_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

const textEvent = `{"app_id":"4321","sender":{"id":"6692434038037790072"},"recipient":{"id":"579745863508352884"},"user_id_by_app":"3368637342326461234","event_name":"user_send_text","message":{"text":"/invite: ABC123","msg_id":"msg-1"},"timestamp":"1700000000000"}`

// vector computes the signature from ZALO.md's formula, independently of
// the code under test: hex(SHA-256(app_id + raw body + timestamp + secret)).
func vector(appID, body, timestamp, secret string) string {
	sum := sha256.Sum256([]byte(appID + body + timestamp + secret))
	return "mac=" + hex.EncodeToString(sum[:])
}

func TestVerifyWebhook(t *testing.T) {
	sig := vector("4321", textEvent, "1700000000000", "oa-secret")
	require.NoError(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), sig))

	require.ErrorIs(t, zalo.VerifyWebhook("4321", "other", []byte(textEvent), sig), zalo.ErrBadSignature)
	require.ErrorIs(t, zalo.VerifyWebhook("4322", "oa-secret", []byte(textEvent), sig), zalo.ErrBadSignature)
	flipped := []byte(textEvent)
	flipped[40] ^= 1
	require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", flipped, sig), zalo.ErrBadSignature)
	require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), sig[4:]), zalo.ErrMalformedWebhook)
	require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", []byte("not json"), sig), zalo.ErrMalformedWebhook)
}

func TestParseEvent(t *testing.T) {
	ev, err := zalo.ParseEvent([]byte(textEvent))
	require.NoError(t, err)
	require.Equal(t, zalo.Event{
		Kind: zalo.EventUserSendText, Name: "user_send_text", AppID: "4321", OAID: "579745863508352884",
		UserID: "6692434038037790072", UserIDByApp: "3368637342326461234", Text: "/invite: ABC123", MsgID: "msg-1",
		Timestamp: time.UnixMilli(1700000000000), DedupKey: "msg-1",
	}, ev)

	follow := `{"oa_id":"1","follower":{"id":2},"user_id_by_app":"3","event_name":"follow","app_id":"4321","timestamp":1700000000000}`
	ev, err = zalo.ParseEvent([]byte(follow))
	require.NoError(t, err)
	require.Equal(t, zalo.EventFollow, ev.Kind)
	require.Equal(t, "2", ev.UserID, "numeric ids are accepted too")
	require.Len(t, ev.DedupKey, 64, "no msg_id: the body's hash")

	ev, err = zalo.ParseEvent([]byte(`{"event_name":"user_seen_message","sender":{"id":"1"}}`))
	require.NoError(t, err)
	require.Equal(t, zalo.EventIgnored, ev.Kind)

	for _, bad := range []string{``, `[]`, `{}`, `{"event_name":"follow"}`, `{"event_name":"follow","follower":{"id":{}}}`} {
		_, err := zalo.ParseEvent([]byte(bad))
		require.Error(t, err, bad)
	}
}

// TestSandboxWebhooksVerify: what the sandbox sends is what Zalo sends, and
// a receiver that fails first gets the same event again.
func TestSandboxWebhooksVerify(t *testing.T) {
	t.Parallel()
	got := make(chan []byte, 10)
	calls := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		require.NoError(t, zalo.VerifyWebhook("4321", "oa-secret", body, r.Header.Get("X-ZEvent-Signature")))
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		got <- body
	}))
	defer recv.Close()
	sim := zalosim.New(zalosim.Config{AppID: "4321", OASecretKey: "oa-secret", WebhookURL: recv.URL})
	defer sim.Close()

	u := sim.CreateUser("Lan", true) // the follow webhook fails once, then is redelivered
	body := <-got
	ev, err := zalo.ParseEvent(body)
	require.NoError(t, err)
	require.Equal(t, zalo.EventFollow, ev.Kind)
	require.Equal(t, u.OAUserID, ev.UserID)
	require.Equal(t, u.AppUserID, ev.UserIDByApp)

	status, ok := sim.UserSendsText(u.OAUserID, "/invite: XYZ")
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status)
	ev, err = zalo.ParseEvent(<-got)
	require.NoError(t, err)
	require.Equal(t, zalo.EventUserSendText, ev.Kind)
	require.Equal(t, "/invite: XYZ", ev.Text)
	require.NotEmpty(t, ev.MsgID)
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(textEvent))
	f.Add([]byte(`{"event_name":"follow","follower":{"id":"1"},"timestamp":"x"}`))
	f.Add([]byte(`{"event_name":"unfollow","follower":{"id":1.5e3}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := zalo.ParseEvent(body)
		if err != nil {
			return
		}
		require.NotEmpty(t, ev.DedupKey)
		if ev.Kind != zalo.EventIgnored {
			require.NotEmpty(t, ev.UserID)
		}
	})
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(textEvent), vector("4321", textEvent, "1700000000000", "oa-secret"))
	f.Add([]byte(`{"timestamp":"1"}`), "mac=00")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		if zalo.VerifyWebhook("4321", "oa-secret", body, header) != nil {
			return
		}
		// Accepted: the header must hold exactly this body's signature.
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var fields map[string]any
		require.NoError(t, dec.Decode(&fields))
		want := vector("4321", string(body), fmt.Sprint(fields["timestamp"]), "oa-secret")
		require.True(t, strings.EqualFold(want, strings.TrimSpace(header)), "accepted %q for %q", header, body)
	})
}
