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
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

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

// eventAt is textEvent's timestamp.
var eventAt = time.UnixMilli(1700000000000)

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	sig := vector("4321", textEvent, "1700000000000", "oa-secret")
	require.NoError(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), sig, eventAt, 0))
	require.NoError(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), " mac="+strings.ToUpper(sig[4:])+" ", eventAt, 0))

	require.ErrorIs(t, zalo.VerifyWebhook("4321", "other", []byte(textEvent), sig, eventAt, 0), zalo.ErrBadSignature)
	require.ErrorIs(t, zalo.VerifyWebhook("4322", "oa-secret", []byte(textEvent), sig, eventAt, 0), zalo.ErrBadSignature)
	for i := range len(textEvent) * 8 {
		flipped := []byte(textEvent)
		flipped[i/8] ^= 1 << (i % 8)
		require.Error(t, zalo.VerifyWebhook("4321", "oa-secret", flipped, sig, eventAt, 0), "body bit %d", i)
	}
	for i := range (len(sig) - 4) * 4 {
		mac := []byte(sig[4:])
		pos := i / 4
		mac[pos] = "0123456789abcdef"[(hexValue(mac[pos])^(1<<(i%4)))&0xf]
		require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), "mac="+string(mac), eventAt, 0), zalo.ErrBadSignature, "signature bit %d", i)
	}

	for name, header := range map[string]string{
		"no mac= prefix": sig[4:], "empty": "", "not hex": "mac=" + strings.Repeat("zz", 32),
		"too short": sig[:len(sig)-2], "too long": sig + "00", "sha1 length": "mac=" + strings.Repeat("ab", 20),
	} {
		require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), header, eventAt, 0), zalo.ErrMalformedWebhook, name)
	}
	for _, body := range []string{"not json", "[]", "null", `{"event_name":"follow"}`, `{"timestamp":""}`, `{"timestamp":{}}`} {
		require.ErrorIs(t, zalo.VerifyWebhook("4321", "oa-secret", []byte(body), sig, eventAt, 0), zalo.ErrMalformedWebhook, body)
	}
}

// TestVerifyWebhookRefusesReplaysAndEmptySecrets: a signature made with
// public values only (no secret) is never accepted, and a validly signed
// event from long ago, or from the future, is a replay.
func TestVerifyWebhookRefusesReplaysAndEmptySecrets(t *testing.T) {
	t.Parallel()
	sig := vector("4321", textEvent, "1700000000000", "oa-secret")
	require.ErrorIs(t, zalo.VerifyWebhook("4321", "", []byte(textEvent), vector("4321", textEvent, "1700000000000", ""), eventAt, 0), zalo.ErrNoSecret)
	require.ErrorIs(t, zalo.VerifyWebhook("", "oa-secret", []byte(textEvent), sig, eventAt, 0), zalo.ErrNoSecret)
	for name, tc := range map[string]struct {
		now  time.Time
		want error
	}{
		"just received":            {eventAt.Add(time.Second), nil},
		"a day old, limit a day":   {eventAt.Add(24*time.Hour - time.Second), nil},
		"older than the limit":     {eventAt.Add(24*time.Hour + time.Second), zalo.ErrStale},
		"within a minute ahead":    {eventAt.Add(-59 * time.Second), nil},
		"more than a minute ahead": {eventAt.Add(-61 * time.Second), zalo.ErrStale},
	} {
		err := zalo.VerifyWebhook("4321", "oa-secret", []byte(textEvent), sig, tc.now, 24*time.Hour)
		if tc.want == nil {
			require.NoError(t, err, name)
		} else {
			require.ErrorIs(t, err, tc.want, name)
		}
	}
}

