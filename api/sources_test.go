package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func TestWebhookSourceSettings(t *testing.T) {
	testenv.SkipShort(t, "a Temporal dev server (a sync starts a read-back)")
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct{ body, says string }{
		{`{"provider":"sepay","secret":"sepay-secret","auth":"oauth"}`, "auth: hmac or apikey"},
		{`{"provider":"casso_v2","secret":"casso-secret","auth":"hmac"}`, "auth: only for a sepay source"},
		{`{"provider":"sepay","secret":"sepay-secret","casso_api_key":"casso-key-1"}`, "casso_api_key: only a Casso source"},
		{`{"provider":"casso_v2","secret":"casso-secret","casso_api_key":"short"}`, "casso_api_key: 8 to 256"},
		{`{"provider":"casso_v2","secret":"casso-secret","casso_api_key":"with space in"}`, "casso_api_key: 8 to 256"},
		{`{"provider":"momo","secret":"casso-secret"}`, "provider: casso_v2, casso_v1 or sepay"},
	} {
		status, res := f.do(t, "POST", "/v1/webhook-sources", f.key, tc.body)
		require.Equal(t, http.StatusBadRequest, status, tc.body)
		require.Contains(t, res["error"].(map[string]any)["message"], tc.says, tc.body)
	}

	status, created := f.do(t, "POST", "/v1/webhook-sources", f.key, `{"provider":"casso_v2","secret":"casso-secret","casso_api_key":"casso-api-key-1"}`)
	require.Equal(t, http.StatusCreated, status, "%v", created)
	id := created["id"].(string)
	require.Equal(t, true, created["has_casso_api_key"])
	require.Nil(t, created["auth"])
	require.Nil(t, created["last_webhook_at"])
	require.Nil(t, created["sync_error"])
	require.EqualValues(t, 0, created["recovered_7d"])
	var sealed []byte
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT casso_api_key FROM webhook_sources WHERE id = $1", id).Scan(&sealed))
	require.NotContains(t, string(sealed), "casso-api-key-1", "the key is stored sealed")

	status, sepay := f.do(t, "POST", "/v1/webhook-sources", f.key, `{"provider":"sepay","secret":"sepay-secret"}`)
	require.Equal(t, http.StatusCreated, status)
	status, res := f.do(t, "PATCH", "/v1/webhook-sources/"+sepay["id"].(string), f.key, `{"casso_api_key":"casso-api-key-1"}`)
	require.Equal(t, http.StatusBadRequest, status, "%v", res)
	status, res = f.do(t, "POST", "/v1/webhook-sources/"+sepay["id"].(string)+"/sync", f.key, "")
	require.Equal(t, http.StatusConflict, status, "%v", res)
	require.Equal(t, "no_api_key", errorCode(res))

	// A key refused by Casso shows on the source; a new key forgets it.
	_, err := f.pool.Exec(context.Background(), "UPDATE webhook_sources SET sync_error = 'Casso refused the API key (401)', sync_error_since = now(), sync_error_told = true WHERE id = $1", id)
	require.NoError(t, err)
	_, list := f.do(t, "GET", "/v1/webhook-sources", f.key, "")
	require.Equal(t, "Casso refused the API key (401)", list["items"].([]any)[0].(map[string]any)["sync_error"])
	status, res = f.do(t, "PATCH", "/v1/webhook-sources/"+id, f.key, `{"casso_api_key":"casso-api-key-2"}`)
	require.Equal(t, http.StatusOK, status, "%v", res)
	require.Nil(t, res["sync_error"])
	require.Equal(t, true, res["has_casso_api_key"])
	for _, body := range []string{`{}`, `{"casso_api_key":"x"}`} {
		status, _ := f.do(t, "PATCH", "/v1/webhook-sources/"+id, f.key, body)
		require.Equal(t, http.StatusBadRequest, status, body)
	}
	status, _ = f.do(t, "PATCH", "/v1/webhook-sources/"+id, f.other, `{"casso_api_key":"casso-api-key-3"}`)
	require.Equal(t, http.StatusNotFound, status, "another workspace's source")

	// Sync starts the read-back of that source over the schedule's days.
	status, res = f.do(t, "POST", "/v1/webhook-sources/"+id+"/sync", f.key, "")
	require.Equal(t, http.StatusAccepted, status, "%v", res)
	from, to := contract.ReadBackDates(time.Now(), 3)
	require.Equal(t, map[string]any{"from": from, "to": to}, res)
	run := temporalClient.GetWorkflow(context.Background(), contract.ReadBackWorkflowID(uuid.MustParse(id)), "")
	desc, err := temporalClient.DescribeWorkflowExecution(context.Background(), run.GetID(), "")
	require.NoError(t, err)
	require.Equal(t, contract.ReadBackName, desc.WorkflowExecutionInfo.Type.Name)
	_ = temporalClient.TerminateWorkflow(context.Background(), run.GetID(), "", "no worker in this test")

	// Removed: no read-back.
	status, res = f.do(t, "PATCH", "/v1/webhook-sources/"+id, f.key, `{"casso_api_key":""}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, false, res["has_casso_api_key"])
	status, _ = f.do(t, "POST", "/v1/webhook-sources/"+id+"/sync", f.key, "")
	require.Equal(t, http.StatusConflict, status)
}

// TestNoKeyCanPreemptAPayment: a transaction's identity is its source and
// the source's id. A leaked ingest key posting a Casso-fed account and a
// coming Casso id records a transaction of the REST API's; Casso's payment
// with that id is another, recorded and notified.
func TestNoKeyCanPreemptAPayment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v2", "casso-secret-key")
	status, created := f.do(t, "POST", "/v1/api-keys", f.key, `{"label":"till","scope":"ingest"}`)
	require.Equal(t, http.StatusCreated, status)
	leaked := created["key"].(string)
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"88888888"}`)

	status, forged := f.do(t, "POST", "/v1/transactions", leaked,
		`{"account_number":"88888888","external_id":"4242","amount":-1,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusAccepted, status, "%v", forged)

	when := "2024-10-03 15:06:37"
	body, sorted := fmt.Sprintf(cassoV2, 4242, when), fmt.Sprintf(sortedV2, 4242, when)
	status, res := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), sorted)})
	require.Equal(t, http.StatusOK, status, "%v", res)
	require.Equal(t, 2, f.count(t, "transactions"), "Casso's payment is recorded beside the forged one")
	var queued int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM outbox WHERE kind = 'notify'").Scan(&queued))
	require.Equal(t, 2, queued, "and queued for its notification")

	var real string
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT id FROM transactions WHERE via = 'webhook'").Scan(&real))
	_, txn := f.do(t, "GET", "/v1/transactions/"+real, f.key, "")
	require.Equal(t, "webhook", txn["via"])
	require.Equal(t, strings.TrimPrefix(path, "/v1/hooks/casso/"), txn["source_id"])
	require.EqualValues(t, 599000, txn["amount"])
	_, txn = f.do(t, "GET", "/v1/transactions/"+forged["transaction_id"].(string), f.key, "")
	require.Equal(t, "api", txn["via"])
	require.Nil(t, txn["source_id"])

	// Each source still knows its own ids: the REST API's repeat is a
	// duplicate; another amount under that id is a conflict.
	status, again := f.do(t, "POST", "/v1/transactions", leaked,
		`{"account_number":"88888888","external_id":"4242","amount":-1,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, true, again["duplicate"])
	require.Equal(t, forged["transaction_id"], again["transaction_id"])
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)
	status, _ = f.do(t, "POST", "/v1/transactions", leaked,
		`{"account_number":"111","external_id":"4242","amount":-1,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusConflict, status, "the REST API's id, on another account, is a reused id")
}

// TestTransactionsRecordedBeforeSourcesKeepTheirIdentity: a transaction
// recorded before tingting kept sources is still found by its bank
// account and id, so Casso delivering it again does not notify twice.
func TestTransactionsRecordedBeforeSourcesKeepTheirIdentity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.source(t, "casso_v2", "casso-secret-key")
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"88888888"}`)
	_, err := f.pool.Exec(context.Background(), `
		INSERT INTO transactions (workspace_id, bank_account_id, external_id, amount, occurred_at, via)
		SELECT workspace_id, id, '777', 599000, '2024-10-03 15:06:37+07', NULL FROM bank_accounts WHERE account_number = '88888888'`)
	require.NoError(t, err)

	when := "2024-10-03 15:06:37"
	body, sorted := fmt.Sprintf(cassoV2, 777, when), fmt.Sprintf(sortedV2, 777, when)
	status, _ := f.hook(t, path, body, map[string]string{"X-Casso-Signature": cassoSign("casso-secret-key", time.Now(), sorted)})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 1, f.count(t, "transactions"))
	require.Equal(t, 0, f.count(t, "outbox"), "a redelivery of the old row notifies nobody")
	var via *string
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT via FROM transactions").Scan(&via))
	require.Nil(t, via)
}
