package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/vntime"
)

// The same transaction twice: as Casso sends it, and with its keys sorted
// by hand, which is what the v2 signature covers (ZALO.md §4).
const (
	cassoV2  = `{"error":0,"data":{"id":%d,"reference":"FT1","description":"Thanh toán đơn 1","amount":599000,"runningBalance":25000000,"transactionDateTime":"%s","accountNumber":"88888888","bankName":"VPBank","bankAbbreviation":"VPB","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"0123","counterAccountBankName":"VietinBank"}}`
	sortedV2 = `{"data":{"accountNumber":"88888888","amount":599000,"bankAbbreviation":"VPB","bankName":"VPBank","counterAccountBankName":"VietinBank","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"0123","description":"Thanh toán đơn 1","id":%d,"reference":"FT1","runningBalance":25000000,"transactionDateTime":"%s"},"error":0}`
)

func cassoSign(secret string, at time.Time, sorted string) string {
	t := fmt.Sprint(at.UnixMilli())
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(t + "." + sorted))
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

func (f fixture) source(t *testing.T, provider, secret string) string {
	status, body := f.do(t, "POST", "/v1/webhook-sources", f.key, `{"provider":"`+provider+`","secret":"`+secret+`"}`)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	url := body["url"].(string)
	require.True(t, strings.HasPrefix(url, "http://tingting.test/v1/hooks/casso/"))
	return strings.TrimPrefix(url, "http://tingting.test")
}

func (f fixture) hook(t *testing.T, path, body string, header map[string]string) (int, map[string]any) {
	req, err := http.NewRequest("POST", f.url+path, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return f.send(t, req)
}

func (f fixture) count(t *testing.T, table string) int {
	var n int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func TestCassoV2(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v2", "casso-secret-key")
	when := "2024-10-03 15:06:37"
	body, sorted := fmt.Sprintf(cassoV2, 101, when), fmt.Sprintf(sortedV2, 101, when)
	sig := map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), sorted)}

	// Casso retries; ten deliveries at once record the transaction once.
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, res := f.hook(t, path, body, sig)
			require.Equal(t, http.StatusOK, status, "%v", res)
			require.Equal(t, true, res["success"])
		}()
	}
	wg.Wait()
	require.Equal(t, 1, f.count(t, "transactions"))

	// The unknown account was registered for the workspace.
	_, accounts := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
	items := accounts["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "88888888", items[0].(map[string]any)["account_number"])

	var occurred time.Time
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT occurred_at FROM transactions").Scan(&occurred))
	require.Equal(t, time.Date(2024, 10, 3, 8, 6, 37, 0, time.UTC), occurred.UTC(), "Casso's time is Vietnam time")
}

func TestCassoV2Refusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v2", "casso-secret-key")
	when := "2024-10-03 15:06:37"
	body, sorted := fmt.Sprintf(cassoV2, 7, when), fmt.Sprintf(sortedV2, 7, when)
	for _, tc := range []struct {
		name, path, body, sig string
		status                int
		says                  string
	}{
		{"other secret", path, body, cassoSign("wrong", time.Now(), sorted), 401, "bad_signature"},
		{"no signature", path, body, "", 401, "bad_signature"},
		{"stale", path, body, cassoSign("casso-secret-key", time.Now().Add(-time.Hour), sorted), 401, "bad_signature"},
		{"from the future", path, body, cassoSign("casso-secret-key", time.Now().Add(2*time.Minute), sorted), 401, "bad_signature"},
		{"tampered", path, strings.Replace(body, "599000", "1", 1), cassoSign("casso-secret-key", time.Now(), sorted), 401, "bad_signature"},
		{"unknown source", "/v1/hooks/casso/00000000-0000-0000-0000-000000000000", body, "", 404, "not_found"},
		{"too large", path, strings.Repeat(" ", 2<<20), "", 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, res := f.hook(t, tc.path, tc.body, map[string]string{"X-Casso-Signature": tc.sig})
			require.Equal(t, tc.status, status, "%v", res)
			require.Equal(t, tc.says, errorCode(res))
		})
	}
	status, res := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now().Add(2*time.Minute), sorted)})
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, res["error"].(map[string]any)["message"], "ahead of our clock", "a future-dated signature says so")

	// Signed but malformed: the error names the field.
	bad := strings.Replace(sorted, `"amount":599000`, `"amount":0`, 1)
	status, res = f.hook(t, path, bad, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), bad)})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, res["error"].(map[string]any)["message"], "data.amount")

	// A time more than a day ahead is refused as the REST API's occurred_at is.
	ahead := fmt.Sprintf(sortedV2, 8, time.Now().Add(25*time.Hour).In(vntime.Zone).Format(time.DateTime))
	status, res = f.hook(t, path, ahead, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), ahead)})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, res["error"].(map[string]any)["message"], "occurred_at: must be after 2000 and not more than a day ahead")
	require.Zero(t, f.count(t, "transactions"), "nothing from a refused body is stored")
}

