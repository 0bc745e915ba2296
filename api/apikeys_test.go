package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/internal/apikey"
)

// TestAPIKeys: an admin makes an admin and an ingest key (each shown once),
// the list shows no key material; the ingest key records transactions and
// nothing else; a revoked key answers 401, and revoking it again is a 204.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)

	status, admin := f.do(t, "POST", "/v1/api-keys", f.key, `{"label":"  Kế toán  ","scope":"admin"}`)
	require.Equal(t, http.StatusCreated, status, "body: %v", admin)
	require.Equal(t, "Kế toán", admin["label"], "the label is trimmed")
	require.Equal(t, "admin", admin["scope"])
	require.NotEmpty(t, admin["id"])
	require.NotEmpty(t, admin["created_at"])
	status, ingest := f.do(t, "POST", "/v1/api-keys", f.key, `{"label":"Máy bán hàng","scope":"ingest"}`)
	require.Equal(t, http.StatusCreated, status, "body: %v", ingest)
	require.Equal(t, "ingest", ingest["scope"])
	adminKey, ingestKey := admin["key"].(string), ingest["key"].(string)
	require.True(t, strings.HasPrefix(ingestKey, apikey.Prefix))
	require.NotEqual(t, adminKey, ingestKey)

	// The new admin key does what the first one does.
	status, _ = f.do(t, "GET", "/v1/bank-accounts", adminKey, "")
	require.Equal(t, http.StatusOK, status)

	// The ingest key records a transaction, and may do nothing else.
	status, body := f.do(t, "POST", "/v1/transactions", ingestKey, `{"account_number":"111","external_id":"FT1","amount":5000,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusAccepted, status, "body: %v", body)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/bank-accounts", ""},
		{"POST", "/v1/api-keys", `{"label":"x","scope":"admin"}`},
		{"GET", "/v1/api-keys", ""},
		{"DELETE", "/v1/api-keys/" + ingest["id"].(string), ""},
		{"GET", "/v1/transactions/" + body["transaction_id"].(string), ""},
		{"GET", "/v1/integrations", ""},
	} {
		status, body := f.do(t, r.method, r.path, ingestKey, r.body)
		require.Equal(t, http.StatusForbidden, status, "%s %s", r.method, r.path)
		require.Equal(t, "forbidden", errorCode(body))
	}

	// The list: this workspace's three keys, no key and no hash.
	raw := f.rawBody(t, "GET", "/v1/api-keys", f.key)
	for _, secret := range []string{f.key, adminKey, ingestKey, "hash", `"key"`} {
		require.NotContains(t, raw, secret)
	}
	list := f.keys(t, f.key)
	require.Len(t, list, 3)
	require.Equal(t, []string{"first key", "Kế toán", "Máy bán hàng"}, []string{list[0].Label, list[1].Label, list[2].Label})
	require.Equal(t, []string{"admin", "admin", "ingest"}, []string{list[0].Scope, list[1].Scope, list[2].Scope})
	for _, k := range list {
		require.Nil(t, k.RevokedAt)
	}
	require.Len(t, f.keys(t, f.other), 1, "the other workspace sees only its own key")

	// Revoked: 401 from then on; the same DELETE again is a 204 too.
	status, _ = f.do(t, "DELETE", "/v1/api-keys/"+ingest["id"].(string), f.key, "")
	require.Equal(t, http.StatusNoContent, status)
	status, body = f.do(t, "POST", "/v1/transactions", ingestKey, `{"account_number":"111","external_id":"FT2","amount":5000,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "unauthorized", errorCode(body))
	status, _ = f.do(t, "DELETE", "/v1/api-keys/"+ingest["id"].(string), f.key, "")
	require.Equal(t, http.StatusNoContent, status, "revoking a revoked key again is a 204")
	list = f.keys(t, f.key)
	require.Len(t, list, 3, "revoked keys are listed")
	require.NotNil(t, list[2].RevokedAt)

	// Another workspace's key, and keys that do not exist, are not found.
	other := f.keys(t, f.other)[0]
	for _, id := range []string{other.ID, "00000000-0000-0000-0000-000000000000", "nope"} {
		status, body := f.do(t, "DELETE", "/v1/api-keys/"+id, f.key, "")
		require.Equal(t, http.StatusNotFound, status, id)
		require.Equal(t, "not_found", errorCode(body))
	}
	require.Nil(t, f.keys(t, f.other)[0].RevokedAt)
}

func TestAPIKeyLabelAndScopeAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"64 characters", `{"label":"` + strings.Repeat("ệ", 64) + `","scope":"ingest"}`, 201, ""},
		{"65 characters", `{"label":"` + strings.Repeat("ệ", 65) + `","scope":"ingest"}`, 400, "label: at most 64"},
		{"no label", `{"scope":"ingest"}`, 400, "label: required"},
		{"blank label", `{"label":"   ","scope":"ingest"}`, 400, "label: required"},
		{"no scope", `{"label":"x"}`, 400, "scope"},
		{"unknown scope", `{"label":"x","scope":"owner"}`, 400, "scope"},
		{"scope in capitals", `{"label":"x","scope":"ADMIN"}`, 400, "scope"},
		{"not an object", `[]`, 400, "object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.do(t, "POST", "/v1/api-keys", f.key, tc.body)
			require.Equal(t, tc.status, status, "body: %v", body)
			if tc.status == 400 {
				require.Equal(t, "invalid_request", errorCode(body))
				require.Contains(t, body["error"].(map[string]any)["message"], tc.says)
			}
		})
	}
}

