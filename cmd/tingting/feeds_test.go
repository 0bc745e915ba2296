package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// feedShop is a workspace whose account 0123456789 is watched by an
// integration of one owner, fed by the sandbox's bank providers over real
// HTTP: every payment is a signed webhook the sandbox posts to the API.
type feedShop struct {
	*stack
	key   string
	api   *apiclient.ClientWithResponses // with key
	owner zalosim.User
	pool  *db.Pool
}

const feedAccount = "0123456789"

func newFeedShop(t *testing.T, direction db.Direction) *feedShop {
	t.Helper()
	s := startStack(t)
	ctx := context.Background()
	sh := &feedShop{stack: s, key: s.workspace(t, "Shop"), owner: s.sim.CreateUser("Chị Lan", true)}
	sh.api = s.api(t, sh.key)
	acct, err := sh.api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{AccountNumber: feedAccount})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, acct.StatusCode())
	sh.pool, err = db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	t.Cleanup(sh.pool.Close)
	_, err = seed.CreateIntegration(ctx, sh.pool, seed.Integration{
		WorkspaceID: uuid.MustParse(s.workspaceOf(t, sh.key)), BankAccountIDs: []uuid.UUID{acct.JSON201.ID},
		Owner: seed.Person{OAUserID: sh.owner.OAUserID, AppUserID: sh.owner.AppUserID, Name: sh.owner.Name}, Direction: direction,
	})
	require.NoError(t, err)
	return sh
}

// source makes a webhook source in tingting and answers its id and URL.
func (sh *feedShop) source(t *testing.T, body apiclient.WebhookSourceRequest) (string, string) {
	t.Helper()
	res, err := sh.api.CreateWebhookSourceWithResponse(context.Background(), body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), "%s", res.Body)
	src := res.JSON201
	require.Equal(t, body.Provider, apiclient.WebhookSourceRequestProvider(src.Provider))
	require.Equal(t, body.CassoAPIKey != nil, src.HasCassoAPIKey)
	return src.ID.String(), src.URL
}

// provider tells the sandbox's provider where and how to post.
func (sh *feedShop) provider(t *testing.T, body map[string]string) string {
	t.Helper()
	var src struct{ ID string }
	require.Equal(t, http.StatusCreated, call(t, "POST", sh.sandboxURL+"/_sandbox/bank/sources", "", body, &src))
	return src.ID
}

