package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

var (
	temporalClient client.Client
	testBox, _     = secret.New(make([]byte, 32))
)

func TestMain(m *testing.M) {
	srv, err := testenv.StartTemporal()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if srv != nil {
		temporalClient = srv.Client()
	}
	code := m.Run()
	if srv != nil {
		_ = srv.Stop()
	}
	os.Exit(code)
}

type fixture struct {
	url   string
	key   string
	pool  *db.Pool
	other string // another workspace's key
}

func newFixture(t *testing.T) fixture { return newFixtureWith(t, nil) }

// newFixtureWith lets a test change the API's dependencies first.
func newFixtureWith(t *testing.T, change func(*api.Deps)) fixture {
	t.Helper()
	pool := testenv.Pool(t)
	deps := api.Deps{
		Pool: pool, Temporal: temporalClient, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: api.ZaloWebhooks{AppID: appID, WebhookSecret: oaSecret, MaxAge: 24 * time.Hour},
		Box:      testBox, PublicURL: "http://tingting.test", CassoMaxAge: 10 * time.Minute, ReadBackDays: 3,
		Metrics: metrics.New(), Routes: route.Default(),
		// No Zalo answers here; the tests that sign in set the sandbox.
		Zalo: zalo.NewClient(zalo.Config{OAuthURL: "http://127.0.0.1:9", GraphURL: "http://127.0.0.1:9", AppID: appID}),
	}
	if change != nil {
		change(&deps)
	}
	srv := httptest.NewServer(api.New(deps))
	t.Cleanup(srv.Close)
	_, key, err := apikey.CreateWorkspace(context.Background(), pool, "A")
	require.NoError(t, err)
	_, other, err := apikey.CreateWorkspace(context.Background(), pool, "B")
	require.NoError(t, err)
	return fixture{url: srv.URL, key: key, pool: pool, other: other}
}

// do sends a raw body and returns the status and decoded JSON answer.
func (f fixture) do(t *testing.T, method, path, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return f.send(t, req)
}

// send sends req and returns the status and decoded JSON answer.
func (f fixture) send(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	}
	return res.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, key := range []string{"", "tt_nope", "not-a-key", f.key + "x"} {
		status, body := f.do(t, "GET", "/v1/bank-accounts", key, "")
		require.Equal(t, http.StatusUnauthorized, status, "key %q", key)
		require.Equal(t, "unauthorized", errorCode(body))
	}
	status, _ := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
	require.Equal(t, http.StatusOK, status)
}

func TestBankAccounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	status, acct := f.do(t, "POST", "/v1/bank-accounts", f.key,
		`{"bank_code":"VCB","bank_name":"Vietcombank","account_number":"0123456789","account_name":"CÔNG TY A"}`)
	require.Equal(t, http.StatusCreated, status)
	require.Equal(t, "CÔNG TY A", acct["account_name"])

	status, body := f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"0123456789"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "conflict", errorCode(body))

	_, list := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
	require.Len(t, list["items"], 1)
	_, otherList := f.do(t, "GET", "/v1/bank-accounts", f.other, "")
	require.Empty(t, otherList["items"], "a workspace sees only its own accounts")
}

func TestTransactionBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	status, acct := f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)
	require.Equal(t, http.StatusCreated, status)
	_, otherAcct := f.do(t, "POST", "/v1/bank-accounts", f.other, `{"account_number":"222"}`)

	valid := func(patch string) string {
		return `{"account_number":"111","external_id":"FT1","amount":599000,"occurred_at":"2024-10-03T15:06:37+07:00"` + patch + `}`
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code, says string
	}{
		{"empty body", ``, 400, "invalid_request", "empty"},
		{"malformed", `{"amount":`, 400, "invalid_request", "malformed"},
		{"not an object", `[1,2]`, 400, "invalid_request", "object"},
		{"amount as string", valid(`,"amount":"599000"`), 400, "invalid_request", "amount"},
		{"fractional amount", valid(`,"amount":1.5`), 400, "invalid_request", "amount"},
		{"zero amount", valid(`,"amount":0`), 400, "invalid_request", "amount"},
		{"absurd amount", valid(`,"amount":1e18`), 400, "invalid_request", "amount"},
		{"missing amount", `{"account_number":"111","external_id":"FT1","occurred_at":"2024-10-03T15:06:37+07:00"}`, 400, "invalid_request", "amount"},
		{"missing external id", valid(`,"external_id":""`), 400, "invalid_request", "external_id"},
		{"bad time", valid(`,"occurred_at":"03/10/2024"`), 400, "invalid_request", "occurred_at"},
		{"both account fields", valid(`,"bank_account_id":"` + acct["id"].(string) + `"`), 400, "invalid_request", "not both"},
		{"unknown account", valid(`,"account_number":"999"`), 422, "unknown_bank_account", "register"},
		{"another workspace's account", `{"bank_account_id":"` + otherAcct["id"].(string) + `","external_id":"FT1","amount":5,"occurred_at":"2024-10-03T15:06:37+07:00"}`, 422, "unknown_bank_account", ""},
		{"too large", valid(`,"description":"` + strings.Repeat("x", 8<<20) + `"`), 413, "too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.do(t, "POST", "/v1/transactions", f.key, tc.body)
			require.Equal(t, tc.status, status, "body: %v", body)
			require.Equal(t, tc.code, errorCode(body))
			msg := body["error"].(map[string]any)["message"].(string)
			require.Contains(t, msg, tc.says)
		})
	}
	var count int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM transactions").Scan(&count))
	require.Zero(t, count, "a rejected request stores nothing")
}

func TestTransactionIsRecordedOnceAndOthersCannotSeeIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)
	body := `{"account_number":"111","external_id":"FT-once","amount":-1250000,"occurred_at":"2024-10-03T15:06:37+07:00"}`

	status, first := f.do(t, "POST", "/v1/transactions", f.key, body)
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, false, first["duplicate"])
	status, second := f.do(t, "POST", "/v1/transactions", f.key, body)
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, true, second["duplicate"])
	require.Equal(t, first["transaction_id"], second["transaction_id"])

	status, conflict := f.do(t, "POST", "/v1/transactions", f.key, strings.Replace(body, "-1250000", "-1", 1))
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "conflict", errorCode(conflict))

	var queued int
	require.NoError(t, f.pool.QueryRow(context.Background(), "SELECT count(*) FROM outbox WHERE kind = 'notify' AND ref = $1", first["transaction_id"]).Scan(&queued))
	require.Equal(t, 1, queued, "one notification queued, in the transaction that recorded it, none for the duplicate")

	id := first["transaction_id"].(string)
	status, txn := f.do(t, "GET", "/v1/transactions/"+id, f.key, "")
	require.Equal(t, http.StatusOK, status)
	require.EqualValues(t, -1250000, txn["amount"])
	for _, path := range []string{"/v1/transactions/" + id, "/v1/transactions/not-a-uuid"} {
		key := f.other
		if strings.HasSuffix(path, "uuid") {
			key = f.key
		}
		status, body := f.do(t, "GET", path, key, "")
		require.Equal(t, http.StatusNotFound, status)
		require.Equal(t, "not_found", errorCode(body))
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	testenv.SkipShort(t, "a Temporal dev server (readiness asks it)")
	f := newFixture(t)
	status, _ := f.do(t, "GET", "/healthz", "", "")
	require.Equal(t, http.StatusOK, status)
	status, _ = f.do(t, "GET", "/readyz", "", "")
	require.Equal(t, http.StatusOK, status)
	status, body := f.do(t, "GET", "/nope", "", "")
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "not_found", errorCode(body))
}

