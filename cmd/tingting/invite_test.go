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
	var acct struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/bank-accounts", sh.key, map[string]string{"account_number": "111"}, &acct))
	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	sh.integ, err = seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID: uuid.MustParse(s.workspaceOf(t, sh.key)), BankAccountIDs: []uuid.UUID{uuid.MustParse(acct.ID)},
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
func (sh *shop) post(t *testing.T, amount int64) string {
	t.Helper()
	sh.txns++
	var res struct {
		TransactionID string `json:"transaction_id"`
	}
	require.Equal(t, http.StatusAccepted, call(t, "POST", sh.apiURL+"/v1/transactions", sh.key, map[string]any{
		"account_number": "111", "external_id": fmt.Sprint("FT", sh.txns), "amount": amount, "occurred_at": time.Now().Format(time.RFC3339),
	}, &res))
	return res.TransactionID
}

// pay posts a transaction and waits until its notification has finished.
func (sh *shop) pay(t *testing.T, amount int64) {
	id := sh.post(t, amount)
	require.Eventually(t, func() bool {
		var d struct {
			Deliveries []struct{ Status string } `json:"deliveries"`
		}
		call(t, "GET", sh.apiURL+"/v1/transactions/"+id, sh.key, nil, &d)
		for _, x := range d.Deliveries {
			if x.Status == "pending" {
				return false
			}
		}
		return len(d.Deliveries) > 0
	}, 15*time.Second, 50*time.Millisecond)
}

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
	var integ struct {
		Members []struct{ ID, Name string } `json:"members"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String(), sh.key, nil, &integ))
	require.Len(t, integ.Members, 1)
	require.Equal(t, "Anh Minh", integ.Members[0].Name)
	require.Equal(t, http.StatusNoContent, call(t, "DELETE", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String()+"/members/"+integ.Members[0].ID, sh.key, nil, nil))
	require.Equal(t, http.StatusNotFound, call(t, "DELETE", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String()+"/members/"+integ.Members[0].ID, sh.key, nil, nil))
	before := len(sh.sim.Inbox(minh.OAUserID))
	sh.pay(t, 100_000)
	require.Len(t, sh.sim.Inbox(minh.OAUserID), before, "a removed member gets nothing")
	require.Contains(t, lastText(sh.sim, sh.owner), "+100.000 VND")

	// A new code retires the old one; the removed member rejoins with it.
	var rotated struct {
		ReferralCode string `json:"referral_code"`
	}
	require.Equal(t, http.StatusOK, call(t, "POST", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String()+"/referral-code", sh.key, nil, &rotated))
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
	var src struct {
		URL string `json:"url"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", sh.apiURL+"/v1/webhook-sources", sh.key, map[string]string{"provider": "casso_v1", "secret": "casso-token"}, &src))
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
	require.Equal(t, http.StatusAccepted, call(t, "POST", sh.apiURL+"/v1/transactions", sh.key, map[string]any{
		"account_number": "111", "external_id": "FT-outage", "amount": 42_000, "occurred_at": time.Now().Format(time.RFC3339),
	}, nil))

	type logItem struct {
		Status    string `json:"status"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"last_error"`
		LagMS     *int64 `json:"lag_ms"`
	}
	var log struct {
		Items []logItem `json:"items"`
	}
	deliveries := sh.apiURL + "/v1/integrations/" + sh.integ.ID.String() + "/deliveries"
	require.Eventually(t, func() bool {
		call(t, "GET", deliveries, sh.key, nil, &log)
		return len(log.Items) == 1 && log.Items[0].Attempts >= 2
	}, 15*time.Second, 100*time.Millisecond)
	require.Equal(t, "pending", log.Items[0].Status)
	require.Contains(t, log.Items[0].LastError, "503")
	require.Empty(t, sh.sim.Inbox(sh.owner.OAUserID))

	sh.sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool {
		call(t, "GET", deliveries, sh.key, nil, &log)
		return log.Items[0].Status == "sent"
	}, 30*time.Second, 100*time.Millisecond)
	require.NotNil(t, log.Items[0].LagMS)
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
	var log struct {
		Items []struct {
			ID, Status, LastError string
		} `json:"items"`
	}
	deliveries := sh.apiURL + "/v1/integrations/" + sh.integ.ID.String() + "/deliveries"
	require.Equal(t, http.StatusOK, call(t, "GET", deliveries, sh.key, nil, &log))
	require.Len(t, log.Items, 1)
	require.Equal(t, "failed", log.Items[0].Status)
	require.Empty(t, sh.sim.Inbox(sh.owner.OAUserID))

	sh.sim.SetFaults(zalosim.Faults{})
	var again struct{ ID, Status string }
	require.Equal(t, http.StatusAccepted, call(t, "POST", deliveries+"/"+log.Items[0].ID+"/retry", sh.key, nil, &again))
	require.Equal(t, "pending", again.Status)
	require.Eventually(t, func() bool {
		call(t, "GET", deliveries, sh.key, nil, &log)
		return log.Items[0].Status == "sent"
	}, 15*time.Second, 50*time.Millisecond)
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 1)
	require.Contains(t, lastText(sh.sim, sh.owner), "+77.000 VND")
	require.Equal(t, http.StatusConflict, call(t, "POST", deliveries+"/"+log.Items[0].ID+"/retry", sh.key, nil, nil), "a sent delivery is not sent again")
	recordHistory(t, contract.RedeliverName, workflowsOfType(t, contract.RedeliverName)[0])
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
