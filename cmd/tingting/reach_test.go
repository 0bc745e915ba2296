package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// delivered posts a transaction and waits until its delivery to the owner
// is no longer pending; it returns that delivery.
func (sh *shop) delivered(t *testing.T, amount int64) delivery {
	t.Helper()
	id := sh.post(t, amount)
	var d delivery
	require.Eventually(t, func() bool {
		d = sh.deliveryOf(t, id)
		return d.Status != "" && d.Status != "pending"
	}, 20*time.Second, 50*time.Millisecond)
	return d
}

type delivery struct {
	Status        string     `json:"status"`
	Route         *string    `json:"route"`
	LastError     string     `json:"last_error"`
	ZaloMessageID string     `json:"zalo_message_id"`
	DeferredUntil *time.Time `json:"deferred_until"`
	SeenAt        *time.Time `json:"seen_at"`
	CostVND       int64      `json:"cost_vnd"`
}

func (sh *shop) deliveryOf(t *testing.T, transactionID string) delivery {
	var txn struct {
		Deliveries []delivery `json:"deliveries"`
	}
	call(t, "GET", sh.apiURL+"/v1/transactions/"+transactionID, sh.key, nil, &txn)
	if len(txn.Deliveries) == 0 {
		return delivery{}
	}
	return txn.Deliveries[0]
}

