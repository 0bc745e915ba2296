package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/internal/metrics"
)

const (
	appID    = "1234567890"
	oaSecret = "oa-secret-key"
)

// Events as Zalo sends them: now, a week ago, and from the future.
var (
	nowMS    = strconv.FormatInt(time.Now().UnixMilli(), 10)
	followAt = func(ms string) string {
		return `{"oa_id":"579745863508352884","follower":{"id":"6692434038037790072"},"user_id_by_app":"3368637342326461234","event_name":"follow","source":"oa_profile","app_id":"1234567890","timestamp":"` + ms + `"}`
	}
	followRaw = followAt(nowMS)
	stale     = followAt(strconv.FormatInt(time.Now().Add(-7*24*time.Hour).UnixMilli(), 10))
	future    = followAt(strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10))
)

// sign computes X-ZEvent-Signature from ZALO.md's formula:
// mac = hex(SHA-256(app_id + raw body + timestamp + OA secret key)).
func sign(body, timestamp string) string {
	sum := sha256.Sum256([]byte(appID + body + timestamp + oaSecret))
	return "mac=" + hex.EncodeToString(sum[:])
}

// noSecret is the signature an attacker can make: of public values only.
func noSecret(body, timestamp string) string {
	sum := sha256.Sum256([]byte(appID + body + timestamp))
	return "mac=" + hex.EncodeToString(sum[:])
}

// stamp is the timestamp field of an event.
func stamp(body string) string {
	var ev struct {
		Timestamp string `json:"timestamp"`
	}
	_ = json.Unmarshal([]byte(body), &ev)
	return ev.Timestamp
}

func (f fixture) webhook(t *testing.T, body, signature string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", f.url+"/v1/webhooks/zalo", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-ZEvent-Signature", signature)
	}
	return f.send(t, req)
}

func (f fixture) events(t *testing.T) int {
	var n int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM zalo_events").Scan(&n))
	return n
}

// TestZaloWebhookRecordsAnEventOnceAndQueuesItsWorkflow: Zalo redelivers
// when it misses our 200; the event is recorded once, with one ZaloInbound
// queued in the outbox in the same transaction, and the 200 does not wait
// for Temporal.
func TestZaloWebhookRecordsAnEventOnceAndQueuesItsWorkflow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 2 {
		status, body := f.webhook(t, followRaw, sign(followRaw, nowMS))
		require.Equal(t, http.StatusOK, status, "body: %v", body)
	}
	require.Equal(t, 1, f.events(t))

	// The event has no msg_id, so its identity is the hash of its body.
	sum := sha256.Sum256([]byte(followRaw))
	var eventID, queued string
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT id::text FROM zalo_events WHERE dedup_key = $1", hex.EncodeToString(sum[:])).Scan(&eventID))
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT string_agg(kind || ':' || ref, ',') FROM outbox").Scan(&queued))
	require.Equal(t, "zalo_event:"+eventID, queued)
}

// TestAStrangersChatterStartsNoWorkflow: the first command of the day of
// someone in no integration is recorded and queued for its answer; the
// rest, answered today already, are neither kept nor queued (no workflow,
// no message), and are counted. Ordinary text and invites are always
// queued: the follower table, and joining.
func TestAStrangersChatterStartsNoWorkflow(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	f := newFixtureWith(t, func(d *api.Deps) { d.Metrics = m })
	text := func(i int, s string) string {
		return fmt.Sprintf(`{"app_id":"1234567890","event_name":"user_send_text","sender":{"id":"6692434038037790072"},`+
			`"recipient":{"id":"579745863508352884"},"message":{"text":%q,"msg_id":"m%d"},"timestamp":%q}`, s, i, nowMS)
	}
	for i, s := range []string{"/trogiup", "/homnay", "/trogiup", "/dung", "/xinchao", "chào shop", "/invite: ABC", "/invite"} {
		body := text(i, s)
		status, res := f.webhook(t, body, sign(body, nowMS))
		require.Equal(t, http.StatusOK, status, "body: %v", res)
	}
	require.Equal(t, 3, f.events(t), "what needs nothing is not even kept")
	var queued []string
	rows, err := f.pool.Query(context.Background(), "SELECT e.dedup_key FROM outbox o JOIN zalo_events e ON e.id = o.ref ORDER BY e.dedup_key")
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		queued = append(queued, k)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"m0", "m5", "m6"}, queued, "the day's first command, the text, the invite")
	require.Equal(t, 5.0, testutil.ToFloat64(m.AnswersHeldBack.WithLabelValues("stranger")))
}

func TestZaloWebhookRefusesWhatZaloDidNotSign(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tampered := strings.Replace(followRaw, `"follow"`, `"unfollow"`, 1)
	for _, tc := range []struct {
		name, body, signature string
		status                int
		code                  string
	}{
		{"no signature", followRaw, "", 401, "bad_signature"},
		{"garbled signature", followRaw, "mac=zz", 401, "bad_signature"},
		{"signature of another body", tampered, sign(followRaw, nowMS), 401, "bad_signature"},
		{"signed with another timestamp", followRaw, sign(followRaw, "1700000000001"), 401, "bad_signature"},
		{"not JSON", "hello", sign("hello", ""), 401, "bad_signature"},
		{"signed without the secret", followRaw, noSecret(followRaw, nowMS), 401, "bad_signature"},
		{"a replay a week old", stale, sign(stale, stamp(stale)), 401, "bad_signature"},
		{"from the future", future, sign(future, stamp(future)), 401, "bad_signature"},
		{"signed, but not an event", `{"timestamp":"` + nowMS + `"}`, sign(`{"timestamp":"`+nowMS+`"}`, nowMS), 400, "invalid_request"},
		{"too large", `{"x":"` + strings.Repeat("a", 2<<20) + `"}`, "mac=00", 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.webhook(t, tc.body, tc.signature)
			require.Equal(t, tc.status, status, "body: %v", body)
			require.Equal(t, tc.code, errorCode(body))
		})
	}
	require.Zero(t, f.events(t), "nothing unsigned is stored")
}

func TestZaloWebhookAcknowledgesEventsItIgnores(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seen := `{"app_id":"1234567890","sender":{"id":"1"},"recipient":{"id":"2"},"event_name":"user_seen_message","message":{"msg_ids":["a"]},"timestamp":"` + nowMS + `"}`
	status, _ := f.webhook(t, seen, sign(seen, nowMS))
	require.Equal(t, http.StatusOK, status)
}