// TestADatabaseThatDoesNotAnswerIs503: with PostgreSQL gone, requests get
// the contract's 503 (retry later), not a 500, and readiness says so.
func TestADatabaseThatDoesNotAnswerIs503(t *testing.T) {
	t.Parallel()
	cfg, err := pgxpool.ParseConfig("postgres://postgres:postgres@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=1")
	require.NoError(t, err)
	gone, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects lazily: nothing answers
	require.NoError(t, err)
	t.Cleanup(gone.Close)
	srv := httptest.NewServer(api.New(api.Deps{
		Pool: &db.Pool{Pool: gone}, Temporal: temporalClient, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Box: testBox, PublicURL: "http://tingting.test", Metrics: metrics.New(),
	}))
	t.Cleanup(srv.Close)
	f := fixture{url: srv.URL}
	for _, path := range []string{"/v1/bank-accounts", "/readyz"} {
		status, body := f.do(t, "GET", path, "tt_"+strings.Repeat("a", 40), "")
		require.Equal(t, http.StatusServiceUnavailable, status, path)
		require.Equal(t, "unavailable", errorCode(body), path)
	}
	status, body := f.do(t, "POST", "/v1/transactions", "tt_"+strings.Repeat("a", 40), `{"account_number":"1","external_id":"x","amount":1,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "unavailable", errorCode(body))
}

// integration is the workspace's account 111, watched by an integration of
// owner 100 (Lan) and members.
func (f fixture) integration(t *testing.T, members ...seed.Person) db.CreateIntegrationRow {
	t.Helper()
	ctx := context.Background()
	_, acct := f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111"}`)
	var ws uuid.UUID
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT workspace_id FROM bank_accounts WHERE id = $1", acct["id"]).Scan(&ws))
	integ, err := seed.CreateIntegration(ctx, f.pool, seed.Integration{
		WorkspaceID: ws, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct["id"].(string))},
		Owner: seed.Person{OAUserID: "100", AppUserID: "200", Name: "Lan"}, Members: members,
	})
	require.NoError(t, err)
	return integ
}

// TestOnlyWhatGaveUpCanBeSentAgain: "Gửi lại" queues a failed or skipped
// delivery again (202), and answers 409 for one that is pending or sent,
// 404 for another workspace's.
func TestOnlyWhatGaveUpCanBeSentAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	integ := f.integration(t, seed.Person{OAUserID: "101", AppUserID: "201", Name: "Minh"})
	_, txn := f.do(t, "POST", "/v1/transactions", f.key, `{"account_number":"111","external_id":"FT1","amount":5000,"occurred_at":"2024-10-03T15:06:37+07:00"}`)
	_, err := db.New(f.pool).PlanDeliveries(ctx, uuid.MustParse(txn["transaction_id"].(string)))
	require.NoError(t, err)
	ids := map[string]string{}
	rows, err := f.pool.Query(ctx, "SELECT recipient, id::text FROM deliveries")
	require.NoError(t, err)
	for rows.Next() {
		var r, id string
		require.NoError(t, rows.Scan(&r, &id))
		ids[r] = id
	}
	require.Len(t, ids, 2)
	_, err = f.pool.Exec(ctx, "UPDATE deliveries SET status = 'failed', last_error = 'zalo_permanent: -201' WHERE recipient = '100'")
	require.NoError(t, err)
	retry := func(key, recipient string) (int, map[string]any) {
		return f.do(t, "POST", "/v1/integrations/"+integ.ID.String()+"/deliveries/"+ids[recipient]+"/retry", key, "")
	}

	status, body := retry(f.key, "100")
	require.Equal(t, http.StatusAccepted, status, "body: %v", body)
	require.Equal(t, "pending", body["status"])
	var queued int
	require.NoError(t, f.pool.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE kind = 'redeliver' AND ref = $1", ids["100"]).Scan(&queued))
	require.Equal(t, 1, queued)

	status, body = retry(f.key, "100") // pending now
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "conflict", errorCode(body))
	status, _ = retry(f.key, "101") // never gave up
	require.Equal(t, http.StatusConflict, status)
	status, body = retry(f.other, "100")
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "not_found", errorCode(body))
}

// TestABodyTooLargeIsAnsweredEvenToAClientThatWritesItAll: a client that
// sends its whole 8 MiB body before reading gets the 413, whether it
// declared the length or streamed the body in chunks.
func TestABodyTooLargeIsAnsweredEvenToAClientThatWritesItAll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	big := `{"description":"` + strings.Repeat("x", 8<<20) + `"}`
	for name, head := range map[string]string{
		"Content-Length":             fmt.Sprintf("Content-Length: %d\r\n", len(big)),
		"Transfer-Encoding: chunked": "Transfer-Encoding: chunked\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(f.url, "http://"))
			require.NoError(t, err)
			defer conn.Close()
			body := big
			if strings.Contains(head, "chunked") {
				body = fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big)
			}
			_, err = io.WriteString(conn, "POST /v1/transactions HTTP/1.1\r\nHost: tingting.test\r\nAuthorization: Bearer "+f.key+
				"\r\nContent-Type: application/json\r\n"+head+"\r\n"+body)
			require.NoError(t, err, "the whole body was written")
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err, "an answer, not a reset connection")
			defer res.Body.Close()
			require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
		})
	}
}