func hexValue(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
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

	ev, err = zalo.ParseEvent([]byte(`{"event_name":"user_send_image","sender":{"id":"1"},"message":{"msg_id":"m9","attachments":[{"type":"image"}]}}`))
	require.NoError(t, err)
	require.Equal(t, zalo.EventUserAction, ev.Kind, "any other thing the user does is an interaction")
	require.Equal(t, "1", ev.UserID)
	require.Equal(t, "m9", ev.DedupKey)
	_, err = zalo.ParseEvent([]byte(`{"event_name":"user_submit_info"}`))
	require.ErrorIs(t, err, zalo.ErrMalformedWebhook, "an interaction of no one")

	ev, err = zalo.ParseEvent([]byte(`{"event_name":"user_seen_message","sender":{"id":"1"},"message":{"msg_ids":["m1","m2"]},"timestamp":"1700000000000"}`))
	require.NoError(t, err)
	require.Equal(t, zalo.EventSeen, ev.Kind, "seeing is a receipt, not an interaction")
	require.Equal(t, []string{"m1", "m2"}, ev.MsgIDs)
	require.Len(t, ev.DedupKey, 64)
	ev, err = zalo.ParseEvent([]byte(`{"event_name":"user_received_message","recipient":{"id":"84912345678"},
		"message":{"msg_id":"z1","tracking_id":"d-1","delivery_time":"1700000001000"},"timestamp":"1700000001000"}`))
	require.NoError(t, err)
	require.Equal(t, zalo.EventReceived, ev.Kind)
	require.Equal(t, "d-1", ev.TrackingID)
	require.Equal(t, time.UnixMilli(1700000001000), ev.DeliveredAt)
	require.Equal(t, "received:z1", ev.DedupKey, "not the message's own id, which the send recorded")
	ev, err = zalo.ParseEvent([]byte(`{"event_name":"change_template_status","template_id":"230918","status":"DISABLE","timestamp":"1"}`))
	require.NoError(t, err)
	require.Equal(t, zalo.EventTemplateChanged, ev.Kind)
	require.Equal(t, "230918", ev.TemplateID)

	for body, dedup := range map[string]string{
		`{"event_name":"oa_send_text","message":"a shape we never saw","timestamp":[1]}`: "",
	} {
		ev, err = zalo.ParseEvent([]byte(body))
		require.NoError(t, err, body)
		require.Equal(t, zalo.EventIgnored, ev.Kind, "unknown events are acknowledged and ignored")
		if dedup != "" {
			require.Equal(t, dedup, ev.DedupKey)
		}
	}

	for _, bad := range []string{``, `null`, `[]`, `{}`, `{"event_name":""}`, `{"event_name":7}`, `{"event_name":"follow"}`,
		`{"event_name":"follow","follower":{"id":{}}}`, `{"event_name":"user_send_text","follower":{"id":"1"}}`,
		`{"event_name":"user_received_message","message":{"msg_id":"z1"}}`, `{"event_name":"change_template_quality"}`} {
		_, err := zalo.ParseEvent([]byte(bad))
		require.ErrorIs(t, err, zalo.ErrMalformedWebhook, bad)
	}
}

type received struct {
	body      []byte
	signature string
}

// TestSandboxWebhooksVerify: what the sandbox sends is what Zalo sends, and
// a receiver that fails first gets the same event again.
func TestSandboxWebhooksVerify(t *testing.T) {
	t.Parallel()
	got := make(chan received, 10)
	var calls atomic.Int32
	// A path of its own: under a parallel `go test ./...` another test's
	// stack may still be retrying a request to a port this server reuses.
	const hookPath = "/hooks/zalo-sandbox-verify"
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != hookPath {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		got <- received{body, r.Header.Get("X-ZEvent-Signature")}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer recv.Close()
	sim := zalosim.New(zalosim.Config{AppID: "4321", OASecretKey: "oa-secret", WebhookURL: recv.URL + hookPath})
	defer sim.Close()
	next := func() received {
		t.Helper()
		select {
		case r := <-got:
			require.NoError(t, zalo.VerifyWebhook("4321", "oa-secret", r.body, r.signature, time.Now(), time.Minute))
			require.ErrorIs(t, zalo.VerifyWebhook("4321", "app-secret", r.body, r.signature, time.Now(), time.Minute), zalo.ErrBadSignature)
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook arrived")
			return received{}
		}
	}

	start := time.Now()
	u := sim.CreateUser("Lan", true) // the follow webhook fails once, then is redelivered
	first, second := next(), next()
	require.Equal(t, first, second, "a redelivery is the same body, signed alike")
	require.GreaterOrEqual(t, time.Since(start), time.Second, "after a back-off")
	ev, err := zalo.ParseEvent(second.body)
	require.NoError(t, err)
	require.Equal(t, zalo.Event{
		Kind: zalo.EventFollow, Name: "follow", AppID: "4321", OAID: ev.OAID, UserID: u.OAUserID,
		UserIDByApp: u.AppUserID, Timestamp: ev.Timestamp, DedupKey: ev.DedupKey,
	}, ev)
	require.NotEmpty(t, ev.OAID)
	require.WithinDuration(t, time.Now(), ev.Timestamp, time.Minute)
	sum := sha256.Sum256(second.body)
	require.Equal(t, hex.EncodeToString(sum[:]), ev.DedupKey, "no msg_id: the body's hash")

	status, ok := sim.UserSendsText(u.OAUserID, "/invite: XYZ")
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status, "the first attempt is made before the call returns")
	text := next()
	ev, err = zalo.ParseEvent(text.body)
	require.NoError(t, err)
	require.Equal(t, zalo.EventUserSendText, ev.Kind)
	require.Equal(t, "/invite: XYZ", ev.Text)
	require.Equal(t, u.OAUserID, ev.UserID)
	require.Equal(t, u.AppUserID, ev.UserIDByApp)
	require.Equal(t, "4321", ev.AppID)
	require.NotEmpty(t, ev.OAID, "user_send_text carries the OA as recipient.id")
	require.NotEmpty(t, ev.MsgID)
	require.Equal(t, ev.MsgID, ev.DedupKey)

	_, status, ok = sim.Follow(u.OAUserID, false)
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status)
	ev, err = zalo.ParseEvent(next().body)
	require.NoError(t, err)
	require.Equal(t, zalo.EventUnfollow, ev.Kind)
	require.Equal(t, u.OAUserID, ev.UserID)
	require.Empty(t, got, "nothing else was sent")
	require.EqualValues(t, 4, calls.Load())
}

