package casso_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/casso"
)

const v2Body = `{"error":0,"data":{"id":123456,"reference":"FT24277","description":"NGUYEN VAN A chuyển tiền <b>","amount":599000,"runningBalance":25000000,"transactionDateTime":"2024-10-03 15:06:37","accountNumber":"88888888","bankName":"VPBank","bankAbbreviation":"VPB","virtualAccountNumber":"","virtualAccountName":"","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"0123","counterAccountBankId":"970415","counterAccountBankName":"VietinBank"}}`

// sortedV2 is v2Body with its keys sorted by hand, as ZALO.md describes:
// the signature's input, written independently of the code under test.
const sortedV2 = `{"data":{"accountNumber":"88888888","amount":599000,"bankAbbreviation":"VPB","bankName":"VPBank","counterAccountBankId":"970415","counterAccountBankName":"VietinBank","counterAccountName":"NGUYEN VAN A","counterAccountNumber":"0123","description":"NGUYEN VAN A chuyển tiền <b>","id":123456,"reference":"FT24277","runningBalance":25000000,"transactionDateTime":"2024-10-03 15:06:37","virtualAccountName":"","virtualAccountNumber":""},"error":0}`

func sign(secret, t, msg string) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(t + "." + msg))
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

func TestCanonical(t *testing.T) {
	got, err := casso.Canonical([]byte(v2Body))
	require.NoError(t, err)
	require.Equal(t, sortedV2, string(got))
}

func TestVerifyV2(t *testing.T) {
	now := time.UnixMilli(1727942797000)
	header := sign("s3cret", "1727942797000", sortedV2)
	verify := func(secrets []string, body string, header string, now time.Time, maxAge time.Duration) (int, error) {
		return casso.VerifyV2(secrets, []byte(body), header, now, maxAge)
	}
	matched, err := verify([]string{"s3cret"}, v2Body, header, now, 10*time.Minute)
	require.NoError(t, err)
	require.Equal(t, 0, matched)

	_, err = verify([]string{"other"}, v2Body, header, now, 10*time.Minute)
	require.ErrorIs(t, err, casso.ErrBadSignature)
	tampered := strings.Replace(v2Body, "599000", "599001", 1)
	_, err = verify([]string{"s3cret"}, tampered, header, now, 10*time.Minute)
	require.ErrorIs(t, err, casso.ErrBadSignature)
	_, err = verify([]string{"s3cret"}, v2Body, "v1=abc", now, 0)
	require.ErrorIs(t, err, casso.ErrBadSignature)
	_, err = verify([]string{"", ""}, v2Body, sign("", "1727942797000", sortedV2), now, 0)
	require.ErrorIs(t, err, casso.ErrBadSignature, "an empty secret never verifies")

	t.Run("any of the secrets, and which one", func(t *testing.T) {
		matched, err := verify([]string{"new-secret", "s3cret"}, v2Body, header, now, 10*time.Minute)
		require.NoError(t, err)
		require.Equal(t, 1, matched)
		_, err = verify(nil, v2Body, header, now, 10*time.Minute)
		require.ErrorIs(t, err, casso.ErrBadSignature)
	})

	t.Run("too old", func(t *testing.T) {
		late := now.Add(11 * time.Minute)
		_, err := verify([]string{"s3cret"}, v2Body, header, late, 10*time.Minute)
		require.ErrorIs(t, err, casso.ErrStale)
		_, err = verify([]string{"s3cret"}, v2Body, header, late, 0)
		require.NoError(t, err, "0 turns the age check off")
		_, err = verify([]string{"wrong"}, v2Body, header, late, 10*time.Minute)
		require.ErrorIs(t, err, casso.ErrBadSignature, "the signature is checked first")
	})

	t.Run("from the future", func(t *testing.T) {
		for _, maxAge := range []time.Duration{10 * time.Minute, 0} {
			early := now.Add(-casso.MaxSkew - time.Millisecond)
			_, err := verify([]string{"s3cret"}, v2Body, header, early, maxAge)
			require.ErrorIs(t, err, casso.ErrFuture, "maxAge %v: the future check is always on", maxAge)
			_, err = verify([]string{"s3cret"}, v2Body, header, now.Add(-casso.MaxSkew), maxAge)
			require.NoError(t, err, "up to MaxSkew ahead is clock drift")
		}
		_, err := verify([]string{"wrong"}, v2Body, header, now.Add(-time.Hour), 0)
		require.ErrorIs(t, err, casso.ErrBadSignature, "the signature is checked first")
	})
}

