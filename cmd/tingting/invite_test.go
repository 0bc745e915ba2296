package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// shop is a workspace with one bank account and an integration owned by a
// sandbox user who follows the OA.
type shop struct {
	*stack
	key   string
	api   *apiclient.ClientWithResponses // with key
	owner zalosim.User
	integ db.CreateIntegrationRow
	txns  int
}

func newShop(t *testing.T) *shop { return newShopWith(t) }

// newShopWith is newShop on a stack with more environment (NAME, value…).
func newShopWith(t *testing.T, env ...string) *shop {
	return startStack(t, env...).shop(t, "Shop", "Chị Lan")
}

// shop opens another shop on the stack: its own workspace, account 111 and
// an integration owned by a new sandbox user called owner.
func (s *stack) shop(t *testing.T, name, owner string) *shop {
	ctx := context.Background()
	sh := &shop{stack: s, key: s.workspace(t, name), owner: s.sim.CreateUser(owner, true)}
	sh.api = s.api(t, sh.key)
	acct, err := sh.api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{AccountNumber: "111"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, acct.StatusCode())
	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	sh.integ, err = seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID: uuid.MustParse(s.workspaceOf(t, sh.key)), BankAccountIDs: []uuid.UUID{acct.JSON201.ID},
		Owner: seed.Person{OAUserID: sh.owner.OAUserID, AppUserID: sh.owner.AppUserID, Name: sh.owner.Name},
	})
	require.NoError(t, err)
	return sh
}

