package casso_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/casso"
)

// pageBody is an answer of GET /v2/transactions as ZALO.md §6 gives it,
// its records in the webhook's fields.
const pageBody = `{"error":0,"message":"success","data":{"page":2,"pageSize":100,"nextPage":3,"prevPage":1,"totalPages":3,"totalRecords":201,"records":[` +
	`{"id":11,"reference":"FT1","description":"a","amount":599000,"runningBalance":1000000,"transactionDateTime":"2026-11-25 09:15:00","accountNumber":"88888888","bankName":"VPBank","bankAbbreviation":"VPB","virtualAccountNumber":"VA01","counterAccountName":"","counterAccountNumber":"","counterAccountBankName":""},` +
	`{"id":12,"description":"b","amount":0,"transactionDateTime":"2026-11-25 09:16:00","accountNumber":"88888888"},` +
	`"nonsense",` +
	`{"id":"C-13","description":"c","amount":-5000,"transactionDateTime":"2026-11-25 09:17:00","accountNumber":"88888888"}]}}`

func TestParsePage(t *testing.T) {
	p, err := casso.ParsePage([]byte(pageBody))
	require.NoError(t, err)
	require.Equal(t, 2, p.Page)
	require.Equal(t, 3, p.TotalPages)
	require.Len(t, p.Records, 2)
	require.Equal(t, "11", p.Records[0].ID)
	require.Equal(t, "VA01", p.Records[0].VirtualAccount)
	require.EqualValues(t, 1000000, *p.Records[0].BalanceAfter)
	require.Equal(t, "C-13", p.Records[1].ID)
	require.Equal(t, 3, p.Records[1].Index)
	require.EqualValues(t, -5000, p.Records[1].Amount)

	require.Len(t, p.Bad, 2, "a bad record does not sink the page")
	require.Equal(t, "12", p.Bad[0].ID)
	var fe *casso.FieldError
	require.ErrorAs(t, p.Bad[0], &fe)
	require.Equal(t, "data.records[1].amount", fe.Field)
	require.ErrorAs(t, p.Bad[1], &fe)
	require.Equal(t, "data.records[2]", fe.Field)

	_, err = casso.ParsePage([]byte(`{"error":401,"message":"Unauthorized","data":null}`))
	var apiErr *casso.APIError
	require.ErrorAs(t, err, &apiErr, "a refusal is Casso's error")
	require.Equal(t, 401, apiErr.Code)

	for _, body := range []string{``, `[]`, `{"error":0}`, `{"error":0,"data":[]}`, `{"error":0,"data":{"records":{}}}`, `{"error":0,"data":{"page":-1}}`} {
		_, err := casso.ParsePage([]byte(body))
		require.ErrorAs(t, err, &fe, "body %q", body)
	}
	empty, err := casso.ParsePage([]byte(`{"error":0,"data":{"page":1,"totalPages":0,"records":[]}}`))
	require.NoError(t, err)
	require.Empty(t, empty.Records)
}

func TestPageQuery(t *testing.T) {
	q := casso.PageQuery("2026-11-22", "2026-11-25", 3)
	require.Equal(t, "fromDate=2026-11-22&page=3&pageSize=100&sort=ASC&toDate=2026-11-25", q.Encode())
}

func FuzzParsePage(f *testing.F) {
	f.Add([]byte(pageBody))
	f.Add([]byte(`{"error":0,"data":{"page":1,"totalPages":1,"records":[{"id":1,"amount":1,"transactionDateTime":"2026-01-01","accountNumber":"1"},null,3]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := casso.ParsePage(body)
		if err != nil {
			return
		}
		// Every record is either read or reported, once, in order.
		var b struct {
			Data struct {
				Records []json.RawMessage `json:"records"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(bytes.NewReader(body)).Decode(&b))
		require.Equal(t, len(b.Data.Records), len(p.Records)+len(p.Bad))
		for _, txn := range p.Records {
			require.NotZero(t, txn.Amount)
			require.LessOrEqual(t, txn.Amount, int64(casso.MaxAmount))
			require.NotEmpty(t, strings.TrimSpace(txn.ID))
			require.NotEmpty(t, strings.TrimSpace(txn.AccountNumber))
		}
		for _, e := range p.Bad {
			var fe *casso.FieldError
			require.ErrorAs(t, e, &fe)
			require.True(t, strings.HasPrefix(fe.Field, "data.records["+strconv.Itoa(e.Index)+"]"), fe.Field)
		}
		require.GreaterOrEqual(t, p.Page, 0)
	})
}
