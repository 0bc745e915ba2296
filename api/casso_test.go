package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
	// Signed but malformed: the error names the field.
	bad := strings.Replace(sorted, `"amount":599000`, `"amount":0`, 1)
	status, res := f.hook(t, path, bad, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), bad)})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, res["error"].(map[string]any)["message"], "data.amount")
	require.Zero(t, f.count(t, "transactions"), "nothing from a refused body is stored")
}

func TestCassoV1(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v1", "secure-token-1")
	good := `{"error":0,"data":[{"id":1,"tid":"TF1","description":"a","amount":-1250000,"when":"2020-11-02 10:12:13","bank_sub_acc_id":"111"},{"id":2,"tid":"TF2","description":"b","amount":5,"when":"2020-11-02","bank_sub_acc_id":"222"}]}`
	token := map[string]string{"secure-token": "secure-token-1"}

	status, _ := f.hook(t, path, strings.Replace(good, `"amount":5`, `"amount":"x"`, 1), token)
	require.Equal(t, http.StatusBadRequest, status)
	require.Zero(t, f.count(t, "transactions"), "one bad transaction: nothing of the body is stored")
	status, _ = f.hook(t, path, good, map[string]string{"secure-token": "nope"})
	require.Equal(t, http.StatusUnauthorized, status)

	status, _ = f.hook(t, path, good, token)
	require.Equal(t, http.StatusOK, status)
	status, _ = f.hook(t, path, good, token)
	require.Equal(t, http.StatusOK, status, "a redelivery is acknowledged")
	require.Equal(t, 2, f.count(t, "transactions"))
	require.Equal(t, 2, f.count(t, "bank_accounts"))
}