// eventID is the id tingting recorded the Zalo event with msg_id under.
func (sh *shop) eventID(t *testing.T, msgID string) uuid.UUID {
	pool, err := db.Open(context.Background(), sh.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	var id uuid.UUID
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT id FROM zalo_events WHERE dedup_key = $1", msgID).Scan(&id))
	return id
}

// says has u write text to the OA, through the sandbox's control API, and
// returns the message's msg_id.
func (sh *shop) says(t *testing.T, u zalosim.User, text string) string {
	var sent struct {
		MsgID         string `json:"msg_id"`
		WebhookStatus int    `json:"webhook_status"`
	}
	require.Equal(t, http.StatusOK, call(t, "POST", sh.sandboxURL+"/_sandbox/users/"+u.OAUserID+"/messages", "", map[string]string{"text": text}, &sent))
	require.Equal(t, http.StatusOK, sent.WebhookStatus)
	return sent.MsgID
}

// expect waits until u's inbox holds want, in order.
func (sh *shop) expect(t *testing.T, u zalosim.User, want ...string) {
	t.Helper()
	var got []string
	require.Eventually(t, func() bool {
		got = got[:0]
		for _, m := range sh.sim.Inbox(u.OAUserID) {
			got = append(got, m.Text)
		}
		return len(got) >= len(want)
	}, 15*time.Second, 50*time.Millisecond, "%s's inbox: %q, want %q", u.Name, got, want)
	require.Equal(t, want, got, "%s's inbox", u.Name)
}

// post posts a transaction to the shop's account and returns its id.
func (sh *shop) post(t *testing.T, amount int64) uuid.UUID {
	t.Helper()
	sh.txns++
	res, err := sh.api.CreateTransactionWithResponse(context.Background(), apiclient.TransactionRequest{
		AccountNumber: ptr("111"), ExternalID: fmt.Sprint("FT", sh.txns), Amount: amount, OccurredAt: time.Now(),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), "%s", res.Body)
	return res.JSON202.TransactionID
}

// pay posts a transaction and waits until its notification has finished.
func (sh *shop) pay(t *testing.T, amount int64) {
	id := sh.post(t, amount)
	require.Eventually(t, func() bool {
		res, err := sh.api.GetTransactionWithResponse(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode())
		for _, x := range res.JSON200.Deliveries {
			if x.Status == apiclient.DeliveryStatusPending {
				return false
			}
		}
		return len(res.JSON200.Deliveries) > 0
	}, 15*time.Second, 50*time.Millisecond)
}

// ptr is a pointer to v: the typed client's optional fields.
func ptr[T any](v T) *T { return &v }

func TestInvitesOverZaloChat(t *testing.T) {
	sh := newShop(t)
	code := sh.integ.ReferralCode
	minh := sh.sim.CreateUser("Anh Minh", true)
	notice := message.InviteOwnerNotice("Anh Minh")

	sh.says(t, minh, "Chào shop") // not a command: no answer, as the lists below show
	sh.says(t, minh, "/invite")   // a command, badly formed
	sh.expect(t, minh, message.InviteBadSyntax)
	sh.says(t, minh, "/invite")       // malformed again within the minute: answers are throttled
	sh.says(t, minh, "/invite: NOPE") // no such code
	sh.expect(t, minh, message.InviteBadSyntax, message.InviteBadCode)

	joined := sh.says(t, minh, " /INVITE :  "+strings.ToLower(code)+" ")
	sh.expect(t, minh, message.InviteBadSyntax, message.InviteBadCode, message.InviteAdded)
	sh.expect(t, sh.owner, notice)
	recordHistory(t, contract.ZaloInboundName, contract.ZaloInboundWorkflowID(sh.eventID(t, joined)))

	sh.says(t, minh, "/invite: "+code)
	sh.says(t, sh.owner, "/invite: "+code)
	sh.expect(t, minh, message.InviteBadSyntax, message.InviteBadCode, message.InviteAdded, message.InviteAlreadyAdded)
	sh.expect(t, sh.owner, notice, message.InviteAlreadyAdded)

	// Both receive transactions; once removed, Minh gets nothing.
	sh.pay(t, 599_000)
	require.Contains(t, lastText(sh.sim, minh), "+599.000 VND")
	ctx := context.Background()
	integ, err := sh.api.GetIntegrationWithResponse(ctx, sh.integ.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, integ.StatusCode())
	require.Len(t, integ.JSON200.Members, 1)
	minhID := integ.JSON200.Members[0].ID
	require.Equal(t, "Anh Minh", integ.JSON200.Members[0].Name)
	removed, err := sh.api.RemoveMemberWithResponse(ctx, sh.integ.ID, minhID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, removed.StatusCode())
	removed, err = sh.api.RemoveMemberWithResponse(ctx, sh.integ.ID, minhID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, removed.StatusCode())
	require.Equal(t, "not_found", removed.JSON404.Error.Code)
	before := len(sh.sim.Inbox(minh.OAUserID))
	sh.pay(t, 100_000)
	require.Len(t, sh.sim.Inbox(minh.OAUserID), before, "a removed member gets nothing")
	require.Contains(t, lastText(sh.sim, sh.owner), "+100.000 VND")

	// A new code retires the old one; the removed member rejoins with it.
	res, err := sh.api.RotateReferralCodeWithResponse(ctx, sh.integ.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	rotated := res.JSON200
	require.NotEqual(t, code, rotated.ReferralCode)
	sh.says(t, minh, "/invite: "+code)
	require.Eventually(t, func() bool { return lastText(sh.sim, minh) == message.InviteBadCode }, 10*time.Second, 50*time.Millisecond)
	sh.says(t, minh, "/invite: "+rotated.ReferralCode)
	require.Eventually(t, func() bool { return lastText(sh.sim, minh) == message.InviteAdded }, 10*time.Second, 50*time.Millisecond)
	sh.pay(t, 5_000)
	require.Contains(t, lastText(sh.sim, minh), "+5.000 VND")
}

// TestANonFollowerJoinsButWaitsForFollowing: added, told to follow first,
// skipped until they follow, then notified.
func TestANonFollowerJoinsButWaitsForFollowing(t *testing.T) {
	sh := newShop(t)
	hoa := sh.sim.CreateUser("Cô Hoa", false)
	sh.says(t, hoa, "/invite: "+sh.integ.ReferralCode)
	sh.expect(t, hoa, message.InviteAddedFollowFirst)

	sh.pay(t, 200_000)
	require.Len(t, sh.sim.Inbox(hoa.OAUserID), 1, "skipped while not following")
	_, status, _ := sh.sim.Follow(hoa.OAUserID, true)
	require.Equal(t, http.StatusOK, status)
	require.Eventually(t, func() bool {
		sh.pay(t, 300_000)
		return strings.Contains(lastText(sh.sim, hoa), "+300.000 VND")
	}, 15*time.Second, 100*time.Millisecond)
}

// TestTheInviteGuard: five invalid codes in an hour earn one warning, then
// silence, even for a valid code.
func TestTheInviteGuard(t *testing.T) {
	sh := newShop(t)
	tu := sh.sim.CreateUser("Tú", true)
	var want []string
	for i := range 5 {
		sh.says(t, tu, fmt.Sprintf("/invite: WRONG%d", i))
		want = append(want, message.InviteBadCode)
		sh.expect(t, tu, want...)
	}
	sh.says(t, tu, "/invite: WRONG5")
	want = append(want, message.InviteTooManyTries)
	sh.expect(t, tu, want...)
	sh.says(t, tu, "/invite: "+sh.integ.ReferralCode)
	sh.says(t, tu, "/invite: WRONG6")
	time.Sleep(time.Second) // give a wrong answer time to arrive
	sh.expect(t, tu, want...)
}

func lastText(sim *zalosim.Sim, u zalosim.User) string {
	inbox := sim.Inbox(u.OAUserID)
	if len(inbox) == 0 {
		return ""
	}
	return inbox[len(inbox)-1].Text
}

// TestCassoWebhookReachesTheInbox: the product's hot path from Casso's
// side: a signed v2 webhook becomes one message for the owner, however
// often Casso delivers it.
func TestCassoWebhookReachesTheInbox(t *testing.T) {
	sh := newShop(t)
	res, err := sh.api.CreateWebhookSourceWithResponse(context.Background(), apiclient.WebhookSourceRequest{
		Provider: apiclient.WebhookSourceRequestProviderCassoV1, Secret: "casso-token",
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), "%s", res.Body)
	src := res.JSON201
	require.True(t, strings.HasPrefix(src.URL, sh.apiURL+"/v1/hooks/casso/"))
	body := `{"error":0,"data":[{"id":9001,"tid":"TF9001","description":"KHACH THANH TOAN","amount":1500000,"cusum_balance":26500000,"when":"2024-10-03 15:06:37","bank_sub_acc_id":"111"}]}`
	var wg sync.WaitGroup
	for range 10 { // Casso's retries, all at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest("POST", src.URL, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("secure-token", "casso-token")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, http.StatusOK, res.StatusCode)
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool { return strings.Contains(lastText(sh.sim, sh.owner), "+1.500.000 VND") }, 15*time.Second, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 1, "one message, however often Casso delivers")
}

// TestASandboxOutageEndsInDelivery: Zalo failing every call holds the
// message back, the delivery log says why, and once Zalo answers again the
// message arrives, once. A 503 without Zalo's body may hide a send that
// went through, so the conversation is read before it is sent again.
func TestASandboxOutageEndsInDelivery(t *testing.T) {
	sh := newShopWith(t, "ZALO_IN_DOUBT_WAIT", "1s")
	sh.sim.SetFaults(zalosim.Faults{HTTPStatus: http.StatusServiceUnavailable})
	sh.post(t, 42_000)

	var log []apiclient.DeliveryLogItem
	require.Eventually(t, func() bool {
		log = sh.deliveries(t)
		return len(log) == 1 && log[0].Attempts >= 2
	}, 15*time.Second, 100*time.Millisecond)
	require.Equal(t, apiclient.DeliveryLogItemStatusPending, log[0].Status)
	require.Contains(t, log[0].LastError, "503")
	require.Empty(t, sh.sim.Inbox(sh.owner.OAUserID))

	sh.sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool {
		log = sh.deliveries(t)
		return log[0].Status == apiclient.DeliveryLogItemStatusSent
	}, 30*time.Second, 100*time.Millisecond)
	require.NotNil(t, log[0].LagMs)
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 1)
	require.Contains(t, lastText(sh.sim, sh.owner), "+42.000 VND")
	require.Positive(t, sh.sim.Stats().Calls["conversation"], "looked for before it was sent again")
}