// cassoFixture is newFixture with the server's log kept and a clock the
// test moves, for what only they show.
type cassoFixture struct {
	fixture
	log    *testenv.Buffer
	offset *atomic.Int64 // the server's clock minus time.Now, in nanoseconds
}

func newCassoFixture(t *testing.T) cassoFixture {
	t.Helper()
	pool := testenv.Pool(t)
	f := cassoFixture{log: &testenv.Buffer{}, offset: &atomic.Int64{}}
	srv := httptest.NewServer(api.New(api.Deps{
		Pool: pool, Temporal: temporalClient, Log: slog.New(slog.NewTextHandler(f.log, nil)),
		Box: testBox, PublicURL: "http://tingting.test", CassoMaxAge: 10 * time.Minute,
		Metrics: metrics.New(), Now: f.now,
	}))
	t.Cleanup(srv.Close)
	_, key, err := apikey.CreateWorkspace(context.Background(), pool, "A")
	require.NoError(t, err)
	_, other, err := apikey.CreateWorkspace(context.Background(), pool, "B")
	require.NoError(t, err)
	f.fixture = fixture{url: srv.URL, key: key, pool: pool, other: other}
	return f
}

func (f cassoFixture) now() time.Time          { return time.Now().Add(time.Duration(f.offset.Load())) }
func (f cassoFixture) advance(d time.Duration) { f.offset.Add(int64(d)) }

// postV2 posts transaction id to a v2 source, signed with secret now.
func (f cassoFixture) postV2(t *testing.T, path, secret string, id int) (int, map[string]any) {
	t.Helper()
	when := "2024-10-03 15:06:37"
	body, sorted := fmt.Sprintf(cassoV2, id, when), fmt.Sprintf(sortedV2, id, when)
	return f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign(secret, f.now(), sorted)})
}

// postV1 posts transaction id to a v1 source with token.
func (f cassoFixture) postV1(t *testing.T, path, token string, id int) (int, map[string]any) {
	t.Helper()
	body := fmt.Sprintf(`{"error":0,"data":[{"id":%d,"tid":"TF","description":"a","amount":5,"when":"2020-11-02","bank_sub_acc_id":"111"}]}`, id)
	return f.hook(t, path, body, map[string]string{"secure-token": token})
}

// TestCassoCutsOverLongText: a signed body is never refused for our
// limits; its text is cut to them. The REST API still refuses.
func TestCassoCutsOverLongText(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v2", "casso-secret-key")
	description := strings.Repeat("ađ", 2500) // 5000 characters, 7500 bytes
	reference := strings.Repeat("Ư", 300)
	body := strings.Replace(fmt.Sprintf(sortedV2, 8, "2024-10-03 15:06:37"), `"Thanh toán đơn 1"`, `"`+description+`"`, 1)
	body = strings.Replace(body, `"FT1"`, `"`+reference+`"`, 1)

	status, res := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), body)})
	require.Equal(t, http.StatusOK, status, "%v", res)
	var gotDescription, gotReference, rawDescription string
	require.NoError(t, f.pool.QueryRow(context.Background(),
		"SELECT description, reference, raw->>'description' FROM transactions WHERE external_id = '8'").
		Scan(&gotDescription, &gotReference, &rawDescription))
	require.Equal(t, strings.Repeat("ađ", 500), gotDescription, "cut to 1000 characters, at a character boundary")
	require.Equal(t, strings.Repeat("Ư", 128), gotReference, "cut to 128 characters")
	require.Equal(t, description, rawDescription, "the raw body keeps the whole text")

	// An id is an identity, never cut (two could become one): an over-long
	// one is stored as its digest, the same for every redelivery.
	longID := strings.Repeat("9", 200)
	body = strings.Replace(fmt.Sprintf(sortedV2, 9, "2024-10-03 15:06:37"), `"id":9`, `"id":"`+longID+`"`, 1)
	for range 2 {
		status, res := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), body)})
		require.Equal(t, http.StatusOK, status, "%v", res)
	}
	sum := sha256.Sum256([]byte(longID))
	var ids []string
	rows, err := f.pool.Query(context.Background(), "SELECT external_id FROM transactions WHERE external_id <> '8'")
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"sha256:" + hex.EncodeToString(sum[:])}, ids)

	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)
	status, res = f.do(t, "POST", "/v1/transactions", f.key,
		`{"account_number":"111","external_id":"FT1","amount":5,"occurred_at":"2024-10-03T15:06:37+07:00","description":"`+description+`"}`)
	require.Equal(t, http.StatusBadRequest, status, "the REST client can fix it: refused")
	require.Contains(t, res["error"].(map[string]any)["message"], "description: at most 1000 characters")
}