// reachableBy is the owner's reachable_by in GET /v1/integrations/{id}.
func (sh *shop) reachableBy(t *testing.T) string {
	var integ struct {
		Owner struct {
			ReachableBy       string     `json:"reachable_by"`
			LastInteractionAt *time.Time `json:"last_interaction_at"`
		} `json:"owner"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String(), sh.key, nil, &integ))
	require.NotNil(t, integ.Owner.LastInteractionAt)
	return integ.Owner.ReachableBy
}

// useTemplate has the sandbox OA's template approved in Zalo's console:
// its change_template_status webhook makes tingting read it, and the
// shop's integration then takes it through the API.
func (sh *shop) useTemplate(t *testing.T, tpl zalosim.Template, params map[string]string) {
	t.Helper()
	sh.approveTemplates(t, sh.key, tpl)
	require.Equal(t, http.StatusOK, call(t, "PATCH", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String(), sh.key,
		map[string]any{"template_id": tpl.ID, "template_params": params}, nil))
}

// TestEachAlertTakesTheRouteThatReaches: in the chat window an alert is a
// cs message; eight days on Zalo refuses cs (-230), and the same attempt
// sends the integration's template by user id, the delivery log saying
// why; the next alert goes straight by template; once the owner writes to
// the OA again, chat is back.
func TestEachAlertTakesTheRouteThatReaches(t *testing.T) {
	sh := newShop(t)
	sh.useTemplate(t, seed.AlertTemplate(), seed.AlertMapping)
	require.Equal(t, "cs", sh.reachableBy(t), "followed a moment ago")
	d := sh.delivered(t, 10_000)
	require.Equal(t, "sent", d.Status)
	require.Equal(t, "cs", *d.Route)
	require.Zero(t, d.CostVND, "chat within 48 h is free")

	sh.sim.SetClock(time.Now().Add(8 * 24 * time.Hour))
	d = sh.delivered(t, 20_000)
	require.Equal(t, "sent", d.Status)
	require.Equal(t, "template", *d.Route)
	require.Equal(t, "cs refused (-230)", d.LastError)
	require.EqualValues(t, seed.AlertTemplate().PriceUID, d.CostVND, "a template costs its price_uid")
	inbox := sh.sim.Inbox(sh.owner.OAUserID)
	require.Equal(t, zalosim.KindTemplate, inbox[len(inbox)-1].Kind)
	require.Contains(t, inbox[len(inbox)-1].Text, "so_tien: +20.000 VND")
	require.Equal(t, "template", sh.reachableBy(t))

	d = sh.delivered(t, 30_000)
	require.Equal(t, "template", *d.Route)
	require.Empty(t, d.LastError, "cs is not tried again")
	require.Equal(t, 2, sh.sim.Stats().Calls[zalosim.KindCS])

	sh.sim.ResetClock()
	sh.says(t, sh.owner, "cảm ơn shop") // an interaction: its webhook reopens the chat window
	require.Eventually(t, func() bool { return sh.reachableBy(t) == "cs" }, 10*time.Second, 50*time.Millisecond)
	d = sh.delivered(t, 40_000)
	require.Equal(t, "cs", *d.Route)
}

// TestAFollowerQuietForTenDaysGetsTheTemplate: nothing tingting believes
// or Zalo answers lets chat reach a follower quiet for ten days: their
// alert is the integration's template by user id, at its price, and the
// transaction route Zalo switched off is never called.
func TestAFollowerQuietForTenDaysGetsTheTemplate(t *testing.T) {
	sh := newShop(t)
	sh.useTemplate(t, seed.AlertTemplate(), seed.AlertMapping)
	sh.quietFor(t, sh.owner, 10*24*time.Hour)
	d := sh.delivered(t, 599_000)
	require.Equal(t, "sent", d.Status)
	require.Equal(t, "template", *d.Route)
	require.EqualValues(t, 200, d.CostVND)
	inbox := sh.sim.Inbox(sh.owner.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, "Biến động số dư\nso_tien: +599.000 VND\nnoi_dung: ", inbox[0].Text, "no memo: the parameter it fills is sent empty")
	require.Zero(t, sh.sim.Stats().Calls[zalosim.KindTransaction])
}

// TestQuietHoursHoldAlertsUntilTheyEnd: the owner's quiet hours (here
// ending at the next minute) hold their alerts as deferred until then;
// then one message brings them all, and each delivery is sent under its
// id.
func TestQuietHoursHoldAlertsUntilTheyEnd(t *testing.T) {
	sh := newShop(t)
	now := time.Now().In(vntime.Zone)
	end := now.Truncate(time.Minute).Add(time.Minute)
	if end.Sub(now) < 15*time.Second {
		end = end.Add(time.Minute)
	}
	quiet := end.Add(-2*time.Hour).Format("15:04") + "-" + end.Format("15:04")
	require.Equal(t, http.StatusOK, call(t, "PATCH", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String(), sh.key,
		map[string]string{"owner_quiet_hours": quiet}, nil))

	first, second := sh.delivered(t, 150_000), sh.delivered(t, -50_000)
	for _, d := range []delivery{first, second} {
		require.Equal(t, "deferred", d.Status)
		require.True(t, end.Equal(*d.DeferredUntil), "held until %s, not %s", end, d.DeferredUntil)
		require.Equal(t, "quiet_hours", d.LastError)
	}
	require.Empty(t, sh.sim.Inbox(sh.owner.OAUserID))

	var inbox []zalosim.Message
	require.Eventually(t, func() bool {
		inbox = sh.sim.Inbox(sh.owner.OAUserID)
		return len(inbox) > 0
	}, 90*time.Second, 100*time.Millisecond, "the message when the quiet hours end")
	time.Sleep(300 * time.Millisecond)
	inbox = sh.sim.Inbox(sh.owner.OAUserID)
	require.Len(t, inbox, 1)
	require.Contains(t, inbox[0].Text, "Biến động số dư trong đêm\nSố giao dịch: 2\nTổng tiền vào: +150.000 VND\nTổng tiền ra: -50.000 VND")
	require.Eventually(t, func() bool {
		var log struct{ Items []delivery }
		call(t, "GET", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String()+"/deliveries", sh.key, nil, &log)
		for _, d := range log.Items {
			if d.Status != "sent" || d.ZaloMessageID != inbox[0].MessageID {
				return false
			}
		}
		return len(log.Items) == 2
	}, 5*time.Second, 50*time.Millisecond, "both alerts sent under the one message's id")
	id := contract.MorningWorkflowID(sh.owner.OAUserID, end)
	require.NoError(t, temporalServer.Client().GetWorkflow(context.Background(), id, "").Get(context.Background(), nil))
	recordHistory(t, contract.MorningName, id)
	recordHistory(t, contract.NotifyTransactionName, workflowsOfType(t, contract.NotifyTransactionName)[0])
}

// TestASeenReceiptShowsInTheLog: Zalo's user_seen_message (the sandbox's
// "seen" button) fills the delivery's seen_at, in the transaction and the
// delivery log.
func TestASeenReceiptShowsInTheLog(t *testing.T) {
	sh := newShop(t)
	id := sh.post(t, 10_000)
	require.Eventually(t, func() bool { return sh.deliveryOf(t, id).Status == "sent" }, 20*time.Second, 50*time.Millisecond)
	require.Nil(t, sh.deliveryOf(t, id).SeenAt)
	_, status, ok := sh.sim.Seen(sh.owner.OAUserID)
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status)
	d := sh.deliveryOf(t, id)
	require.NotNil(t, d.SeenAt, "applied when the webhook is answered")
	require.WithinDuration(t, time.Now(), *d.SeenAt, time.Minute)
}

// TestARateLimitStormLosesNothing: Zalo answers -32 past 8 calls a
// minute, for a while; every alert still arrives once when it lifts, none
// fails, and none is sent twice.
func TestARateLimitStormLosesNothing(t *testing.T) {
	sh := newShopWith(t, "ZALO_SEND_RATE", "20")
	sh.sim.SetFaults(zalosim.Faults{RateLimitPerMinute: 8})
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.Equal(t, http.StatusAccepted, call(t, "POST", sh.apiURL+"/v1/transactions", sh.key, map[string]any{
				"account_number": "111", "external_id": fmt.Sprint("storm-", i), "amount": 1000 + i, "occurred_at": time.Now().Format(time.RFC3339),
			}, nil))
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool { return sh.sim.Stats().Refused[-32] > 0 }, 10*time.Second, 20*time.Millisecond, "a storm of -32")
	time.Sleep(3 * time.Second) // a few rounds of -32 and backing off
	sh.sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool { return len(sh.sim.Inbox(sh.owner.OAUserID)) >= n }, 30*time.Second, 100*time.Millisecond)
	time.Sleep(500 * time.Millisecond)

	seen := map[string]bool{}
	for _, m := range sh.sim.Inbox(sh.owner.OAUserID) {
		require.False(t, seen[m.Text], "sent twice: %s", m.Text)
		seen[m.Text] = true
	}
	require.Len(t, seen, n)
	var log struct{ Items []delivery }
	call(t, "GET", sh.apiURL+"/v1/integrations/"+sh.integ.ID.String()+"/deliveries?limit=100", sh.key, nil, &log)
	require.Len(t, log.Items, n)
	for _, d := range log.Items {
		require.Equal(t, "sent", d.Status, "a -32 never fails a delivery: %s", d.LastError)
	}
}

// lastInteracted makes tingting believe a follower last interacted ago,
// once their follow is recorded (recorded after, it would be their last
// interaction again).
func (s *stack) lastInteracted(t *testing.T, oaUserID string, ago time.Duration) {
	t.Helper()
	s.waitFollower(t, oaUserID, "following AND last_interaction_at IS NOT NULL")
	pool, err := db.Open(context.Background(), s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = now() - make_interval(secs => $1) WHERE oa_user_id = $2",
		ago.Seconds(), oaUserID)
	require.NoError(t, err)
}

// waitFollower waits until tingting's record of a Zalo user meets cond, a
// condition on zalo_followers.
func (s *stack) waitFollower(t *testing.T, oaUserID, cond string) {
	t.Helper()
	pool, err := db.Open(context.Background(), s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	require.Eventually(t, func() bool {
		var met bool
		err := pool.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM zalo_followers WHERE oa_user_id = $1 AND "+cond+")", oaUserID).Scan(&met)
		return err == nil && met
	}, 15*time.Second, 50*time.Millisecond, "zalo_followers: %s for %s", cond, oaUserID)
}

// TestALateNotificationSendsBehindFreshOnes: with sends paced (the default
// ZALO_SEND_RATE), a transaction whose notification starts long after it
// was recorded (here its outbox row is a minute old, as after an outage)
// sends from the paced queue at a lower priority, without local attempts;
// a fresh one sends at once, locally.
func TestALateNotificationSendsBehindFreshOnes(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, sh.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	q := db.New(pool)
	acct, err := q.GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: uuid.MustParse(sh.workspaceOf(t, sh.key)), AccountNumber: "111"})
	require.NoError(t, err)
	late, err := q.RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: acct.WorkspaceID, BankAccountID: acct.ID, ExternalID: "late", Amount: 70_000, OccurredAt: time.Now().Add(-time.Minute),
	})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "INSERT INTO outbox (kind, ref, created_at) VALUES ('notify', $1, now() - interval '1 minute')", late.ID)
	require.NoError(t, err)
	sh.notified(t, late.ID.String())
	fresh := sh.delivered(t, 80_000)
	require.Equal(t, "sent", fresh.Status)

	sends := func(id uuid.UUID) (local int, priorities []int32) {
		for _, ev := range historyOf(t, contract.TransactionWorkflowID(id)).Events {
			if s := ev.GetActivityTaskScheduledEventAttributes(); s != nil && s.ActivityType.GetName() == "SendZaloMessage" {
				priorities = append(priorities, s.GetPriority().GetPriorityKey())
			}
			if m := ev.GetMarkerRecordedEventAttributes(); m != nil && m.MarkerName == "LocalActivity" {
				local++
			}
		}
		return local, priorities
	}
	local, priorities := sends(late.ID)
	require.Equal(t, 1, local, "the plan only")
	require.Equal(t, []int32{4}, priorities, "one send, behind fresh ones")
	var freshID uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, "SELECT id FROM transactions WHERE external_id = $1", fmt.Sprint("FT", sh.txns)).Scan(&freshID))
	local, priorities = sends(freshID)
	require.Equal(t, 2, local, "the plan and the send")
	require.Empty(t, priorities)
}