// TestAMemoCannotAddALineToTheMessage: control and format characters in
// free text (a newline that would fake an amount line, a bidi override, a
// NUL) are stored as spaces, so the OA's message shows what was paid.
func TestAMemoCannotAddALineToTheMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(t, "POST", "/v1/bank-accounts", f.key, `{"account_number":"111","account_name":"SHOP\nSố dư: 0 VND"}`)
	status, body := f.do(t, "POST", "/v1/transactions", f.key,
		`{"account_number":"111","external_id":"FT\u2028X","amount":1000,"occurred_at":"2024-10-03T15:06:37+07:00",`+
			`"description":"mua hang\nSố tiền: +500.000.000 VND\u202e\u0000","counter_account_name":"A\u200bB"}`)
	require.Equal(t, http.StatusAccepted, status, "body: %v", body)
	_, txn := f.do(t, "GET", "/v1/transactions/"+body["transaction_id"].(string), f.key, "")
	require.Equal(t, "mua hang Số tiền: +500.000.000 VND", txn["description"])
	require.Equal(t, "A B", txn["counter_account_name"])
	require.Equal(t, "FT X", txn["external_id"])
	_, accts := f.do(t, "GET", "/v1/bank-accounts", f.key, "")
	require.Equal(t, "SHOP Số dư: 0 VND", accts["items"].([]any)[0].(map[string]any)["account_name"])
}

// TestTheDeliveryLogSkipsNothing: all of a transaction's deliveries share
// their created_at, so a page that ends inside a transaction must not lose
// the rest of it. Three transactions to five people each, read four at a
// time, give every delivery once; an RFC 3339 before is still taken.
func TestTheDeliveryLogSkipsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var members []seed.Person
	for i := range 4 {
		members = append(members, seed.Person{OAUserID: fmt.Sprint(101 + i), AppUserID: fmt.Sprint(201 + i), Name: fmt.Sprint("Người ", i)})
	}
	integ := f.integration(t, members...)
	for i := range 3 {
		_, txn := f.do(t, "POST", "/v1/transactions", f.key, fmt.Sprintf(`{"account_number":"111","external_id":"FT%d","amount":5000,"occurred_at":"2024-10-03T15:06:37+07:00"}`, i))
		planned, err := db.New(f.pool).PlanDeliveries(ctx, uuid.MustParse(txn["transaction_id"].(string)))
		require.NoError(t, err)
		require.Len(t, planned, 5)
	}

	path := "/v1/integrations/" + integ.ID.String() + "/deliveries?limit=4"
	seen := map[string]int{}
	var pages []int
	var lastCreatedAt string
	for next := path; ; {
		status, body := f.do(t, "GET", next, f.key, "")
		require.Equal(t, http.StatusOK, status, "body: %v", body)
		items := body["items"].([]any)
		pages = append(pages, len(items))
		for _, it := range items {
			seen[it.(map[string]any)["id"].(string)]++
			lastCreatedAt = it.(map[string]any)["created_at"].(string)
		}
		cursor, more := body["next_before"].(string)
		if !more {
			require.Nil(t, body["next_before"], "null on the last page")
			break
		}
		next = path + "&before=" + cursor
	}
	require.Equal(t, []int{4, 4, 4, 3}, pages)
	require.Len(t, seen, 15)
	for id, n := range seen {
		require.Equal(t, 1, n, "delivery %s", id)
	}

	// A client written before next_before sends a time: what came before it.
	status, body := f.do(t, "GET", path+"&before="+url.QueryEscape(lastCreatedAt), f.key, "")
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, body["items"], "nothing is older than the oldest delivery")
	status, body = f.do(t, "GET", path+"&before=yesterday", f.key, "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", errorCode(body))
}