func TestCassoV1(t *testing.T) {
	t.Parallel()
	f := newCassoFixture(t)
	path := f.source(t, "casso_v1", "secure-token-1")
	good := `{"error":0,"data":[{"id":1,"tid":"TF1","description":"a","amount":-1250000,"when":"2020-11-02 10:12:13","bank_sub_acc_id":"111"},{"id":2,"tid":"TF2","description":"item two's text","amount":5,"when":"2020-11-02","bank_sub_acc_id":"222"},{"id":3,"tid":"TF3","description":"c","amount":7,"when":"2020-11-03","bank_sub_acc_id":"111"}]}`
	token := map[string]string{"secure-token": "secure-token-1"}

	// The middle transaction is bad: the other two are recorded.
	status, res := f.hook(t, path, strings.Replace(good, `"amount":5`, `"amount":"x"`, 1), token)
	require.Equal(t, http.StatusOK, status, "%v", res)
	require.Equal(t, true, res["success"])
	require.Equal(t, 2, f.count(t, "transactions"))
	log := f.log.String()
	require.Contains(t, log, `msg="Casso v1 transaction skipped"`)
	require.Contains(t, log, `index=1 casso_id=2 problem="data[1].amount: must be a whole number of đồng"`)
	require.NotContains(t, log, "secure-token-1", "never the secret")
	require.NotContains(t, log, "item two's text", "never the body")

	status, _ = f.hook(t, path, good, map[string]string{"secure-token": "nope"})
	require.Equal(t, http.StatusUnauthorized, status)

	// Once fixed, Casso's next delivery records it; the others are not
	// recorded twice.
	status, _ = f.hook(t, path, good, token)
	require.Equal(t, http.StatusOK, status)
	status, _ = f.hook(t, path, good, token)
	require.Equal(t, http.StatusOK, status, "a redelivery is acknowledged")
	require.Equal(t, 3, f.count(t, "transactions"))
	require.Equal(t, 2, f.count(t, "bank_accounts"))

	// Every transaction bad: still 200 (Casso would retry a refusal
	// forever), each one logged.
	status, _ = f.hook(t, path, `{"error":0,"data":[{"id":41,"amount":0},{"id":"C-42","when":"yesterday"},43]}`, token)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 3, f.count(t, "transactions"))
	log = f.log.String()
	require.Contains(t, log, `index=0 casso_id=41 problem="data[0].amount: must not be 0"`)
	require.Contains(t, log, `index=1 casso_id=C-42 problem="data[1].amount: required"`)
	require.Contains(t, log, `index=2 casso_id="" problem="data[2]: not a JSON object"`)

	// A body that is not an object with a data array is refused.
	for _, body := range []string{`[1]`, `{"error":0}`, `{"data":{"id":1}}`, `not json`} {
		status, res := f.hook(t, path, body, token)
		require.Equal(t, http.StatusBadRequest, status, body)
		require.Equal(t, "invalid_request", errorCode(res))
	}
}