// TestAFailedDeliveryIsSentAgainOnRequest: Zalo refused a message for good;
// once the cause is fixed, the owner's "Gửi lại" sends it, once.
func TestAFailedDeliveryIsSentAgainOnRequest(t *testing.T) {
	sh := newShop(t)
	sh.sim.SetFaults(zalosim.Faults{ErrorCode: -201, ErrorRate: 1})
	sh.pay(t, 77_000)
	log := sh.deliveries(t)
	require.Len(t, log, 1)
	require.Equal(t, apiclient.DeliveryLogItemStatusFailed, log[0].Status)
	require.Empty(t, sh.sim.Inbox(sh.owner.OAUserID))

	sh.sim.SetFaults(zalosim.Faults{})
	ctx := context.Background()
	again, err := sh.api.RetryDeliveryWithResponse(ctx, sh.integ.ID, log[0].ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, again.StatusCode())
	require.EqualValues(t, "pending", again.JSON202.Status)
	require.Eventually(t, func() bool {
		log = sh.deliveries(t)
		return log[0].Status == apiclient.DeliveryLogItemStatusSent
	}, 15*time.Second, 50*time.Millisecond)
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 1)
	require.Contains(t, lastText(sh.sim, sh.owner), "+77.000 VND")
	again, err = sh.api.RetryDeliveryWithResponse(ctx, sh.integ.ID, log[0].ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, again.StatusCode(), "a sent delivery is not sent again")
	require.Equal(t, "conflict", again.JSON409.Error.Code)
	recordHistory(t, contract.RedeliverName, workflowsOfType(t, contract.RedeliverName)[0])
}

// deliveries is the first page of the shop's integration's delivery log,
// newest first.
func (sh *shop) deliveries(t *testing.T) []apiclient.DeliveryLogItem {
	t.Helper()
	res, err := sh.api.ListDeliveriesWithResponse(context.Background(), sh.integ.ID, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	return res.JSON200.Items
}

// workflowsOfType lists the ids of the workflows of a type, newest first.
func workflowsOfType(t *testing.T, name string) []string {
	var ids []string
	require.Eventually(t, func() bool {
		res, err := temporalServer.Client().ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = '" + name + "'",
		})
		if err != nil || len(res.Executions) == 0 {
			return false
		}
		ids = ids[:0]
		for _, e := range res.Executions {
			ids = append(ids, e.Execution.WorkflowId)
		}
		return true
	}, 10*time.Second, 100*time.Millisecond)
	return ids
}
