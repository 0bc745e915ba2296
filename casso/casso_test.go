package casso_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"strings"
	"testing"
	"time"

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
	require.NoError(t, casso.VerifyV2("s3cret", []byte(v2Body), header, now, 10*time.Minute))

	require.ErrorIs(t, casso.VerifyV2("other", []byte(v2Body), header, now, 10*time.Minute), casso.ErrBadSignature)
	tampered := strings.Replace(v2Body, "599000", "599001", 1)
	require.ErrorIs(t, casso.VerifyV2("s3cret", []byte(tampered), header, now, 10*time.Minute), casso.ErrBadSignature)
	require.ErrorIs(t, casso.VerifyV2("s3cret", []byte(v2Body), "v1=abc", now, 0), casso.ErrBadSignature)
	late := now.Add(11 * time.Minute)
	require.ErrorIs(t, casso.VerifyV2("s3cret", []byte(v2Body), header, late, 10*time.Minute), casso.ErrStale)
	require.NoError(t, casso.VerifyV2("s3cret", []byte(v2Body), header, late, 0), "0 turns the age check off")
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
		{strings.Replace(v2Body, `"2024-10-03 15:06:37"`, `"03/10/2024"`, 1), "data.transactionDateTime"},
		{strings.Replace(v2Body, `"accountNumber":"88888888"`, `"accountNumber":""`, 1), "data.accountNumber"},
	} {
		_, err := casso.ParseV2([]byte(tc.body))
		var fe *casso.FieldError
		require.ErrorAs(t, err, &fe, tc.body)
		require.Equal(t, tc.field, fe.Field, tc.body)
	}
}

func TestParseV1(t *testing.T) {
	body := `{"error":0,"data":[{"id":1,"tid":"TF1","description":"a","amount":-1250000,"cusum_balance":100,"when":"2020-11-02 10:12:13","bank_sub_acc_id":"111"},{"id":2,"tid":"TF2","description":"b","amount":5,"when":"2020-11-02","bank_sub_acc_id":"111"}]}`
	txns, err := casso.ParseV1([]byte(body))
	require.NoError(t, err)
	require.Len(t, txns, 2)
	require.EqualValues(t, -1250000, txns[0].Amount)
	require.Equal(t, "TF1", txns[0].Reference)
	require.Nil(t, txns[1].BalanceAfter)

	_, err = casso.ParseV1([]byte(strings.Replace(body, `"amount":5`, `"amount":0`, 1)))
	var fe *casso.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "data[1].amount", fe.Field, "one bad transaction rejects the body")

	require.NoError(t, casso.VerifyV1("tok", "tok"))
	require.ErrorIs(t, casso.VerifyV1("tok", "tak"), casso.ErrBadSignature)
	require.ErrorIs(t, casso.VerifyV1("", ""), casso.ErrBadSignature)
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
	f.Fuzz(func(t *testing.T, body []byte) {
		txns, err := casso.ParseV1(body)
		if err != nil {
			return
		}
		require.NotEmpty(t, txns)
		for _, txn := range txns {
			require.NotZero(t, txn.Amount)
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