func TestWebhookSources(t *testing.T) {
	t.Parallel()
	f := newCassoFixture(t)
	v2 := f.source(t, "casso_v2", "old-secret-v2")
	v1 := f.source(t, "casso_v1", "old-token-v1")
	status, created := f.do(t, "POST", "/v1/webhook-sources", f.other, `{"provider":"casso_v2","secret":"other-secret"}`)
	require.Equal(t, http.StatusCreated, status)
	othersID := created["id"].(string)
	sourcePath := func(hook string) string { return "/v1/webhook-sources/" + strings.TrimPrefix(hook, "/v1/hooks/casso/") }

	t.Run("list: this workspace's, never a secret", func(t *testing.T) {
		status, list := f.do(t, "GET", "/v1/webhook-sources", f.key, "")
		require.Equal(t, http.StatusOK, status)
		items := list["items"].([]any)
		require.Len(t, items, 2)
		for i, hook := range []string{v2, v1} {
			item := items[i].(map[string]any)
			require.ElementsMatch(t, sourceFields, keys(item))
			require.Equal(t, "http://tingting.test"+hook, item["url"])
		}
		require.Equal(t, "casso_v1", items[1].(map[string]any)["provider"])
		_, list = f.do(t, "GET", "/v1/webhook-sources", f.other, "")
		require.Len(t, list["items"], 1)
		require.Equal(t, othersID, list["items"].([]any)[0].(map[string]any)["id"])
	})

	t.Run("another workspace's source is not found", func(t *testing.T) {
		for _, tc := range []struct{ method, path, body string }{
			{"POST", "/v1/webhook-sources/" + othersID + "/rotate", `{"secret":"mine-now-12"}`},
			{"DELETE", "/v1/webhook-sources/" + othersID, ""},
			{"DELETE", "/v1/webhook-sources/not-an-id", ""},
		} {
			status, res := f.do(t, tc.method, tc.path, f.key, tc.body)
			require.Equal(t, http.StatusNotFound, status, "%s %s", tc.method, tc.path)
			require.Equal(t, "not_found", errorCode(res))
		}
		status, _ := f.postV2(t, "/v1/hooks/casso/"+othersID, "other-secret", 1)
		require.Equal(t, http.StatusOK, status, "and it still works")
	})

	t.Run("rotate: both secrets for 24 hours, then the new one only", func(t *testing.T) {
		for _, secret := range []string{"short", strings.Repeat("x", 257), ""} {
			status, res := f.do(t, "POST", sourcePath(v2)+"/rotate", f.key, `{"secret":"`+secret+`"}`)
			require.Equal(t, http.StatusBadRequest, status)
			require.Contains(t, res["error"].(map[string]any)["message"], "secret")
		}
		status, res := f.do(t, "POST", sourcePath(v2)+"/rotate", f.key, `{"secret":"new-secret-v2"}`)
		require.Equal(t, http.StatusOK, status, "%v", res)
		require.ElementsMatch(t, sourceFields, keys(res))
		require.Equal(t, "http://tingting.test"+v2, res["url"])
		status, _ = f.do(t, "POST", sourcePath(v1)+"/rotate", f.key, `{"secret":"new-token-v1"}`)
		require.Equal(t, http.StatusOK, status)

		for _, tc := range []struct {
			name, secret string
			post         func(*testing.T, string, string, int) (int, map[string]any)
			path         string
		}{
			{"v2 new", "new-secret-v2", f.postV2, v2},
			{"v2 old", "old-secret-v2", f.postV2, v2},
			{"v1 new", "new-token-v1", f.postV1, v1},
			{"v1 old", "old-token-v1", f.postV1, v1},
		} {
			status, res := tc.post(t, tc.path, tc.secret, 100+len(tc.name))
			require.Equal(t, http.StatusOK, status, "%s: %v", tc.name, res)
		}
		require.Contains(t, f.log.String(), "verified with the source's previous secret")
		require.NotContains(t, f.log.String(), "old-secret-v2")
		status, res = f.postV2(t, v2, "never-a-secret", 200)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "bad_signature", errorCode(res))

		f.advance(previousSecretGrace + time.Second)
		for _, tc := range []struct {
			secret string
			post   func(*testing.T, string, string, int) (int, map[string]any)
			path   string
			status int
		}{
			{"old-secret-v2", f.postV2, v2, http.StatusUnauthorized},
			{"new-secret-v2", f.postV2, v2, http.StatusOK},
			{"old-token-v1", f.postV1, v1, http.StatusUnauthorized},
			{"new-token-v1", f.postV1, v1, http.StatusOK},
		} {
			status, res := tc.post(t, tc.path, tc.secret, 300)
			require.Equal(t, tc.status, status, "%s a day later: %v", tc.secret, res)
			if tc.status == http.StatusUnauthorized {
				require.Equal(t, "bad_signature", errorCode(res))
			}
		}
	})

	t.Run("rotate tried again: the secret it replaced keeps its grace", func(t *testing.T) {
		hook := f.source(t, "casso_v2", "old-secret-1")
		for range 2 {
			status, _ := f.do(t, "POST", sourcePath(hook)+"/rotate", f.key, `{"secret":"new-secret-1"}`)
			require.Equal(t, http.StatusOK, status)
		}
		for _, secret := range []string{"old-secret-1", "new-secret-1"} {
			status, _ := f.postV2(t, hook, secret, 400)
			require.Equal(t, http.StatusOK, status, secret)
		}
	})

	// A previous secret sealed with a key this server no longer holds (a
	// key retired before its secrets were re-sealed, a dev database under a
	// new clone's key) is only a grace lost: the current secret still
	// verifies, where every webhook used to be answered 500.
	t.Run("a previous secret that cannot be opened is passed over", func(t *testing.T) {
		hook := f.source(t, "casso_v2", "old-secret-2")
		status, _ := f.do(t, "POST", sourcePath(hook)+"/rotate", f.key, `{"secret":"new-secret-2"}`)
		require.Equal(t, http.StatusOK, status)
		_, err := f.pool.Exec(context.Background(), "UPDATE webhook_sources SET previous_secret = '\\x00ff' WHERE id = $1",
			strings.TrimPrefix(sourcePath(hook), "/v1/webhook-sources/"))
		require.NoError(t, err)
		status, res := f.postV2(t, hook, "new-secret-2", 400)
		require.Equal(t, http.StatusOK, status, "%v", res)
		status, _ = f.postV2(t, hook, "old-secret-2", 401)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Contains(t, f.log.String(), "previous secret cannot be opened")
	})

	t.Run("rotate twice: only the last secret replaced is kept", func(t *testing.T) {
		hook := f.source(t, "casso_v2", "first-secret")
		for _, secret := range []string{"second-secret", "third-secret"} {
			status, _ := f.do(t, "POST", sourcePath(hook)+"/rotate", f.key, `{"secret":"`+secret+`"}`)
			require.Equal(t, http.StatusOK, status)
		}
		for secret, want := range map[string]int{"first-secret": 401, "second-secret": 200, "third-secret": 200} {
			status, _ := f.postV2(t, hook, secret, 400)
			require.Equal(t, want, status, secret)
		}
	})

	t.Run("delete: its URL answers 404 from then on", func(t *testing.T) {
		status, _ := f.do(t, "DELETE", sourcePath(v2), f.key, "")
		require.Equal(t, http.StatusNoContent, status)
		status, res := f.postV2(t, v2, "new-secret-v2", 500)
		require.Equal(t, http.StatusNotFound, status)
		require.Equal(t, "not_found", errorCode(res))
		status, _ = f.do(t, "DELETE", sourcePath(v2), f.key, "")
		require.Equal(t, http.StatusNoContent, status, "deleting again (a retry) answers as the first time")
		status, _ = f.do(t, "POST", sourcePath(v2)+"/rotate", f.key, `{"secret":"revived-secret"}`)
		require.Equal(t, http.StatusNotFound, status, "a deleted source is not rotated")
		_, list := f.do(t, "GET", "/v1/webhook-sources", f.key, "")
		for _, item := range list["items"].([]any) {
			require.NotEqual(t, "http://tingting.test"+v2, item.(map[string]any)["url"])
		}
		var recorded int
		require.NoError(t, f.pool.QueryRow(context.Background(),
			"SELECT count(*) FROM webhook_sources WHERE deleted_at IS NOT NULL").Scan(&recorded))
		require.Equal(t, 1, recorded, "the row is kept")
	})
}