func TestParseV2(t *testing.T) {
	txn, err := casso.ParseV2([]byte(v2Body))
	require.NoError(t, err)
	require.Equal(t, "123456", txn.ID)
	require.EqualValues(t, 599000, txn.Amount)
	require.EqualValues(t, 25000000, *txn.BalanceAfter)
	require.Equal(t, "88888888", txn.AccountNumber)
	require.Equal(t, "VietinBank", txn.CounterBankName)
	require.Equal(t, time.Date(2024, 10, 3, 8, 6, 37, 0, time.UTC), txn.OccurredAt.UTC(), "Casso's times are Vietnam time")

	for _, tc := range []struct{ body, field string }{
		{`not json`, "body"},
		{`{"error":0}`, "data"},
		{`{"data":[]}`, "data"},
		{strings.Replace(v2Body, `"amount":599000`, `"amount":0`, 1), "data.amount"},
		{strings.Replace(v2Body, `"amount":599000`, `"amount":5.5`, 1), "data.amount"},
		{strings.Replace(v2Body, `"amount":599000`, `"amount":1e30`, 1), "data.amount"},
		{strings.Replace(v2Body, `"amount":599000,`, ``, 1), "data.amount"},
		{strings.Replace(v2Body, `"amount":599000`, `"amount":"x"`, 1), "data.amount"},
		{strings.Replace(v2Body, `"id":123456`, `"id":{}`, 1), "data.id"},
		{strings.Replace(v2Body, `"id":123456,`, ``, 1), "data.id"},
		{strings.Replace(v2Body, `"reference":"FT24277"`, `"reference":5`, 1), "data.reference"},
		{strings.Replace(v2Body, `"2024-10-03 15:06:37"`, `"03/10/2024"`, 1), "data.transactionDateTime"},
		{strings.Replace(v2Body, `"accountNumber":"88888888"`, `"accountNumber":""`, 1), "data.accountNumber"},
	} {
		_, err := casso.ParseV2([]byte(tc.body))
		var fe *casso.FieldError
		require.ErrorAs(t, err, &fe, tc.body)
		require.Equal(t, tc.field, fe.Field, tc.body)
	}
}

const v1Batch = `{"error":0,"data":[{"id":1,"tid":"TF1","description":"a","amount":-1250000,"cusum_balance":100,"when":"2020-11-02 10:12:13","bank_sub_acc_id":"111"},{"id":2,"tid":"TF2","description":"b","amount":5,"when":"2020-11-02","bank_sub_acc_id":"111"},{"id":3,"tid":"TF3","description":"c","amount":7,"when":"2020-11-03","bank_sub_acc_id":"111"}]}`

func TestParseV1(t *testing.T) {
	txns, bad, err := casso.ParseV1([]byte(v1Batch))
	require.NoError(t, err)
	require.Empty(t, bad)
	require.Len(t, txns, 3)
	require.EqualValues(t, -1250000, txns[0].Amount)
	require.Equal(t, "TF1", txns[0].Reference)
	require.EqualValues(t, 100, *txns[0].BalanceAfter)
	require.Nil(t, txns[1].BalanceAfter)
	require.Equal(t, []int{0, 1, 2}, []int{txns[0].Index, txns[1].Index, txns[2].Index})
	require.Equal(t, time.Date(2020, 11, 2, 3, 12, 13, 0, time.UTC), txns[0].OccurredAt.UTC(), "Casso's times are Vietnam time")
}