// TestTheLastAdminKeyStays: a workspace always keeps one admin key, even
// when its two admins revoke each other's keys at the same moment.
func TestTheLastAdminKeyStays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.keys(t, f.key)[0]
	status, body := f.do(t, "DELETE", "/v1/api-keys/"+first.ID, f.key, "")
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "conflict", errorCode(body))
	require.Contains(t, body["error"].(map[string]any)["message"], "last admin key")
	status, _ = f.do(t, "GET", "/v1/bank-accounts", f.key, "")
	require.Equal(t, http.StatusOK, status, "the key still works")

	// An ingest key does not count as an admin key.
	status, _ = f.do(t, "POST", "/v1/api-keys", f.key, `{"label":"pos","scope":"ingest"}`)
	require.Equal(t, http.StatusCreated, status)
	status, _ = f.do(t, "DELETE", "/v1/api-keys/"+first.ID, f.key, "")
	require.Equal(t, http.StatusConflict, status)

	// Two admins revoke each other's keys at once, again and again: one
	// wins, the other is refused (409, or 401 when its key is gone before
	// it is even read), and one admin key is left.
	ctx := context.Background()
	for i := range 20 {
		_, keyA, err := apikey.CreateWorkspace(ctx, f.pool, "race")
		require.NoError(t, err)
		status, b := f.do(t, "POST", "/v1/api-keys", keyA, `{"label":"B","scope":"admin"}`)
		require.Equal(t, http.StatusCreated, status)
		keyB, idB := b["key"].(string), b["id"].(string)
		idA := f.keys(t, keyA)[0].ID

		start := make(chan struct{})
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for j, r := range []struct{ key, revokes string }{{keyA, idB}, {keyB, idA}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[j] = f.status(t, "DELETE", "/v1/api-keys/"+r.revokes, r.key)
			}()
		}
		close(start)
		wg.Wait()

		slices.Sort(statuses)
		require.Equal(t, http.StatusNoContent, statuses[0], "round %d: one revocation wins: %v", i, statuses)
		require.Contains(t, []int{http.StatusUnauthorized, http.StatusConflict}, statuses[1], "round %d: the other is refused: %v", i, statuses)
		var left int
		require.NoError(t, f.pool.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE id IN ($1, $2) AND revoked_at IS NULL`, idA, idB).Scan(&left))
		require.Equal(t, 1, left, "round %d: %v", i, statuses)
	}
}

// TestLastUsedAt: a key's use is noted, once a minute at most.
func TestLastUsedAt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	status, k := f.do(t, "POST", "/v1/api-keys", f.key, `{"label":"pos","scope":"ingest"}`)
	require.Equal(t, http.StatusCreated, status)
	require.Nil(t, f.keys(t, f.key)[1].LastUsedAt, "never used yet")

	f.do(t, "POST", "/v1/transactions", k["key"].(string), `{}`)
	used := f.keys(t, f.key)[1].LastUsedAt
	require.NotNil(t, used, "a refused body still used the key")
	f.do(t, "POST", "/v1/transactions", k["key"].(string), `{}`)
	require.True(t, used.Equal(*f.keys(t, f.key)[1].LastUsedAt), "not written again within the minute")
	require.NotNil(t, f.keys(t, f.key)[0].LastUsedAt, "the admin key listing them was used too")

	// A minute later the next use notes the time again.
	_, err := f.pool.Exec(context.Background(), `UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, k["id"])
	require.NoError(t, err)
	before := f.keys(t, f.key)[1].LastUsedAt
	f.do(t, "POST", "/v1/transactions", k["key"].(string), `{}`)
	require.True(t, f.keys(t, f.key)[1].LastUsedAt.After(*before))
}

type listedKey struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	Scope      string     `json:"scope"`
	CreatedAt  string     `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// keys lists the keys of key's workspace, oldest first.
func (f fixture) keys(t *testing.T, key string) []listedKey {
	t.Helper()
	var list struct{ Items []listedKey }
	require.NoError(t, json.Unmarshal([]byte(f.rawBody(t, "GET", "/v1/api-keys", key)), &list))
	return list.Items
}

// rawBody is a 200 answer's body as it came.
func (f fixture) rawBody(t *testing.T, method, path, key string) string {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", raw)
	return string(raw)
}

// status sends a request without a body from any goroutine: it reports
// failures with t.Error, never FailNow.
func (f fixture) status(t *testing.T, method, path, key string) int {
	req, err := http.NewRequest(method, f.url+path, nil)
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