// pay makes a payment at the sandbox's provider; it answers the
// provider's id and the status of the webhook's first attempt.
func (sh *feedShop) pay(t *testing.T, body map[string]any) (int64, int) {
	t.Helper()
	var p struct {
		ID            int64 `json:"id"`
		WebhookStatus int   `json:"webhook_status"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", sh.sandboxURL+"/_sandbox/bank/transactions", "", body, &p))
	return p.ID, p.WebhookStatus
}

func (sh *feedShop) resend(t *testing.T, id int64) int {
	t.Helper()
	var res struct {
		WebhookStatus int `json:"webhook_status"`
	}
	require.Equal(t, http.StatusOK, call(t, "POST", fmt.Sprintf("%s/_sandbox/bank/transactions/%d/resend", sh.sandboxURL, id), "", nil, &res))
	return res.WebhookStatus
}

// inbox waits until the owner's sandbox inbox holds n messages and none
// more comes for a moment, and answers them.
func (sh *feedShop) inbox(t *testing.T, n int) []string {
	t.Helper()
	var texts []string
	read := func() int {
		texts = texts[:0]
		for _, m := range sh.sim.Inbox(sh.owner.OAUserID) {
			texts = append(texts, m.Text)
		}
		return len(texts)
	}
	require.Eventually(t, func() bool { return read() >= n }, 30*time.Second, 100*time.Millisecond, "the owner's inbox never held %d messages", n)
	time.Sleep(time.Second)
	require.Equal(t, n, read(), "more messages than expected: %q", texts)
	return texts
}

// recorded lists the source's transactions as "<external id>:<via>".
func (sh *feedShop) recorded(t *testing.T, sourceID string) []string {
	t.Helper()
	rows, err := sh.pool.Query(context.Background(),
		"SELECT external_id, via FROM transactions WHERE source_id = $1 ORDER BY received_at", sourceID)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, via string
		require.NoError(t, rows.Scan(&id, &via))
		out = append(out, id+":"+via)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestSePayThroughTheSandbox: SePay's webhooks, as the sandbox signs and
// retries them, by HMAC or by API key: a good one reaches the owner's
// inbox once however often it comes; a wrong or stale one records nothing.
func TestSePayThroughTheSandbox(t *testing.T) {
	sh := newFeedShop(t, db.DirectionBoth)
	hmacID, hmacURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderSepay, Secret: "sepay-hmac-secret"})
	keyID, keyURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderSepay, Secret: "sepay-api-key-1", Auth: ptr(apiclient.WebhookSourceRequestAuthApikey)})
	hmac := sh.provider(t, map[string]string{"provider": "sepay", "url": hmacURL, "secret": "sepay-hmac-secret"})
	apikey := sh.provider(t, map[string]string{"provider": "sepay", "auth": "apikey", "url": keyURL, "secret": "sepay-api-key-1"})
	wrong := sh.provider(t, map[string]string{"provider": "sepay", "url": hmacURL, "secret": "not-the-secret"})
	wrongKey := sh.provider(t, map[string]string{"provider": "sepay", "auth": "apikey", "url": keyURL, "secret": "not-the-key"})

	id, status := sh.pay(t, map[string]any{"source_id": hmac, "account_number": feedAccount, "amount": 2_277_000, "description": "chuyen tien DH1234", "code": "DH1234"})
	require.Equal(t, http.StatusOK, status)
	texts := sh.inbox(t, 1)
	require.Contains(t, texts[0], "+2.277.000 VND")
	require.Contains(t, texts[0], "chuyen tien DH1234")
	require.Contains(t, texts[0], "Mã thanh toán: DH1234", "SePay's code can be shown")

	// SePay sends the same id again (a merchant's replay): acknowledged,
	// not recorded or sent twice.
	require.Equal(t, http.StatusOK, sh.resend(t, id))
	sh.inbox(t, 1)
	require.Equal(t, []string{fmt.Sprint(id, ":webhook")}, sh.recorded(t, hmacID))

	_, status = sh.pay(t, map[string]any{"source_id": apikey, "account_number": feedAccount, "amount": -50_000, "description": "tra tien hang"})
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, sh.inbox(t, 2)[1], "-50.000 VND")
	require.Len(t, sh.recorded(t, keyID), 1)

	for _, src := range []string{wrong, wrongKey} {
		_, status := sh.pay(t, map[string]any{"source_id": src, "account_number": feedAccount, "amount": 1_000, "description": "gia mao"})
		require.Equal(t, http.StatusUnauthorized, status, "a wrong secret or key")
	}
	sh.simClock.Store(int64(-10 * time.Minute)) // the provider's clock: its signature is 10 minutes old
	_, status = sh.pay(t, map[string]any{"source_id": hmac, "account_number": feedAccount, "amount": 1_000, "description": "cu"})
	require.Equal(t, http.StatusUnauthorized, status, "a stale signature")
	sh.simClock.Store(0)
	sh.inbox(t, 2)
	require.Len(t, sh.recorded(t, hmacID), 1, "nothing refused is recorded")
}

// TestASePayRetryAfterOur500RecordsOnce: the API records a payment but its
// answer is lost to a 500 on the way back; SePay retries, seconds later,
// and the retry is a duplicate: one transaction, one message.
func TestASePayRetryAfterOur500RecordsOnce(t *testing.T) {
	sh := newFeedShop(t, db.DirectionBoth)
	id, hookURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderSepay, Secret: "sepay-hmac-secret"})
	var calls atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(r.Method, sh.apiURL+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		if calls.Add(1) == 1 || err != nil {
			http.Error(w, "upstream connection reset", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(res.StatusCode)
	}))
	defer front.Close()
	src := sh.provider(t, map[string]string{"provider": "sepay", "url": front.URL + strings.TrimPrefix(hookURL, sh.apiURL), "secret": "sepay-hmac-secret"})

	_, status := sh.pay(t, map[string]any{"source_id": src, "account_number": feedAccount, "amount": 599_000, "description": "don 1"})
	require.Equal(t, http.StatusInternalServerError, status)
	require.Eventually(t, func() bool { return calls.Load() >= 2 }, 10*time.Second, 50*time.Millisecond, "SePay retried")
	sh.inbox(t, 1)
	require.Len(t, sh.recorded(t, id), 1)
	var deliveries struct{ Items []zalosim.BankDelivery }
	call(t, "GET", sh.sandboxURL+"/_sandbox/bank/deliveries", "", nil, &deliveries)
	require.Len(t, deliveries.Items, 2)
	require.Equal(t, []int{500, 200}, []int{deliveries.Items[0].Status, deliveries.Items[1].Status})
}

// sourceView is the source as GET /v1/webhook-sources lists it.
func (sh *feedShop) sourceView(t *testing.T, id string) apiclient.WebhookSource {
	t.Helper()
	res, err := sh.api.ListWebhookSourcesWithResponse(context.Background())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	for _, s := range res.JSON200.Items {
		if s.ID.String() == id {
			return s
		}
	}
	t.Fatalf("no source %s", id)
	return apiclient.WebhookSource{}
}

// sync reads a source back now and waits for the read-back to finish.
func (sh *feedShop) sync(t *testing.T, id string) {
	t.Helper()
	res, err := sh.api.SyncWebhookSourceWithResponse(context.Background(), uuid.MustParse(id))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), "%s", res.Body)
	require.False(t, res.JSON202.To.Before(res.JSON202.From.Time), "the days read: %+v", res.JSON202)
	require.NoError(t, temporalServer.Client().GetWorkflow(context.Background(), contract.ReadBackWorkflowID(uuid.MustParse(id)), "").Get(context.Background(), nil))
}

// TestACassoWebhookTheProviderDroppedIsReadBack: Casso never delivers a
// payment's webhook; reading Casso back records it, and the owner hears of
// it once. The webhook coming after all is a duplicate.
func TestACassoWebhookTheProviderDroppedIsReadBack(t *testing.T) {
	sh := newFeedShop(t, db.DirectionBoth)
	id, hookURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderCassoV2, Secret: "casso-secret-key", CassoAPIKey: ptr("casso-api-key-1")})
	casso := sh.provider(t, map[string]string{"provider": "casso_v2", "url": hookURL, "secret": "casso-secret-key", "casso_api_key": "casso-api-key-1"})

	delivered, status := sh.pay(t, map[string]any{"source_id": casso, "account_number": feedAccount, "amount": 100_000, "description": "don 1"})
	require.Equal(t, http.StatusOK, status)
	sh.inbox(t, 1)
	require.NotNil(t, sh.sourceView(t, id).LastWebhookAt, "the source says when it last heard from Casso")
	dropped, status := sh.pay(t, map[string]any{"source_id": casso, "account_number": feedAccount, "amount": 599_000, "description": "don 2", "deliver": false})
	require.Zero(t, status)
	time.Sleep(time.Second)
	require.Len(t, sh.recorded(t, id), 1, "tingting never heard of the second")

	sh.sync(t, id)
	require.Equal(t, []string{fmt.Sprint(delivered, ":webhook"), fmt.Sprint(dropped, ":reconcile")}, sh.recorded(t, id))
	texts := sh.inbox(t, 2)
	require.Contains(t, texts[1], "+599.000 VND")
	require.Contains(t, texts[1], "don 2")
	v := sh.sourceView(t, id)
	require.EqualValues(t, 1, v.Recovered7D)
	require.NotNil(t, v.LastSyncAt)
	require.Nil(t, v.SyncError)

	// Casso's webhook arrives after all: a duplicate; and reading back
	// again recovers nothing more.
	require.Equal(t, http.StatusOK, sh.resend(t, dropped))
	sh.sync(t, id)
	sh.inbox(t, 2)
	require.Len(t, sh.recorded(t, id), 2)
	require.EqualValues(t, 1, sh.sourceView(t, id).Recovered7D)
}

// TestALeakedIngestKeyCannotPreemptACassoPayment (issue 24): someone with
// an ingest key records a fake transaction under the id Casso will give
// the next payment on a Casso-fed account. Casso's payment is still
// recorded, and reaches the owner's inbox.
func TestALeakedIngestKeyCannotPreemptACassoPayment(t *testing.T) {
	sh := newFeedShop(t, db.DirectionIn) // the fake -1 alerts nobody: unseen
	_, hookURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderCassoV2, Secret: "casso-secret-key"})
	casso := sh.provider(t, map[string]string{"provider": "casso_v2", "url": hookURL, "secret": "casso-secret-key"})
	ctx := context.Background()
	made, err := sh.api.CreateAPIKeyWithResponse(ctx, apiclient.CreateAPIKeyJSONRequestBody{Label: "till", Scope: apiclient.CreateAPIKeyJSONBodyScopeIngest})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, made.StatusCode())
	till := sh.stack.api(t, made.JSON201.Key)

	first, _ := sh.pay(t, map[string]any{"source_id": casso, "account_number": feedAccount, "amount": 100_000, "description": "don 1"})
	sh.inbox(t, 1)
	coming := fmt.Sprint(first + 1) // Casso's ids come in order
	forged, err := till.CreateTransactionWithResponse(ctx, apiclient.TransactionRequest{
		AccountNumber: ptr(feedAccount), ExternalID: coming, Amount: -1, OccurredAt: time.Now(),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, forged.StatusCode())
	require.False(t, forged.JSON202.Duplicate)

	next, status := sh.pay(t, map[string]any{"source_id": casso, "account_number": feedAccount, "amount": 5_000_000, "description": "don 2"})
	require.Equal(t, coming, fmt.Sprint(next))
	require.Equal(t, http.StatusOK, status)
	texts := sh.inbox(t, 2)
	require.Contains(t, texts[1], "+5.000.000 VND", "the real payment reaches the owner")
}

// TestACassoKeyRefusedIsShownAndToldOnce: read-back with a key Casso does
// not know shows Casso's refusal on the source and tells the owner, once
// however often it is read back.
func TestACassoKeyRefusedIsShownAndToldOnce(t *testing.T) {
	sh := newFeedShop(t, db.DirectionBoth)
	id, hookURL := sh.source(t, apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProviderCassoV2, Secret: "casso-secret-key", CassoAPIKey: ptr("an-old-api-key")})
	sh.provider(t, map[string]string{"provider": "casso_v2", "url": hookURL, "secret": "casso-secret-key", "casso_api_key": "casso-api-key-1"})

	sh.sync(t, id)
	recordHistory(t, contract.ReadBackName, contract.ReadBackWorkflowID(uuid.MustParse(id))) // telling the owner
	sh.sync(t, id)
	v := sh.sourceView(t, id)
	require.NotNil(t, v.SyncError)
	require.Contains(t, *v.SyncError, "Casso refused the API key (401")
	texts := sh.inbox(t, 1)
	require.Contains(t, texts[0], "Casso từ chối API key của nguồn giao dịch "+id[:8])

	patched, err := sh.api.UpdateWebhookSourceWithResponse(context.Background(), uuid.MustParse(id), apiclient.UpdateWebhookSourceJSONRequestBody{CassoAPIKey: "casso-api-key-1"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, patched.StatusCode())
	require.True(t, patched.JSON200.HasCassoAPIKey)
	require.Nil(t, patched.JSON200.SyncError)
	sh.sync(t, id)
	v = sh.sourceView(t, id)
	require.Nil(t, v.SyncError, "the new key works")
	require.NotNil(t, v.LastSyncAt)
	sh.inbox(t, 1)
}
