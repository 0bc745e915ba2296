package sepay_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/sepay"
)

// TestSign pins what the HMAC covers — timestamp, ".", the raw body, under
// the secret — with digests made apart from this code (Python's hmac).
// SePay does not publish the string: should it differ, this table and
// Sign change together.
func TestSign(t *testing.T) {
	for _, tc := range []struct {
		secret, timestamp, body, want string
	}{
		{"sepay-secret", "1764040000", `{"id":92704}`, "0a21af6e78181d113647ff69f52fe91c2d1ce7e77c5620c2fece447eac7034d9"},
		{"k", "1764040000000", ``, "546a9f96710fb4ab9d775f33fd7327f2daf87c990e5b96dceff31c41397e0d5f"},
		{"bí mật", "1764040000", `{"content":"Thanh toán"}`, "2f97543f61184c63a6c277de408b6442eb9fe353d3dbce2a15989cbf480d8eee"},
	} {
		require.Equal(t, tc.want, sepay.Sign(tc.secret, tc.timestamp, []byte(tc.body)), "%+v", tc)
	}
}

func TestVerifyHMAC(t *testing.T) {
	now := time.Unix(1764040000, 0)
	body := []byte(`{"id":92704}`)
	good := sepay.Sign("sepay-secret", "1764040000", body)
	for _, tc := range []struct {
		name          string
		secrets       []string
		body, ts, sig string
		now           time.Time
		matched       int
		err           error
	}{
		{"good", []string{"sepay-secret"}, string(body), "1764040000", good, now, 0, nil},
		{"uppercase hex, prefixed", []string{"sepay-secret"}, string(body), "1764040000", "sha256=" + strings.ToUpper(good), now, 0, nil},
		{"the previous secret", []string{"new-secret", "sepay-secret"}, string(body), "1764040000", good, now, 1, nil},
		{"wrong secret", []string{"other"}, string(body), "1764040000", good, now, 0, sepay.ErrBadSignature},
		{"tampered body", []string{"sepay-secret"}, `{"id":92705}`, "1764040000", good, now, 0, sepay.ErrBadSignature},
		{"another timestamp", []string{"sepay-secret"}, string(body), "1764040001", good, now, 0, sepay.ErrBadSignature},
		{"no signature", []string{"sepay-secret"}, string(body), "1764040000", "", now, 0, sepay.ErrBadSignature},
		{"no timestamp", []string{"sepay-secret"}, string(body), "", good, now, 0, sepay.ErrBadSignature},
		{"empty secret", []string{""}, string(body), "1764040000", sepay.Sign("", "1764040000", body), now, 0, sepay.ErrBadSignature},
		{"five minutes old", []string{"sepay-secret"}, string(body), "1764040000", good, now.Add(sepay.MaxSkew), 0, nil},
		{"stale", []string{"sepay-secret"}, string(body), "1764040000", good, now.Add(sepay.MaxSkew + time.Second), 0, sepay.ErrStale},
		{"ahead", []string{"sepay-secret"}, string(body), "1764040000", good, now.Add(-sepay.MaxSkew - time.Second), 0, sepay.ErrStale},
		{"stale and wrong: the signature first", []string{"other"}, string(body), "1764040000", good, now.Add(time.Hour), 0, sepay.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			matched, err := sepay.VerifyHMAC(tc.secrets, []byte(tc.body), tc.ts, tc.sig, tc.now)
			require.ErrorIs(t, err, tc.err)
			if tc.err == nil {
				require.Equal(t, tc.matched, matched)
			}
		})
	}
	ms := sepay.Sign("sepay-secret", "1764040000000", body)
	_, err := sepay.VerifyHMAC([]string{"sepay-secret"}, body, "1764040000000", ms, now)
	require.NoError(t, err, "a timestamp in milliseconds")
}

func TestVerifyAPIKey(t *testing.T) {
	for _, tc := range []struct {
		header  string
		secrets []string
		matched int
		err     error
	}{
		{"Apikey key-123", []string{"key-123"}, 0, nil},
		{"apikey  key-123 ", []string{"new-key", "key-123"}, 1, nil},
		{"Apikey key-124", []string{"key-123"}, 0, sepay.ErrBadSignature},
		{"Bearer key-123", []string{"key-123"}, 0, sepay.ErrBadSignature},
		{"key-123", []string{"key-123"}, 0, sepay.ErrBadSignature},
		{"", []string{""}, 0, sepay.ErrBadSignature},
		{"Apikey ", []string{""}, 0, sepay.ErrBadSignature},
	} {
		matched, err := sepay.VerifyAPIKey(tc.secrets, tc.header)
		require.ErrorIs(t, err, tc.err, tc.header)
		require.Equal(t, tc.matched, matched, tc.header)
	}
}

