package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sepayBody is a SePay webhook as SePay documents it.
const sepayBody = `{"id":%d,"gateway":"Vietcombank","transactionDate":"2024-07-25 14:02:37","accountNumber":"0123499999","code":"DH1234","content":"chuyen tien mua hang DH1234","transferType":"%s","transferAmount":2277000,"accumulated":19077000,"subAccount":"VA01","referenceCode":"MBVCB.3278907687","description":"BankAPINotify chuyen tien mua hang DH1234"}`

// sepaySign signs as the contract says: hex HMAC-SHA256 of
// "<timestamp>.<body>", written apart from package sepay.
func sepaySign(secret string, at time.Time, body string) map[string]string {
	ts := fmt.Sprint(at.Unix())
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + body))
	return map[string]string{"X-SePay-Timestamp": ts, "X-SePay-Signature": hex.EncodeToString(m.Sum(nil))}
}

func (f fixture) sepaySource(t *testing.T, body string) string {
	t.Helper()
	status, res := f.do(t, "POST", "/v1/webhook-sources", f.key, body)
	require.Equal(t, http.StatusCreated, status, "%v", res)
	require.Equal(t, "sepay", res["provider"])
	url := res["url"].(string)
	require.True(t, strings.HasPrefix(url, "http://tingting.test/v1/hooks/sepay/"), url)
	return strings.TrimPrefix(url, "http://tingting.test")
}

func TestSePayHMAC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.sepaySource(t, `{"provider":"sepay","secret":"sepay-secret-1"}`)
	_, list := f.do(t, "GET", "/v1/webhook-sources", f.key, "")
	require.Equal(t, "hmac", list["items"].([]any)[0].(map[string]any)["auth"], "HMAC unless asked otherwise")
	body := fmt.Sprintf(sepayBody, 92704, "in")

	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		says   string
	}{
		{"wrong secret", sepaySign("other-secret", time.Now(), body), 401, "does not match"},
		{"no signature", nil, 401, "does not match"},
		{"stale", sepaySign("sepay-secret-1", time.Now().Add(-6*time.Minute), body), 401, "5 minutes"},
		{"ahead", sepaySign("sepay-secret-1", time.Now().Add(6*time.Minute), body), 401, "5 minutes"},
		{"another body's", sepaySign("sepay-secret-1", time.Now(), strings.Replace(body, "2277000", "1", 1)), 401, "does not match"},
		{"an API key instead", map[string]string{"Authorization": "Apikey sepay-secret-1"}, 401, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, res := f.hook(t, path, body, tc.header)
			require.Equal(t, tc.status, status, "%v", res)
			require.Equal(t, "bad_signature", errorCode(res))
			require.Contains(t, res["error"].(map[string]any)["message"], tc.says)
		})
	}
	require.Zero(t, f.count(t, "transactions"), "nothing refused is stored")

	// Good, then the same id again (SePay's retry): one transaction.
	for range 2 {
		status, res := f.hook(t, path, body, sepaySign("sepay-secret-1", time.Now(), body))
		require.Equal(t, http.StatusOK, status, "%v", res)
		require.Equal(t, map[string]any{"success": true}, res)
	}
	require.Equal(t, 1, f.count(t, "transactions"))
	var queued int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM outbox WHERE kind = 'notify'").Scan(&queued))
	require.Equal(t, 1, queued, "notified once")

	var (
		id, description, reference, subAccount, code, via, account, bank string
		amount, balance                                                  int64
		occurred                                                         time.Time
	)
	require.NoError(t, f.pool.QueryRow(context.Background(), `
		SELECT t.external_id, t.amount, t.balance_after, t.description, t.reference, t.sub_account, t.payment_code, t.via, t.occurred_at,
			b.account_number, b.bank_name
		FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id`).
		Scan(&id, &amount, &balance, &description, &reference, &subAccount, &code, &via, &occurred, &account, &bank))
	require.Equal(t, "92704", id)
	require.EqualValues(t, 2277000, amount)
	require.EqualValues(t, 19077000, balance)
	require.Equal(t, "chuyen tien mua hang DH1234", description, "the payer's content")
	require.Equal(t, "MBVCB.3278907687", reference)
	require.Equal(t, "VA01", subAccount)
	require.Equal(t, "DH1234", code)
	require.Equal(t, "webhook", via)
	require.Equal(t, time.Date(2024, 7, 25, 7, 2, 37, 0, time.UTC), occurred.UTC(), "SePay's time is Vietnam time")
	require.Equal(t, "0123499999", account, "the account is registered")
	require.Equal(t, "Vietcombank", bank)

	// Money out is negative; a signed body with a bad field names it.
	out := fmt.Sprintf(sepayBody, 92705, "out")
	status, _ := f.hook(t, path, out, sepaySign("sepay-secret-1", time.Now(), out))
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT amount FROM transactions WHERE external_id = '92705'").Scan(&amount))
	require.EqualValues(t, -2277000, amount)
	for field, bad := range map[string]string{
		"transferType":    strings.Replace(fmt.Sprintf(sepayBody, 92706, "in"), `"in"`, `"sideways"`, 1),
		"occurred_at":     strings.Replace(fmt.Sprintf(sepayBody, 92706, "in"), "2024-07-25", "2099-07-25", 1),
		"transactionDate": strings.Replace(fmt.Sprintf(sepayBody, 92706, "in"), "2024-07-25 14:02:37", "25/07/2024", 1),
	} {
		status, res := f.hook(t, path, bad, sepaySign("sepay-secret-1", time.Now(), bad))
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", field, res)
		require.Contains(t, res["error"].(map[string]any)["message"], field)
	}
	require.Equal(t, 2, f.count(t, "transactions"))

	// A SePay URL is not Casso's, nor the reverse.
	cassoPath := f.source(t, "casso_v2", "casso-secret-key")
	status, _ = f.hook(t, strings.Replace(path, "/sepay/", "/casso/", 1), body, sepaySign("sepay-secret-1", time.Now(), body))
	require.Equal(t, http.StatusNotFound, status)
	status, _ = f.hook(t, strings.Replace(cassoPath, "/casso/", "/sepay/", 1), body, sepaySign("casso-secret-key", time.Now(), body))
	require.Equal(t, http.StatusNotFound, status)
}

func TestSePayAPIKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.sepaySource(t, `{"provider":"sepay","auth":"apikey","secret":"sepay-api-key-1"}`)
	body := fmt.Sprintf(sepayBody, 7, "in")
	for _, header := range []map[string]string{
		{"Authorization": "Apikey wrong-key-123"},
		{"Authorization": "Bearer sepay-api-key-1"},
		sepaySign("sepay-api-key-1", time.Now(), body), // HMAC was not chosen
		nil,
	} {
		status, res := f.hook(t, path, body, header)
		require.Equal(t, http.StatusUnauthorized, status, "%v: %v", header, res)
		require.Equal(t, "bad_signature", errorCode(res))
	}
	for range 2 {
		status, res := f.hook(t, path, body, map[string]string{"Authorization": "Apikey sepay-api-key-1"})
		require.Equal(t, http.StatusOK, status, "%v", res)
	}
	require.Equal(t, 1, f.count(t, "transactions"), "a repeated id is one transaction")

	// Rotated: both keys for a day.
	id := strings.TrimPrefix(path, "/v1/hooks/sepay/")
	status, _ := f.do(t, "POST", "/v1/webhook-sources/"+id+"/rotate", f.key, `{"secret":"sepay-api-key-2"}`)
	require.Equal(t, http.StatusOK, status)
	for i, key := range []string{"sepay-api-key-1", "sepay-api-key-2"} {
		b := fmt.Sprintf(sepayBody, 8+i, "in")
		status, _ := f.hook(t, path, b, map[string]string{"Authorization": "Apikey " + key})
		require.Equal(t, http.StatusOK, status, key)
	}
}
