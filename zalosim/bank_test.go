package zalosim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/sepay"
	"github.com/tingting-vn/tingting/zalosim"
)

// receiver is a webhook URL that keeps what it got and answers status
// (200 once it has run out).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []http.Request
	bodies   [][]byte
}

func (rc *receiver) serve(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, *r)
		rc.bodies = append(rc.bodies, b)
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func (w world) bankSource(t *testing.T, body string) string {
	t.Helper()
	status, res, _ := w.do(t, http.MethodPost, "/_sandbox/bank/sources", "application/json", body)
	require.Equal(t, http.StatusCreated, status, res)
	var src struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(res), &src))
	return src.ID
}

func (w world) pay(t *testing.T, body string) (int64, int) {
	t.Helper()
	status, res, _ := w.do(t, http.MethodPost, "/_sandbox/bank/transactions", "application/json", body)
	require.Equal(t, http.StatusCreated, status, res)
	var p struct {
		ID            int64 `json:"id"`
		WebhookStatus int   `json:"webhook_status"`
	}
	require.NoError(t, json.Unmarshal([]byte(res), &p))
	return p.ID, p.WebhookStatus
}

// TestCassoWebhooksAreCassos: what the sandbox posts for a Casso source is
// what tingting's casso package verifies and reads.
func TestCassoWebhooksAreCassos(t *testing.T) {
	w := newWorld(t, zalosim.Config{})
	var rc receiver
	src := w.bankSource(t, `{"provider":"casso_v2","url":"`+rc.serve(t)+`","secret":"casso-secret"}`)
	id, status := w.pay(t, `{"source_id":"`+src+`","account_number":"0123456789","amount":599000,"description":"Thanh toán <đơn> & 1","sub_account":"VA01"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 1, rc.count())

	_, err := casso.VerifyV2([]string{"casso-secret"}, rc.bodies[0], rc.got[0].Header.Get("X-Casso-Signature"), time.Now(), 10*time.Minute)
	require.NoError(t, err)
	txn, err := casso.ParseV2(rc.bodies[0])
	require.NoError(t, err)
	require.Equal(t, id, mustInt(t, txn.ID))
	require.EqualValues(t, 599000, txn.Amount)
	require.EqualValues(t, 10_599_000, *txn.BalanceAfter, "the account's balance after it")
	require.Equal(t, "Thanh toán <đơn> & 1", txn.Description)
	require.Equal(t, "0123456789", txn.AccountNumber)
	require.Equal(t, "VA01", txn.VirtualAccount)
	require.WithinDuration(t, time.Now(), txn.OccurredAt, 2*time.Second)
	require.True(t, strings.HasPrefix(string(rc.bodies[0]), `{"error":0,"data":{"id":`), "Casso's order, not sorted: %s", rc.bodies[0])
}

func mustInt(t *testing.T, s string) int64 {
	var n int64
	require.NoError(t, json.Unmarshal([]byte(s), &n))
	return n
}

// TestSePayWebhooksAreSePays: HMAC or API key, as the source says, and a
// body tingting's sepay package reads.
func TestSePayWebhooksAreSePays(t *testing.T) {
	w := newWorld(t, zalosim.Config{})
	var hmacRC, keyRC receiver
	hmacSrc := w.bankSource(t, `{"provider":"sepay","url":"`+hmacRC.serve(t)+`","secret":"sepay-secret"}`)
	keySrc := w.bankSource(t, `{"provider":"sepay","auth":"apikey","url":"`+keyRC.serve(t)+`","secret":"sepay-key"}`)

	id, _ := w.pay(t, `{"source_id":"`+hmacSrc+`","account_number":"0123499999","amount":-2277000,"description":"chuyen tien DH1234","code":"DH1234"}`)
	h := hmacRC.got[0].Header
	_, err := sepay.VerifyHMAC([]string{"sepay-secret"}, hmacRC.bodies[0], h.Get("X-SePay-Timestamp"), h.Get("X-SePay-Signature"), time.Now())
	require.NoError(t, err)
	txn, err := sepay.Parse(hmacRC.bodies[0])
	require.NoError(t, err)
	require.Equal(t, id, mustInt(t, txn.ID))
	require.EqualValues(t, -2277000, txn.Amount, `"out", as a positive transferAmount`)
	require.Equal(t, "DH1234", txn.Code)
	require.Equal(t, "chuyen tien DH1234", txn.Content)

	w.pay(t, `{"source_id":"`+keySrc+`","account_number":"0123499999","amount":5000,"description":"x"}`)
	_, err = sepay.VerifyAPIKey([]string{"sepay-key"}, keyRC.got[0].Header.Get("Authorization"))
	require.NoError(t, err)
	require.Empty(t, keyRC.got[0].Header.Get("X-SePay-Signature"))
}

// TestBankWebhooksAreRetriedOrDropped: a non-2xx answer is retried a
// second later, signed afresh; deliver:false posts nothing; every attempt
// is listed.
func TestBankWebhooksAreRetriedOrDropped(t *testing.T) {
	w := newWorld(t, zalosim.Config{})
	rc := receiver{statuses: []int{500}}
	src := w.bankSource(t, `{"provider":"sepay","url":"`+rc.serve(t)+`","secret":"sepay-secret"}`)
	id, status := w.pay(t, `{"source_id":"`+src+`","account_number":"1","amount":5,"description":"a"}`)
	require.Equal(t, 500, status)
	require.Eventually(t, func() bool { return rc.count() == 2 }, 5*time.Second, 50*time.Millisecond, "retried")
	time.Sleep(1500 * time.Millisecond)
	require.Equal(t, 2, rc.count(), "not after a 200")
	require.Equal(t, rc.bodies[0], rc.bodies[1], "the same body")

	dropped, status := w.pay(t, `{"source_id":"`+src+`","account_number":"1","amount":6,"description":"b","deliver":false}`)
	require.Zero(t, status)
	time.Sleep(200 * time.Millisecond)
	require.Equal(t, 2, rc.count(), "a dropped webhook is never posted")

	_, body, _ := w.do(t, http.MethodGet, "/_sandbox/bank/deliveries", "", "")
	var d struct{ Items []zalosim.BankDelivery }
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	require.Len(t, d.Items, 2)
	require.Equal(t, []int{1, 2}, []int{d.Items[0].Attempt, d.Items[1].Attempt})
	require.Equal(t, []int{500, 200}, []int{d.Items[0].Status, d.Items[1].Status})
	require.Equal(t, id, d.Items[0].TransactionID)
	require.NotEqual(t, id, dropped)

	// The page's form makes a payment too.
	status, _, _ = w.form(t, "/_sandbox/bank/transactions", url.Values{
		"source_id": {src}, "account_number": {"1"}, "amount": {"7"}, "description": {"c"}, "deliver": {"on"},
	})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, 3, rc.count())
	// A merchant's replay posts a payment again, a dropped one included.
	status, body, _ = w.do(t, http.MethodPost, fmt.Sprintf("/_sandbox/bank/transactions/%d/resend", dropped), "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, 4, rc.count())
	txn, err := sepay.Parse(rc.bodies[3])
	require.NoError(t, err)
	require.Equal(t, dropped, mustInt(t, txn.ID))
	status, _, _ = w.do(t, http.MethodPost, "/_sandbox/bank/transactions/1/resend", "", "")
	require.Equal(t, http.StatusNotFound, status)

	_, page, _ := w.do(t, http.MethodGet, "/_sandbox", "", "")
	require.Contains(t, page, "Tạo giao dịch")
	require.Contains(t, page, src)
}

// TestCassoReadBack: GET /v2/transactions lists the payments of the
// sources holding that API key, dropped ones included, by day and page,
// in the shape tingting's casso package reads; another key is refused.
func TestCassoReadBack(t *testing.T) {
	w := newWorld(t, zalosim.Config{})
	var rc receiver
	src := w.bankSource(t, `{"provider":"casso_v2","url":"`+rc.serve(t)+`","secret":"casso-secret","casso_api_key":"casso-key"}`)
	other := w.bankSource(t, `{"provider":"casso_v2","url":"`+rc.serve(t)+`","secret":"casso-secret","casso_api_key":"other-key"}`)
	var ids []int64
	for i := range 3 {
		id, _ := w.pay(t, `{"source_id":"`+src+`","account_number":"1","amount":`+fmt.Sprint(i+1)+`,"description":"a","deliver":false}`)
		ids = append(ids, id)
	}
	w.pay(t, `{"source_id":"`+other+`","account_number":"1","amount":9,"description":"not mine"}`)
	today := time.Now().In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)

	read := func(key string, q url.Values) (int, casso.Page) {
		status, body, _ := w.do(t, http.MethodGet, "/v2/transactions?"+q.Encode(), "", "", "Authorization: Apikey "+key)
		if status != http.StatusOK {
			return status, casso.Page{}
		}
		p, err := casso.ParsePage([]byte(body))
		require.NoError(t, err, body)
		return status, p
	}
	status, p := read("casso-key", casso.PageQuery(today, today, 1))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 1, p.TotalPages)
	require.Len(t, p.Records, 3, "only this key's sources, the dropped included")
	for i, r := range p.Records {
		require.Equal(t, ids[i], mustInt(t, r.ID), "oldest first")
	}
	_, p = read("casso-key", url.Values{"fromDate": {today}, "toDate": {today}, "page": {"2"}, "pageSize": {"2"}, "sort": {"ASC"}})
	require.Equal(t, 2, p.TotalPages)
	require.Len(t, p.Records, 1)
	require.Equal(t, ids[2], mustInt(t, p.Records[0].ID))
	_, p = read("casso-key", url.Values{"fromDate": {"2020-01-01"}, "toDate": {"2020-01-02"}})
	require.Empty(t, p.Records, "other days")

	status, _ = read("wrong-key", casso.PageQuery(today, today, 1))
	require.Equal(t, http.StatusUnauthorized, status)
}