// body is a webhook as SePay documents it.
const body = `{"id":92704,"gateway":"Vietcombank","transactionDate":"2024-07-25 14:02:37","accountNumber":"0123499999","code":"DH1234","content":"chuyen tien mua hang DH1234","transferType":"in","transferAmount":2277000,"accumulated":19077000,"subAccount":null,"referenceCode":"MBVCB.3278907687","description":"BankAPINotify chuyen tien mua hang DH1234"}`

func TestParse(t *testing.T) {
	txn, err := sepay.Parse([]byte(body))
	require.NoError(t, err)
	require.Equal(t, "92704", txn.ID)
	require.EqualValues(t, 2277000, txn.Amount)
	require.EqualValues(t, 19077000, *txn.Accumulated)
	require.Equal(t, "Vietcombank", txn.Gateway)
	require.Equal(t, "0123499999", txn.AccountNumber)
	require.Equal(t, "DH1234", txn.Code)
	require.Empty(t, txn.SubAccount)
	require.Equal(t, "MBVCB.3278907687", txn.ReferenceCode)
	require.Equal(t, "chuyen tien mua hang DH1234", txn.Content)
	require.Equal(t, time.Date(2024, 7, 25, 7, 2, 37, 0, time.UTC), txn.OccurredAt.UTC(), "SePay's times are Vietnam time")

	out, err := sepay.Parse([]byte(strings.NewReplacer(`"in"`, `"out"`, `"subAccount":null`, `"subAccount":"VA01"`, `"accumulated":19077000,`, ``).Replace(body)))
	require.NoError(t, err)
	require.EqualValues(t, -2277000, out.Amount, "money out is negative")
	require.Equal(t, "VA01", out.SubAccount)
	require.Nil(t, out.Accumulated)

	for _, tc := range []struct{ from, to, field string }{
		{`"id":92704`, `"id":null`, "id"},
		{`"id":92704`, `"id":{}`, "id"},
		{`"transferAmount":2277000`, `"transferAmount":0`, "transferAmount"},
		{`"transferAmount":2277000`, `"transferAmount":-5`, "transferAmount"},
		{`"transferAmount":2277000`, `"transferAmount":22.5`, "transferAmount"},
		{`"transferAmount":2277000`, `"transferAmount":99999999999999999999`, "transferAmount"},
		{`"transferAmount":2277000,`, ``, "transferAmount"},
		{`"transferType":"in"`, `"transferType":"sideways"`, "transferType"},
		{`"transactionDate":"2024-07-25 14:02:37"`, `"transactionDate":"25/07/2024"`, "transactionDate"},
		{`"accountNumber":"0123499999"`, `"accountNumber":" "`, "accountNumber"},
		{`"accumulated":19077000`, `"accumulated":"x"`, "accumulated"},
		{`"content":"chuyen tien mua hang DH1234"`, `"content":5`, "content"},
		{body, `[1]`, "body"},
		{body, `not json`, "body"},
	} {
		_, err := sepay.Parse([]byte(strings.Replace(body, tc.from, tc.to, 1)))
		var fe *sepay.FieldError
		require.ErrorAs(t, err, &fe, "%s → %s", tc.from, tc.to)
		require.Equal(t, tc.field, fe.Field, "%s → %s", tc.from, tc.to)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(body))
	f.Add([]byte(`{"id":"1","transactionDate":"2024-07-25 14:02:37","accountNumber":"1","transferType":"out","transferAmount":"5"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		txn, err := sepay.Parse(raw)
		if err != nil {
			var fe *sepay.FieldError
			require.ErrorAs(t, err, &fe)
			return
		}
		require.NotZero(t, txn.Amount)
		require.NotEmpty(t, strings.TrimSpace(txn.ID))
		require.NotEmpty(t, strings.TrimSpace(txn.AccountNumber))
		require.False(t, txn.OccurredAt.IsZero())
	})
}