// FuzzParseEvent: any body gives an event or an error, never a panic; and
// an event built from arbitrary fields reads back as those fields.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(textEvent), "user_send_text", "1", "/invite: ABC", "m1", int64(1700000000000))
	f.Add([]byte(`{"event_name":"follow","follower":{"id":"1"},"timestamp":"x"}`), "follow", "2", "", "", int64(0))
	f.Add([]byte(`{"event_name":"unfollow","follower":{"id":1.5e3}}`), "unfollow", "", "", "", int64(-1))
	f.Add([]byte(`{"event_name":"user_send_image","message":{"attachments":[{}]}}`), "user_send_image", "3", "hi", "", int64(1))
	f.Add([]byte(`{"event_name":null,"sender":[],"message":"x","timestamp":{}}`), "", "4", "", "", int64(5))
	f.Fuzz(func(t *testing.T, body []byte, name, userID, text, msgID string, ms int64) {
		if ev, err := zalo.ParseEvent(body); err != nil {
			require.ErrorIs(t, err, zalo.ErrMalformedWebhook)
		} else {
			require.NotEmpty(t, ev.Name)
			require.NotEmpty(t, ev.DedupKey)
			if ev.Kind != zalo.EventIgnored {
				require.NotEmpty(t, ev.UserID)
			}
			if ev.Kind != zalo.EventIgnored && ev.Kind != zalo.EventUserAction {
				require.Equal(t, string(ev.Kind), ev.Name)
			}
		}

		for _, s := range []string{name, userID, text, msgID} {
			if !utf8.ValidString(s) {
				return // JSON cannot carry it unchanged
			}
		}
		raw := map[string]any{
			"app_id": "4321", "oa_id": "99", "event_name": name, "user_id_by_app": "7",
			"timestamp": strconv.FormatInt(ms, 10),
			"sender":    map[string]string{"id": userID}, "follower": map[string]string{"id": userID},
			"message": map[string]string{"text": text, "msg_id": msgID},
		}
		body, err := json.Marshal(raw)
		require.NoError(t, err)
		ev, err := zalo.ParseEvent(body)
		kind := zalo.EventKind(name)
		known := kind == zalo.EventFollow || kind == zalo.EventUnfollow || kind == zalo.EventUserSendText
		if !known && strings.HasPrefix(name, "user_") && name != "user_received_message" && name != "user_seen_message" {
			kind, known = zalo.EventUserAction, true
		}
		if name == "" || known && userID == "" {
			require.ErrorIs(t, err, zalo.ErrMalformedWebhook)
			return
		}
		require.NoError(t, err)
		want := zalo.Event{
			Kind: zalo.EventIgnored, Name: name, AppID: "4321", OAID: "99", UserIDByApp: "7",
			Text: text, MsgID: msgID, Timestamp: time.UnixMilli(ms), DedupKey: msgID,
		}
		if known {
			want.Kind, want.UserID = kind, userID
		}
		if msgID == "" {
			sum := sha256.Sum256(body)
			want.DedupKey = hex.EncodeToString(sum[:])
		}
		require.Equal(t, want, ev)
	})
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(textEvent), vector("4321", textEvent, "1700000000000", "oa-secret"))
	f.Add([]byte(`{"timestamp":"1"}`), "mac=00")
	f.Add([]byte(`{"timestamp":1700000000000}`), vector("4321", `{"timestamp":1700000000000}`, "1700000000000", "oa-secret"))
	f.Add([]byte(`{"Timestamp":"1"}`), vector("4321", `{"Timestamp":"1"}`, "1", "oa-secret"))
	f.Add([]byte(textEvent), strings.ToUpper(vector("4321", textEvent, "1700000000000", "oa-secret")))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		if zalo.VerifyWebhook("4321", "oa-secret", body, header, time.Unix(1<<40, 0), 0) != nil { // no age limit, and "now" after any timestamp
			return
		}
		// Accepted: the header must hold exactly this body's signature.
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var fields map[string]any
		require.NoError(t, dec.Decode(&fields))
		want := vector("4321", string(body), fmt.Sprint(fields["timestamp"]), "oa-secret")
		require.True(t, strings.EqualFold(want[4:], strings.TrimPrefix(strings.TrimSpace(header), "mac=")), "accepted %q for %q", header, body)
	})
}
