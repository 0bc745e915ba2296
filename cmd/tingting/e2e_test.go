package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

type inbox struct {
	Items []struct {
		MessageID string `json:"message_id"`
		Text      string `json:"text"`
	} `json:"items"`
}

// TestTransactionReachesTheSandboxInboxOnce is the product's promise end to
// end: a posted transaction becomes exactly one Zalo message for the
// integration's owner, and posting it again changes nothing.
func TestTransactionReachesTheSandboxInboxOnce(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()

	key := s.workspace(t, "Tiệm cà phê")
	require.Regexp(t, `^tt_[0-9A-Za-z]{32,}$`, key)

	var owner struct {
		OAUserID  string `json:"oa_user_id"`
		AppUserID string `json:"app_user_id"`
		Name      string `json:"name"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.sandboxURL+"/_sandbox/users", "",
		map[string]any{"name": "Chị Lan", "follows": true}, &owner))

	api := s.api(t, key)
	created, err := api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{
		BankCode: ptr("VCB"), BankName: ptr("Vietcombank"), AccountNumber: "0123456789", AccountName: ptr("TIEM CA PHE"),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode())
	acct := created.JSON201
	require.Equal(t, apiclient.BankAccount{ID: acct.ID, BankCode: "VCB", BankName: "Vietcombank", AccountNumber: "0123456789", AccountName: "TIEM CA PHE"}, *acct)

	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()

	// Following the OA sent a signed webhook; the follower table learned
	// both of the owner's ids from it.
	require.Eventually(t, func() bool {
		f, err := db.New(pool).GetZaloFollower(ctx, owner.OAUserID)
		return err == nil && f.Following && f.AppUserID != nil && *f.AppUserID == owner.AppUserID
	}, 10*time.Second, 100*time.Millisecond, "the follow webhook never reached the follower table")

	ws, err := db.New(pool).FindWorkspaceByName(ctx, "Tiệm cà phê")
	require.NoError(t, err)
	integ, err := seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{acct.ID},
		Owner: seed.Person{OAUserID: owner.OAUserID, AppUserID: owner.AppUserID, Name: owner.Name},
	})
	require.NoError(t, err)

	txn := apiclient.TransactionRequest{
		AccountNumber: ptr("0123456789"), ExternalID: "FT24277000001", Amount: 599000,
		Description: ptr("NGUYEN VAN A chuyen tien"), OccurredAt: time.Date(2024, 10, 3, 15, 6, 37, 0, vntime.Zone),
	}
	posted, err := api.CreateTransactionWithResponse(ctx, txn)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, posted.StatusCode())
	first := posted.JSON202
	require.False(t, first.Duplicate)

	var got inbox
	require.Eventually(t, func() bool {
		call(t, "GET", s.sandboxURL+"/_sandbox/users/"+owner.OAUserID+"/inbox", "", nil, &got)
		return len(got.Items) > 0
	}, 30*time.Second, 100*time.Millisecond, "no message reached the owner's sandbox inbox")
	require.Contains(t, got.Items[0].Text, "+599.000 VND")
	require.Contains(t, got.Items[0].Text, "NGUYEN VAN A chuyen tien")

	posted, err = api.CreateTransactionWithResponse(ctx, txn)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, posted.StatusCode())
	second := posted.JSON202
	require.True(t, second.Duplicate)
	require.Equal(t, first.TransactionID, second.TransactionID)

	// The delivery log agrees with the inbox, and after the workflow has
	// finished there is still exactly one message.
	var detail *apiclient.Transaction
	require.Eventually(t, func() bool {
		res, err := api.GetTransactionWithResponse(ctx, first.TransactionID)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode())
		detail = res.JSON200
		return len(detail.Deliveries) == 1 && detail.Deliveries[0].Status == apiclient.DeliveryStatusSent
	}, 10*time.Second, 100*time.Millisecond)
	require.Equal(t, got.Items[0].MessageID, detail.Deliveries[0].ZaloMessageID)
	require.Equal(t, owner.OAUserID, detail.Deliveries[0].Recipient)
	require.Equal(t, int64(599000), detail.Amount)
	require.Equal(t, "NGUYEN VAN A chuyen tien", detail.Description)
	require.True(t, txn.OccurredAt.Equal(detail.OccurredAt))
	require.Equal(t, acct.ID, detail.BankAccountID)
	require.EqualValues(t, "api", *detail.Via)
	require.Nil(t, detail.SourceID, "the REST API is no webhook source")

	var all inbox
	call(t, "GET", s.sandboxURL+"/_sandbox/messages", "", nil, &all)
	require.Len(t, all.Items, 1)

	// The numbers say the same: two posts, one new; one message sent.
	apiMetrics, workerMetrics := scrape(t, "http://"+s.apiMetrics+"/metrics"), scrape(t, "http://"+s.env["METRICS_ADDR"]+"/metrics")
	res, err := http.Get(s.apiURL + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode, "no metrics on the API's public address")
	require.Contains(t, apiMetrics, `tingting_transactions_ingested_total{duplicate="false",source="api"} 1`)
	require.Contains(t, apiMetrics, `tingting_transactions_ingested_total{duplicate="true",source="api"} 1`)
	require.Contains(t, workerMetrics, `tingting_messages_total{outcome="sent",reason=""} 1`)
	require.Contains(t, workerMetrics, `tingting_ingest_to_sent_seconds_count 1`)
	require.Contains(t, workerMetrics, `tingting_zalo_call_seconds_count{result="ok",route="cs"} 1`)

	// An operator finds the notification in the Temporal UI by account,
	// workspace, transaction or integration: our row ids, all of them. What
	// Temporal indexes (in plain text) holds no account number or amount.
	query := fmt.Sprintf("BankAccountId = '%s' AND WorkspaceId = '%s' AND TransactionId = '%s' AND IntegrationId = '%s'", acct.ID, ws.ID, first.TransactionID, integ.ID)
	var found *workflowservice.ListWorkflowExecutionsResponse
	require.Eventually(t, func() bool {
		found, err = temporalServer.Client().ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		return err == nil && len(found.Executions) == 1
	}, 10*time.Second, 200*time.Millisecond, "no workflow found by %s", query)
	for name, value := range found.Executions[0].SearchAttributes.GetIndexedFields() {
		for _, plain := range []string{"0123456789", "599000", "NGUYEN"} {
			require.NotContains(t, string(value.GetData()), plain, "Temporal indexes no customer data (%s)", name)
		}
	}
	recordHistory(t, contract.NotifyTransactionName, contract.TransactionWorkflowID(first.TransactionID))
}

// TestSyncFollowersFindsWhoFollowedBefore: people who followed the OA before
// tingting listened (their follow webhooks never reached us) are found by
// `tingting sync-followers`, with both of their ids.
func TestSyncFollowersFindsWhoFollowedBefore(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	var before []zalosim.User
	for _, name := range []string{"Cô Ba", "Chú Tư", "Anh Năm"} {
		before = append(before, s.sim.CreateUser(name, true))
	}
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM zalo_followers").Scan(&n))
		return n == len(before)
	}, 10*time.Second, 50*time.Millisecond)
	_, err = pool.Exec(ctx, "DELETE FROM zalo_followers") // as if tingting had not been listening
	require.NoError(t, err)

	require.NoError(t, s.run(ctx, io.Discard, "sync-followers"))
	for _, u := range before {
		f, err := db.New(pool).GetZaloFollower(ctx, u.OAUserID)
		require.NoError(t, err, u.Name)
		require.True(t, f.Following)
		require.Equal(t, u.AppUserID, *f.AppUserID)
		require.Equal(t, u.Name, f.DisplayName)
	}
	recordHistory(t, contract.SyncFollowersName, contract.SyncFollowersID)
}

// TestABurstOfSendsWithAnExpiredTokenRefreshesOnce: twenty recipients'
// sends all find the OA token expired; the OATokenKeeper refreshes once
// (Zalo's refresh tokens are single use: a second refresh would break the
// OA), and every recipient still gets the message.
func TestABurstOfSendsWithAnExpiredTokenRefreshesOnce(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	key := s.workspace(t, "Shop")
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/bank-accounts", key, map[string]string{"account_number": "111"}, nil))

	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	ws, err := db.New(pool).FindWorkspaceByName(ctx, "Shop")
	require.NoError(t, err)
	acct, err := db.New(pool).GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: ws.ID, AccountNumber: "111"})
	require.NoError(t, err)
	var people []seed.Person
	for i := range 20 {
		u := s.sim.CreateUser(fmt.Sprint("Nhân viên ", i), true)
		people = append(people, seed.Person{OAUserID: u.OAUserID, AppUserID: u.AppUserID, Name: u.Name})
	}
	_, err = seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{acct.ID}, Owner: people[0], Members: people[1:],
	})
	require.NoError(t, err)

	s.simClock.Store(int64(26 * time.Hour)) // every access token issued so far has expired
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, map[string]any{
		"account_number": "111", "external_id": "FT-burst", "amount": 1_250_000, "occurred_at": "2024-10-03T15:06:37+07:00",
	}, nil))

	require.Eventually(t, func() bool {
		for _, p := range people {
			if len(s.sim.Inbox(p.OAUserID)) != 1 {
				return false
			}
		}
		return true
	}, 30*time.Second, 100*time.Millisecond, "not every recipient got exactly one message")
	require.Equal(t, 2, s.sim.RefreshCount(), "the start-up refresh and exactly one for the burst")
	require.False(t, s.sim.RevokedByReuse(), "no refresh token was ever used twice")

	recordHistory(t, contract.OATokenKeeperName, contract.OATokenKeeperID) // a start-up refresh, then a burst of Updates
}

// recordHistory saves a workflow's history for the replay tests in
// workflows/ when RECORD_HISTORIES names a label: RECORD_HISTORIES=v2 go
// test ./cmd/tingting/ writes workflows/testdata/<type>.v2.json. A label
// already recorded is never overwritten (docs/DECISIONS.md: how a workflow
// change ships).
func recordHistory(t *testing.T, workflowType, workflowID string) {
	label := os.Getenv("RECORD_HISTORIES")
	if label == "" {
		return
	}
	path := filepath.Join("..", "..", "workflows", "testdata", workflowType+"."+label+".json")
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("%s exists: record a new label instead", path)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(decoded(t, historyOf(t, workflowID)))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// decoded is a history with its payloads opened with the stack's key (the
// recorded histories replay without it).
func decoded(t *testing.T, h *history.History) *history.History {
	cdc, err := codec.New(make([]byte, 32)) // startStack's TINGTING_ENCRYPTION_KEY
	require.NoError(t, err)
	h = proto.Clone(h).(*history.History)
	require.NoError(t, proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return cdc.Decode(p)
		},
	}))
	return h
}

// historyOf is a workflow's history as Temporal keeps it: sealed.
func historyOf(t *testing.T, workflowID string) *history.History {
	it := temporalServer.Client().GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h history.History
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	return &h
}

func scrape(t *testing.T, url string) string {
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// TestMaintenanceBringsTheKeeperBackAndPurges: the maintenance schedule
// restarts an OA token keeper that was ended, and forgets what is kept only
// for a while (raw webhook bodies, logins, the invite guard's log, Zalo
// events past the webhook age limit) while keeping the rest.
func TestMaintenanceBringsTheKeeperBackAndPurges(t *testing.T) {
	s := startStack(t, "RETAIN_WEBHOOK_BODIES", "1h", "RETAIN_OAUTH_LOGINS", "1h", "RETAIN_INVITE_FAILURES", "1h")
	ctx := context.Background()
	key := s.workspace(t, "Shop")
	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	ws := s.workspaceOf(t, key)
	for _, sql := range []string{
		`INSERT INTO zalo_events (dedup_key, event_name, raw, received_at) VALUES ('old', 'follow', '{}', now() - interval '2 hours'), ('new', 'follow', '{}', now()),
			('past the age limit', 'follow', NULL, now() - interval '25 hours'), ('past the age limit, not started', 'follow', NULL, now() - interval '25 hours')`,
		`INSERT INTO outbox (kind, ref, next_attempt_at) SELECT 'zalo_event', id, now() + interval '1 hour' FROM zalo_events WHERE dedup_key = 'past the age limit, not started'`,
		`INSERT INTO oauth_logins (state, workspace_id, wizard_id, code_verifier, created_at) VALUES ('old', '` + ws + `', 'w', '\x00', now() - interval '2 hours'), ('new', '` + ws + `', 'w', '\x00', now())`,
		`INSERT INTO invite_failures (event, oa_user_id, at) VALUES ('old', '1', now() - interval '2 hours'), ('new', '1', now())`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	require.NoError(t, temporalServer.Client().TerminateWorkflow(ctx, contract.OATokenKeeperID, "", "an operator's mistake"))
	ended := time.Now()

	// Runs now, until one that started after all this has finished. A
	// schedule names its runs by the second, so a trigger in the same second
	// as the run the worker's start triggered starts nothing; and ALLOW_ALL,
	// as on the shared dev server an earlier test's run may still be going,
	// which the schedule's own policy would wait for.
	var run string
	require.Eventually(t, func() bool {
		res, err := temporalServer.Client().ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = '%s' AND StartTime > '%s'", contract.MaintenanceName, ended.UTC().Format(time.RFC3339Nano)),
		})
		require.NoError(t, err)
		for _, e := range res.Executions {
			if e.Status == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				run = e.Execution.WorkflowId
				return true
			}
		}
		if len(res.Executions) == 0 {
			require.NoError(t, temporalServer.Client().ScheduleClient().GetHandle(ctx, contract.MaintenanceScheduleID).Trigger(ctx,
				client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}))
		}
		return false
	}, 30*time.Second, time.Second, "no maintenance run finished")
	d, err := temporalServer.Client().DescribeWorkflowExecution(ctx, contract.OATokenKeeperID, "")
	require.NoError(t, err)
	require.Equal(t, enums.WORKFLOW_EXECUTION_STATUS_RUNNING, d.WorkflowExecutionInfo.Status, "the keeper is running again")
	kept := func(sql string) []string {
		var got []string
		require.NoError(t, pool.QueryRow(ctx, sql).Scan(&got))
		return got
	}
	require.Equal(t, []string{"new", "old", "past the age limit, not started"}, kept(`SELECT array_agg(dedup_key ORDER BY dedup_key) FROM zalo_events`),
		"an event's row stays while Zalo may redeliver it (ZALO_WEBHOOK_MAX_AGE, 24h), or until its workflow starts")
	require.Equal(t, []string{"new"}, kept(`SELECT array_agg(dedup_key) FROM zalo_events WHERE raw IS NOT NULL`))
	require.Equal(t, []string{"new"}, kept(`SELECT array_agg(state) FROM oauth_logins`))
	require.Equal(t, []string{"new"}, kept(`SELECT array_agg(event) FROM invite_failures`))
	recordHistory(t, contract.MaintenanceName, run)
}

// TestAnOperatorReadsSealedHistoryThroughTheCodecEndpoint: what Temporal
// holds is sealed; an admin key (as a header, or as the cookie the Temporal
// UI sends) opens it at /codec/decode, and nothing else does.
func TestAnOperatorReadsSealedHistoryThroughTheCodecEndpoint(t *testing.T) {
	s := startStack(t, "TEMPORAL_UI_ORIGIN", "http://ui.test:8233")
	sh := &shop{stack: s, key: s.workspace(t, "Shop")}
	sh.api = s.api(t, sh.key)
	ctx := context.Background()
	created, err := sh.api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{AccountNumber: "111"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode())
	id := sh.post(t, 42_000)
	s.notified(t, id)
	h := historyOf(t, contract.TransactionWorkflowID(id))
	input := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	require.NotContains(t, string(input.Payloads[0].Data), id.String(), "Temporal holds the input sealed")
	body, err := protojson.Marshal(input)
	require.NoError(t, err)

	made, err := sh.api.CreateAPIKeyWithResponse(ctx, apiclient.CreateAPIKeyJSONRequestBody{Label: "bank", Scope: apiclient.CreateAPIKeyJSONBodyScopeIngest})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, made.StatusCode())
	ingest := made.JSON201
	decode := func(header http.Header) (int, string) {
		req, err := http.NewRequest("POST", s.apiURL+"/codec/decode", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = header
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, _ := decode(http.Header{})
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = decode(http.Header{"Authorization": {"Bearer " + ingest.Key}})
	require.Equal(t, http.StatusForbidden, status, "an ingest key opens nothing")
	status, out := decode(http.Header{"Authorization": {"Bearer " + sh.key}})
	require.Equal(t, http.StatusOK, status)
	var opened commonpb.Payloads
	require.NoError(t, protojson.Unmarshal([]byte(out), &opened))
	require.Contains(t, string(opened.Payloads[0].Data), id.String())

	// The Temporal UI's way: a session cookie, and CORS for its origin.
	req, err := http.NewRequest("POST", s.apiURL+"/codec/session", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+sh.key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	cookie := res.Cookies()[0]
	require.True(t, cookie.HttpOnly)
	status, _ = decode(http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}, "Origin": {"http://ui.test:8233"}})
	require.Equal(t, http.StatusOK, status)
	pre, err := http.NewRequest("OPTIONS", s.apiURL+"/codec/decode", nil)
	require.NoError(t, err)
	pre.Header.Set("Origin", "http://ui.test:8233")
	res, err = http.DefaultClient.Do(pre)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, "http://ui.test:8233", res.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
	pre.Header.Set("Origin", "http://evil.test")
	res, err = http.DefaultClient.Do(pre)
	require.NoError(t, err)
	res.Body.Close()
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "no other origin")
}

// TestATransactionMatchingTwoHundredIntegrationsNotifiesThemAll: a chain
// whose two hundred integrations watch one account. The start's search
// attributes stay within Temporal's limits (a list of every id would pass
// them past about fifty), so the notification starts, and every owner is
// told.
func TestATransactionMatchingTwoHundredIntegrationsNotifiesThemAll(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	sh := &shop{stack: s, key: s.workspace(t, "Chuỗi cửa hàng")}
	sh.api = s.api(t, sh.key)
	created, err := sh.api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{AccountNumber: "111"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode())
	acct := created.JSON201
	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	ws := uuid.MustParse(s.workspaceOf(t, sh.key))
	var owners []seed.Person
	for i := range 10 {
		u := s.sim.CreateUser(fmt.Sprint("Chi nhánh ", i), true)
		owners = append(owners, seed.Person{OAUserID: u.OAUserID, AppUserID: u.AppUserID, Name: u.Name})
	}
	var integrations []uuid.UUID
	for i := range 200 {
		integ, err := seed.CreateIntegration(ctx, pool, seed.Integration{
			WorkspaceID: ws, BankAccountIDs: []uuid.UUID{acct.ID}, Owner: owners[i%len(owners)],
		})
		require.NoError(t, err)
		integrations = append(integrations, integ.ID)
	}

	id := sh.post(t, 250_000)
	require.Eventually(t, func() bool {
		res, err := sh.api.GetTransactionWithResponse(ctx, id)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode())
		for _, d := range res.JSON200.Deliveries {
			if d.Status != apiclient.DeliveryStatusSent {
				return false
			}
		}
		return len(res.JSON200.Deliveries) == 200
	}, 90*time.Second, 250*time.Millisecond, "not every one of the 200 owners' alerts was sent")
	var all inbox
	call(t, "GET", s.sandboxURL+"/_sandbox/messages", "", nil, &all)
	require.Len(t, all.Items, 200, "one message per integration, none twice")
	var parked int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM outbox").Scan(&parked))
	require.Zero(t, parked, "nothing left in the outbox, parked or waiting")

	slices.SortFunc(integrations, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	query := fmt.Sprintf("TransactionId = '%s' AND IntegrationId = '%s'", id, integrations[0])
	require.Eventually(t, func() bool {
		res, err := temporalServer.Client().ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		return err == nil && len(res.Executions) == 1
	}, 10*time.Second, 200*time.Millisecond, "no workflow found by %s", query)
}

// TestAWorkspacesKeyOpensItsOwnHistoryOnly: every payload of a shop's
// notification is sealed with the shop's workspace. The shop's admin key
// opens them at /codec/decode; another shop's admin key gets them back
// sealed, as it does the platform's own workflows (the OA token keeper);
// the operator's token, from the configuration, opens everything. (The
// SDK's own note beside a local activity's result, its id, type and time,
// is sealed for no workspace: the SDK encodes it out of any context.)
func TestAWorkspacesKeyOpensItsOwnHistoryOnly(t *testing.T) {
	operator := "operator-" + strings.Repeat("x", 32)
	sh := newShopWith(t, "CODEC_OPERATOR_TOKEN", operator)
	other := sh.workspace(t, "Another shop")
	id := sh.post(t, 42_000)
	sh.notified(t, id)

	shops := sealedPayloads(t, historyOf(t, contract.TransactionWorkflowID(id)), false)
	platform := sealedPayloads(t, historyOf(t, contract.OATokenKeeperID), true)
	require.Len(t, shops, 3, "the start, its one step (planned and sent), its result: all sealed")
	require.NotEmpty(t, platform)

	opened := sh.decode(t, sh.key, shops)
	for i, p := range opened {
		require.NotEqual(t, codec.Encoding, string(p.Metadata["encoding"]), "payload %d of the shop's own history stays sealed to its admin", i)
	}
	require.Contains(t, string(opened[0].Data), id.String(), "the start's input, opened")
	require.Equal(t, shops, sh.decode(t, other, shops), "another shop's admin opens nothing of it")
	require.Equal(t, platform, sh.decode(t, sh.key, platform), "a shop's admin opens nothing of the platform's")
	for _, p := range append(sh.decode(t, operator, shops), sh.decode(t, operator, platform)...) {
		require.NotEqual(t, codec.Encoding, string(p.Metadata["encoding"]), "the operator opens everything")
	}
}

// sealedPayloads are the sealed payloads of a history, in order;
// withMarkerData adds the SDK's notes on local activities.
func sealedPayloads(t *testing.T, h *history.History, withMarkerData bool) []*commonpb.Payload {
	h = proto.Clone(h).(*history.History)
	for _, ev := range h.Events {
		if m := ev.GetMarkerRecordedEventAttributes(); m != nil && !withMarkerData {
			delete(m.Details, "data")
		}
	}
	var out []*commonpb.Payload
	require.NoError(t, proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			for _, x := range p {
				if string(x.Metadata["encoding"]) == codec.Encoding {
					out = append(out, x)
				}
			}
			return p, nil
		},
	}))
	return out
}

// decode is what /codec/decode answers a credential for payloads.
func (s *stack) decode(t *testing.T, credential string, payloads []*commonpb.Payload) []*commonpb.Payload {
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	require.NoError(t, err)
	req, err := http.NewRequest("POST", s.apiURL+"/codec/decode", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+credential)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", out)
	var opened commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(out, &opened))
	return opened.Payloads
}