// sourceFields are what a webhook source shows: never a secret or a key.
var sourceFields = []string{"id", "provider", "url", "created_at", "auth", "has_casso_api_key",
	"last_webhook_at", "last_sync_at", "recovered_7d", "sync_error"}

// previousSecretGrace is how long the API keeps accepting a rotated-out
// secret: the contract's 24 hours.
const previousSecretGrace = 24 * time.Hour

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCassoAccountNumbersAreTheWorkspacesOwn: the account a signed body
// names is stored as the REST API would store it, so " 88888888" is the
// registered account 88888888 (its integrations are notified), and a NUL
// in the bank's name is a space, not a refusal Casso would retry forever.
func TestCassoAccountNumbersAreTheWorkspacesOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	status, _ := f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"88888888"}`)
	require.Equal(t, http.StatusCreated, status)
	path := f.source(t, "casso_v2", "casso-secret-key")
	body := strings.Replace(fmt.Sprintf(sortedV2, 11, "2024-10-03 15:06:37"), `"88888888"`, `" 88888888\t"`, 1)
	body = strings.Replace(body, `"VPBank"`, `"VP\u0000Bank"`, 1)
	status, res := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), body)})
	require.Equal(t, http.StatusOK, status, "%v", res)
	require.Equal(t, 1, f.count(t, "bank_accounts"), "no second account for the same number")
	var number string
	require.NoError(t, f.pool.QueryRow(context.Background(),
		"SELECT b.account_number FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id WHERE t.external_id = '11'").Scan(&number))
	require.Equal(t, "88888888", number)
}
