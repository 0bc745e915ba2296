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

	"github.com/tingting-vn/tingting/apiclient"
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

type delivery = apiclient.Delivery

// deliveryOf is the transaction's first delivery, or none yet.
func (sh *shop) deliveryOf(t *testing.T, transactionID uuid.UUID) delivery {
	t.Helper()
	res, err := sh.api.GetTransactionWithResponse(context.Background(), transactionID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	if len(res.JSON200.Deliveries) == 0 {
		return delivery{}
	}
	return res.JSON200.Deliveries[0]
}

// reachableBy is the owner's reachable_by in GET /v1/integrations/{id}.
func (sh *shop) reachableBy(t *testing.T) apiclient.OwnerReachableBy {
	t.Helper()
	integ := sh.integration(t)
	require.NotNil(t, integ.Owner.LastInteractionAt)
	return integ.Owner.ReachableBy
}

// integration is GET /v1/integrations/{id} of the shop's integration.
func (sh *shop) integration(t *testing.T) *apiclient.Integration {
	t.Helper()
	res, err := sh.api.GetIntegrationWithResponse(context.Background(), sh.integ.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	return res.JSON200
}

// patchIntegration is PATCH /v1/integrations/{id} of the shop's
// integration, which must answer 200.
func (sh *shop) patchIntegration(t *testing.T, body apiclient.UpdateIntegrationJSONRequestBody) {
	t.Helper()
	res, err := sh.api.UpdateIntegrationWithResponse(context.Background(), sh.integ.ID, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), "%s", res.Body)
}

// useTemplate has the sandbox OA's template approved in Zalo's console:
// its change_template_status webhook makes tingting read it, and the
// shop's integration then takes it through the API.
func (sh *shop) useTemplate(t *testing.T, tpl zalosim.Template, params map[string]string) {
	t.Helper()
	sh.approveTemplates(t, sh.key, tpl)
	fields := map[string]apiclient.UpdateIntegrationJSONBodyTemplateParams{}
	for param, field := range params {
		fields[param] = apiclient.UpdateIntegrationJSONBodyTemplateParams(field)
	}
	sh.patchIntegration(t, apiclient.UpdateIntegrationJSONRequestBody{TemplateID: &tpl.ID, TemplateParams: &fields})
}

// TestEachAlertTakesTheRouteThatReaches: in the chat window an alert is a
// cs message; eight days on Zalo refuses cs (-230), and the same attempt
// sends the integration's template by user id, the delivery log saying
// why; the next alert goes straight by template; once the owner writes to
// the OA again, chat is back.
func TestEachAlertTakesTheRouteThatReaches(t *testing.T) {
	sh := newShop(t)
	sh.useTemplate(t, seed.AlertTemplate(), seed.AlertMapping)
	require.EqualValues(t, "cs", sh.reachableBy(t), "followed a moment ago")
	d := sh.delivered(t, 10_000)
	require.EqualValues(t, "sent", d.Status)
	require.EqualValues(t, "cs", *d.Route)
	require.Zero(t, d.CostVnd, "chat within 48 h is free")

	sh.sim.SetClock(time.Now().Add(8 * 24 * time.Hour))
	d = sh.delivered(t, 20_000)
	require.EqualValues(t, "sent", d.Status)
	require.EqualValues(t, "template", *d.Route)
	require.Equal(t, "cs refused (-230)", d.LastError)
	require.EqualValues(t, seed.AlertTemplate().PriceUID, d.CostVnd, "a template costs its price_uid")
	inbox := sh.sim.Inbox(sh.owner.OAUserID)
	require.Equal(t, zalosim.KindTemplate, inbox[len(inbox)-1].Kind)
	require.Contains(t, inbox[len(inbox)-1].Text, "so_tien: +20.000 VND")
	require.EqualValues(t, "template", sh.reachableBy(t))

	d = sh.delivered(t, 30_000)
	require.EqualValues(t, "template", *d.Route)
	require.Empty(t, d.LastError, "cs is not tried again")
	require.Equal(t, 2, sh.sim.Stats().Calls[zalosim.KindCS])

	sh.sim.ResetClock()
	sh.says(t, sh.owner, "cảm ơn shop") // an interaction: its webhook reopens the chat window
	require.Eventually(t, func() bool { return sh.reachableBy(t) == "cs" }, 10*time.Second, 50*time.Millisecond)
	d = sh.delivered(t, 40_000)
	require.EqualValues(t, "cs", *d.Route)
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
	require.EqualValues(t, "sent", d.Status)
	require.EqualValues(t, "template", *d.Route)
	require.EqualValues(t, 200, d.CostVnd)
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
	sh.patchIntegration(t, apiclient.UpdateIntegrationJSONRequestBody{OwnerQuietHours: &quiet})

	first, second := sh.delivered(t, 150_000), sh.delivered(t, -50_000)
	for _, d := range []delivery{first, second} {
		require.EqualValues(t, "deferred", d.Status)
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
		log := sh.deliveries(t)
		for _, d := range log {
			if d.Status != "sent" || d.ZaloMessageID != inbox[0].MessageID {
				return false
			}
		}
		return len(log) == 2
	}, 5*time.Second, 50*time.Millisecond, "both alerts sent under the one message's id")
	pool, err := db.Open(context.Background(), sh.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	var ownerID uuid.UUID
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT id FROM zalo_followers WHERE oa_user_id = $1", sh.owner.OAUserID).Scan(&ownerID))
	id := contract.MorningWorkflowID(ownerID, end)
	require.NotContains(t, id, sh.owner.OAUserID, "Temporal keeps ids in plain text")
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
			res, err := sh.api.CreateTransactionWithResponse(context.Background(), apiclient.TransactionRequest{
				AccountNumber: ptr("111"), ExternalID: fmt.Sprint("storm-", i), Amount: int64(1000 + i), OccurredAt: time.Now(),
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode())
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
	res, err := sh.api.ListDeliveriesWithResponse(context.Background(), sh.integ.ID, &apiclient.ListDeliveriesParams{Limit: ptr(100)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	require.Len(t, res.JSON200.Items, n)
	for _, d := range res.JSON200.Items {
		require.Equal(t, apiclient.DeliveryLogItemStatusSent, d.Status, "a -32 never fails a delivery: %s", d.LastError)
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
// waits whole on the backlog queue, at a lower priority, without local
// attempts, weighing as many sends as it has recipients in its shop's
// fair share; a fresh one sends at once, locally.
func TestALateNotificationSendsBehindFreshOnes(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, sh.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	q := db.New(pool)
	acct, err := q.GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: uuid.MustParse(sh.workspaceOf(t, sh.key)), AccountNumber: "111"})
	require.NoError(t, err)
	// Its outbox row is a minute old when the dispatcher first sees it.
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	late, err := db.New(tx).RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: acct.WorkspaceID, BankAccountID: acct.ID, ExternalID: "late", Amount: 70_000, OccurredAt: time.Now().Add(-time.Minute),
	})
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "UPDATE outbox SET created_at = now() - interval '1 minute' WHERE ref = $1", late.ID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	sh.notified(t, late.ID)
	fresh := sh.delivered(t, 80_000)
	require.EqualValues(t, "sent", fresh.Status)

	// What each notification scheduled as regular activities, and how
	// many local activities it ran.
	type scheduled struct {
		activity, queue string
		priority        int32
		weight          float32
	}
	sends := func(id uuid.UUID) (local int, regular []scheduled) {
		for _, ev := range historyOf(t, contract.TransactionWorkflowID(id)).Events {
			if s := ev.GetActivityTaskScheduledEventAttributes(); s != nil {
				regular = append(regular, scheduled{s.ActivityType.GetName(), s.TaskQueue.GetName(), s.GetPriority().GetPriorityKey(), s.GetPriority().GetFairnessWeight()})
			}
			if m := ev.GetMarkerRecordedEventAttributes(); m != nil && m.MarkerName == "LocalActivity" {
				local++
			}
		}
		return local, regular
	}
	local, regular := sends(late.ID)
	require.Zero(t, local)
	require.Equal(t, []scheduled{{"DeliverTransaction", contract.BacklogTaskQueue, 4, 1}}, regular, "one task, behind fresh ones, weighing its one message")
	recordHistory(t, contract.NotifyTransactionName, contract.TransactionWorkflowID(late.ID))
	var freshID uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, "SELECT id FROM transactions WHERE external_id = $1", fmt.Sprint("FT", sh.txns)).Scan(&freshID))
	local, regular = sends(freshID)
	require.Equal(t, 1, local, "planned and sent in one step")
	require.Empty(t, regular)
}