// TestParseV1SkipsBadItems: a bad transaction is named, and the others
// are read all the same.
func TestParseV1SkipsBadItems(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		id, field      string
	}{
		{"malformed amount", `"amount":5`, `"amount":"x"`, "2", "data[1].amount"},
		{"fractional amount", `"amount":5`, `"amount":5.5`, "2", "data[1].amount"},
		{"zero amount", `"amount":5`, `"amount":0`, "2", "data[1].amount"},
		{"no amount", `"amount":5,`, ``, "2", "data[1].amount"},
		{"bad balance", `"amount":5,`, `"amount":5,"cusum_balance":true,`, "2", "data[1].cusum_balance"},
		{"bad time", `"when":"2020-11-02",`, `"when":"02/11/2020",`, "2", "data[1].when"},
		{"wrong type", `"tid":"TF2"`, `"tid":2`, "2", "data[1].tid"},
		{"no id", `"id":2,`, ``, "", "data[1].id"},
		{"string id", `"id":2,"tid":"TF2","description":"b","amount":5`, `"id":"C-2","tid":"TF2","description":"b","amount":"x"`, "C-2", "data[1].amount"},
		{"object id", `"id":2,`, `"id":{},`, "", "data[1].id"},
		{"no account", `"bank_sub_acc_id":"111"},{"id":3`, `"bank_sub_acc_id":" "},{"id":3`, "2", "data[1].bank_sub_acc_id"},
		{"not an object", `{"id":2,"tid":"TF2","description":"b","amount":5,"when":"2020-11-02","bank_sub_acc_id":"111"}`, `"two"`, "", "data[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(v1Batch, tc.from, tc.to, 1)
			require.NotEqual(t, v1Batch, body)
			txns, bad, err := casso.ParseV1([]byte(body))
			require.NoError(t, err)
			require.Len(t, txns, 2)
			require.Equal(t, "1", txns[0].ID)
			require.Equal(t, "3", txns[1].ID)
			require.Equal(t, 2, txns[1].Index)
			require.Len(t, bad, 1)
			require.Equal(t, 1, bad[0].Index)
			require.Equal(t, tc.id, bad[0].ID)
			var fe *casso.FieldError
			require.ErrorAs(t, bad[0], &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}

	t.Run("every item bad", func(t *testing.T) {
		txns, bad, err := casso.ParseV1([]byte(`{"data":[{"id":1},{"id":2,"amount":0},3]}`))
		require.NoError(t, err)
		require.Empty(t, txns)
		require.Len(t, bad, 3)
		require.Equal(t, []int{0, 1, 2}, []int{bad[0].Index, bad[1].Index, bad[2].Index})
	})
	t.Run("no items", func(t *testing.T) {
		txns, bad, err := casso.ParseV1([]byte(`{"data":[]}`))
		require.NoError(t, err)
		require.Empty(t, txns)
		require.Empty(t, bad)
	})
	t.Run("a long id is cut in the report", func(t *testing.T) {
		_, bad, err := casso.ParseV1([]byte(`{"data":[{"id":"` + strings.Repeat("đ", 500) + `"}]}`))
		require.NoError(t, err)
		require.Equal(t, strings.Repeat("đ", 64), bad[0].ID)
	})
	for _, body := range []string{``, `not json`, `[]`, `{}`, `{"data":null}`, `{"data":{}}`, `{"data":"x"}`} {
		_, _, err := casso.ParseV1([]byte(body))
		var fe *casso.FieldError
		require.ErrorAs(t, err, &fe, "body %q is not an object with a data array", body)
	}
}

func TestVerifyV1(t *testing.T) {
	matched, err := casso.VerifyV1([]string{"tok"}, "tok")
	require.NoError(t, err)
	require.Equal(t, 0, matched)
	matched, err = casso.VerifyV1([]string{"new", "tok"}, "tok")
	require.NoError(t, err)
	require.Equal(t, 1, matched)
	for _, secrets := range [][]string{{"tok"}, {"new", "tok"}, {""}, nil} {
		_, err := casso.VerifyV1(secrets, "tak")
		require.ErrorIs(t, err, casso.ErrBadSignature)
	}
	_, err = casso.VerifyV1([]string{""}, "")
	require.ErrorIs(t, err, casso.ErrBadSignature, "an empty secret never verifies")
}

func FuzzParseV2(f *testing.F) {
	f.Add([]byte(v2Body))
	f.Add([]byte(`{"data":{"id":"x","amount":1,"transactionDateTime":"2024-01-01","accountNumber":"1"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		txn, err := casso.ParseV2(body)
		if err != nil {
			return
		}
		require.NotZero(t, txn.Amount)
		require.LessOrEqual(t, txn.Amount, int64(casso.MaxAmount))
		require.NotEmpty(t, txn.ID)
		require.NotEmpty(t, txn.AccountNumber)
	})
}

func FuzzParseV1(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":1,"amount":5,"when":"2020-11-02","bank_sub_acc_id":"111"}]}`))
	f.Add([]byte(v1Batch))
	f.Add([]byte(strings.Replace(v1Batch, `"amount":5`, `"amount":"x"`, 1)))
	f.Add([]byte(`{"data":[{"id":"a"},2,null,{"id":1e3,"amount":-1,"when":"2020-11-02","bank_sub_acc_id":"1"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		txns, bad, err := casso.ParseV1(body)
		if err != nil {
			require.Nil(t, txns)
			require.Nil(t, bad)
			return
		}
		// Every item is either read or reported, once, in order.
		var b struct {
			Data []json.RawMessage `json:"data"`
		}
		require.NoError(t, json.NewDecoder(bytes.NewReader(body)).Decode(&b))
		require.Equal(t, len(b.Data), len(txns)+len(bad))
		seen := make([]bool, len(b.Data))
		last := -1
		for _, txn := range txns {
			require.Greater(t, txn.Index, last)
			last = txn.Index
			seen[txn.Index] = true
			require.NotZero(t, txn.Amount)
			require.LessOrEqual(t, txn.Amount, int64(casso.MaxAmount))
			require.GreaterOrEqual(t, txn.Amount, int64(-casso.MaxAmount))
			require.NotEmpty(t, strings.TrimSpace(txn.ID))
			require.NotEmpty(t, strings.TrimSpace(txn.AccountNumber))
		}
		last = -1
		for _, e := range bad {
			require.Greater(t, e.Index, last)
			last = e.Index
			require.False(t, seen[e.Index], "item %d both read and reported", e.Index)
			require.LessOrEqual(t, utf8.RuneCountInString(e.ID), 64)
			var fe *casso.FieldError
			require.ErrorAs(t, e, &fe)
			require.True(t, strings.HasPrefix(fe.Field, "data["+strconv.Itoa(e.Index)+"]"), fe.Field)
		}
	})
}

func FuzzCanonical(f *testing.F) {
	f.Add([]byte(v2Body))
	f.Fuzz(func(t *testing.T, body []byte) {
		once, err := casso.Canonical(body)
		if err != nil {
			return
		}
		twice, err := casso.Canonical(once)
		require.NoError(t, err)
		require.Equal(t, string(once), string(twice), "canonical form is stable")
	})
}
