package activities_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

const token = "oa-token"

// acts names the activities for ExecuteActivity; the registered instance does the work.
var acts *activities.Activities

// world is a workspace with one integration (owner + one member) on a real
// database, and a sandbox Zalo over HTTP.
type world struct {
	simClock    atomic.Int64 // added to the sandbox's time
	userDetails atomic.Int64 // user/detail calls the sandbox answered
	pool        *db.Pool
	tokens      *oatoken.Store
	client      *zalo.Client
	sim         *zalosim.Sim
	simURL      string
	env         *testsuite.TestActivityEnvironment
	acts        *activities.Activities // the registered instance; local activities call it directly
	owner       zalosim.User
	member      zalosim.User
	integ       db.CreateIntegrationRow
	acct        db.BankAccount
}

func newWorld(t *testing.T, memberFollows bool) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{pool: testenv.Pool(t)}
	w.sim = zalosim.New(zalosim.Config{
		OAAccessToken: token, OARefreshToken: "refresh", AccessTokenTTL: 365 * 24 * time.Hour,
		Now: func() time.Time { return time.Now().Add(time.Duration(w.simClock.Load())) },
	})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/user/detail") {
			w.userDetails.Add(1)
		}
		w.sim.ServeHTTP(rw, r)
	}))
	w.simURL = srv.URL
	t.Cleanup(srv.Close)
	w.owner = w.sim.CreateUser("Chủ", true)
	w.member = w.sim.CreateUser("Nhân viên", memberFollows)

	ws, _, err := apikey.CreateWorkspace(ctx, w.pool, "Shop")
	require.NoError(t, err)
	w.acct, err = db.New(w.pool).CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111", BankName: "VPBank"})
	require.NoError(t, err)
	person := func(u zalosim.User) seed.Person {
		return seed.Person{OAUserID: u.OAUserID, AppUserID: u.AppUserID, Name: u.Name}
	}
	w.integ, err = seed.CreateIntegration(ctx, w.pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{w.acct.ID}, Owner: person(w.owner), Members: []seed.Person{person(w.member)},
	})
	require.NoError(t, err)

	box, err := secret.New(make([]byte, 32))
	require.NoError(t, err)
	tokens := &oatoken.Store{Pool: w.pool, Box: box}
	require.NoError(t, tokens.Put(ctx, token, "refresh", time.Now().Add(25*time.Hour), false))
	w.tokens, w.client = tokens, zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL, ZNSURL: srv.URL})

	var s testsuite.WorkflowTestSuite
	w.env = s.NewTestActivityEnvironment()
	w.acts = &activities.Activities{
		Pool:      w.pool,
		Zalo:      w.client,
		Tokens:    tokens,
		Refresher: noRefresher{t},
		Metrics:   metrics.New(),
		Now:       time.Now,
		Reach:     activities.Reach{Policy: dayOnly()},
	}
	w.env.RegisterActivity(w.acts)
	return w
}

// dayOnly is the default route policy without a night: these tests run at
// any hour (the night has tests of its own).
func dayOnly() route.Policy {
	p := route.Default()
	p.NightStart, p.NightEnd = 0, 0
	return p
}

// daytime moves the sandbox's clock at least by ahead, to the next noon in
// Vietnam, where its night rule (no transaction messages from 22:00 to
// 06:00) does not apply.
func (w *world) daytime(ahead time.Duration) {
	vn := time.FixedZone("ICT", 7*60*60)
	at := time.Now().Add(ahead).In(vn)
	noon := time.Date(at.Year(), at.Month(), at.Day(), 12, 0, 0, 0, vn)
	if noon.Before(at) {
		noon = noon.AddDate(0, 0, 1)
	}
	w.simClock.Store(int64(time.Until(noon)))
}

// noRefresher fails the test: these tests never present a stale token.
type noRefresher struct{ t *testing.T }

func (n noRefresher) RequestRefresh(context.Context, int64) error {
	n.t.Error("unexpected OA token refresh")
	return errors.New("no refresh in this test")
}

// plan records a transaction and plans it; it returns delivery ids by recipient.
func (w *world) plan(t *testing.T) map[string]uuid.UUID {
	t.Helper()
	ctx := context.Background()
	txn, err := db.New(w.pool).RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: w.acct.WorkspaceID, BankAccountID: w.acct.ID, ExternalID: uuid.NewString(),
		Amount: 599_000, Description: "Thanh toán", OccurredAt: time.Now(),
	})
	require.NoError(t, err)
	v, err := w.env.ExecuteActivity(acts.PlanNotifications, activities.PlanInput{TransactionID: txn.ID})
	require.NoError(t, err)
	var plan activities.PlanResult
	require.NoError(t, v.Get(&plan))
	rows, err := db.New(w.pool).ListTransactionDeliveries(ctx, txn.ID)
	require.NoError(t, err)
	require.Len(t, plan.Deliveries, len(rows))
	out := map[string]uuid.UUID{}
	for _, r := range rows {
		out[r.Recipient] = r.ID
	}
	return out
}

func (w *world) send(t *testing.T, id uuid.UUID) (activities.Outcome, error) {
	t.Helper()
	v, err := w.env.ExecuteActivity(acts.SendZaloMessage, activities.SendInput{DeliveryID: id})
	if err != nil {
		return activities.Outcome{}, err
	}
	var out activities.Outcome
	require.NoError(t, v.Get(&out))
	return out, nil
}

func TestASentDeliveryIsNeverSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ids := w.plan(t)
	require.Len(t, ids, 2)

	first, err := w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, first.Status)
	require.True(t, first.Recorded, "the send records its own outcome")
	require.Equal(t, db.DeliveryStatusSent, delivery(t, w, ids[w.owner.OAUserID]).Status)

	// A retry of the same delivery (say, after a worker crash) reports the
	// recorded message and sends nothing.
	again, err := w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.Len(t, w.sim.Inbox(w.owner.OAUserID), 1)
	require.Contains(t, w.sim.Inbox(w.owner.OAUserID)[0].Text, "+599.000 VND")
}

func TestRecipientsZaloWillNotReachAreSkipped(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ids := w.plan(t)
	out, err := w.send(t, ids[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSkipped, out.Status)
	require.Equal(t, "not_following", out.Reason)
	require.True(t, out.Recorded)
}

func TestRemovedMembersAndPausedIntegrationsGetNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ctx := context.Background()
	ids := w.plan(t)

	_, err := w.pool.Exec(ctx, "UPDATE integration_members SET removed_at = now() WHERE oa_user_id = $1", w.member.OAUserID)
	require.NoError(t, err)
	out, err := w.send(t, ids[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.Outcome{Status: activities.StatusSkipped, Reason: "member_removed", Recorded: true}, out)

	_, err = w.pool.Exec(ctx, "UPDATE integrations SET status = 'paused' WHERE id = $1", w.integ.ID)
	require.NoError(t, err)
	out, err = w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.Outcome{Status: activities.StatusSkipped, Reason: "integration_paused", Recorded: true}, out)
	require.Empty(t, w.sim.Inbox(w.owner.OAUserID))
	require.Empty(t, w.sim.Inbox(w.member.OAUserID))
}

func TestZaloErrorsAreRetriedOrNot(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ids := w.plan(t)
	id := ids[w.owner.OAUserID]
	fault := func(code int) {
		w.sim.SetFaults(zalosim.Faults{ErrorCode: code, ErrorRate: 1})
	}

	fault(-32)
	_, err := w.send(t, id)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.False(t, appErr.NonRetryable(), "rate limits are retried")
	d := delivery(t, w, id)
	require.Equal(t, db.DeliveryStatusPending, d.Status)
	require.Contains(t, d.LastError, "-32", "the log shows why it is still pending")
	require.EqualValues(t, 1, d.Attempts)

	fault(-201)
	_, err = w.send(t, id)
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable(), "invalid parameters are not retried")
	require.Equal(t, "zalo_permanent", appErr.Type())
}

func delivery(t *testing.T, w *world, id uuid.UUID) db.Delivery {
	var d db.Delivery
	err := w.pool.QueryRow(context.Background(), "SELECT status, attempts, last_error FROM deliveries WHERE id = $1", id).
		Scan(&d.Status, &d.Attempts, &d.LastError)
	require.NoError(t, err)
	return d
}

// TestZalosAnswerBeatsOurBelief: tingting believes the owner interacted
// yesterday, but Zalo knows better (its clock is eight days on): the cs
// message is refused (-230), and the same attempt sends a transaction
// message instead, and says why. The next alert goes straight by
// transaction, until the owner interacts again.
func TestZalosAnswerBeatsOurBelief(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	w.daytime(8 * 24 * time.Hour)
	ids := w.plan(t)

	out, err := w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, out.Status)
	require.Equal(t, "transaction", out.Route)
	require.Equal(t, "cs refused (-230)", out.Reason)
	inbox := w.sim.Inbox(w.owner.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, zalosim.KindTransaction, inbox[0].Kind)
	require.Contains(t, inbox[0].Text, "Biến động số dư\nSố tiền: +599.000 VND")

	ids = w.plan(t)
	out, err = w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, "transaction", out.Route)
	require.Empty(t, out.Reason, "cs was not tried again")
	stats := w.sim.Stats()
	require.Equal(t, 1, stats.Calls[zalosim.KindCS])
	require.Equal(t, 2, stats.Calls[zalosim.KindTransaction])
}

// TestZNSReachesWhomNothingElseDoes: a member who neither follows nor
// wrote gets the integration's ZNS template, its fields under the
// configured parameter names.
func TestZNSReachesWhomNothingElseDoes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	w.acts.Reach.ZNSParams = map[message.Field]string{message.FieldAmount: "so_tien"}
	following := false
	require.NoError(t, db.New(w.pool).UpsertZaloFollower(context.Background(), db.UpsertZaloFollowerParams{
		OAUserID: w.member.OAUserID, Following: &following, At: time.Now().Add(time.Second),
	}))
	_, err := w.pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = now() - interval '30 days' WHERE oa_user_id = $1", w.member.OAUserID)
	require.NoError(t, err)
	ids := w.plan(t)

	out, err := w.send(t, ids[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSkipped, out.Status, "no ZNS template: nothing reaches them")
	require.Equal(t, "not_following", out.Reason)
	require.Equal(t, contract.NoticeMemberUnreachable, out.Notice.Kind, "the owner is to be told")
	require.Equal(t, "Nhân viên", out.Notice.About)
	ids = w.plan(t)
	again, err := w.send(t, ids[w.member.OAUserID])
	require.NoError(t, err)
	require.Nil(t, again.Notice, "once per trouble")

	_, err = w.pool.Exec(context.Background(), "UPDATE integrations SET template_id = 'tpl-bank' WHERE id = $1", w.integ.ID)
	require.NoError(t, err)
	ids = w.plan(t)
	out, err = w.send(t, ids[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, out.Status)
	require.Equal(t, "zns", out.Route)
	inbox := w.sim.Inbox(w.member.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, zalosim.KindZNS, inbox[0].Kind)
	require.Contains(t, inbox[0].Text, "[zns tpl-bank]")
	require.Contains(t, inbox[0].Text, "so_tien: +599.000 VND")
}

// TestAnUnknownLastInteractionIsAskedOfZalo: a follower no webhook told us
// about (from before tracking began) has their last interaction read from
// user/detail once, and the route follows from it.
func TestAnUnknownLastInteractionIsAskedOfZalo(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	_, err := w.pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = NULL WHERE oa_user_id = $1", w.owner.OAUserID)
	require.NoError(t, err)
	ids := w.plan(t)
	out, err := w.send(t, ids[w.owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, "cs", out.Route, "Zalo says they interacted today")
	var last, checked *time.Time
	require.NoError(t, w.pool.QueryRow(context.Background(), "SELECT last_interaction_at, interaction_checked_at FROM zalo_followers WHERE oa_user_id = $1",
		w.owner.OAUserID).Scan(&last, &checked))
	require.NotNil(t, last)
	require.WithinDuration(t, time.Now(), *last, 31*time.Hour, "the start of the day Zalo gave")
	require.NotNil(t, checked)
}

// TestAPersonUnknownToTheFollowerTableIsAskedOnce: user/detail's answer is
// kept for someone no webhook has told us of yet, so their next alert does
// not ask Zalo again.
func TestAPersonUnknownToTheFollowerTableIsAskedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	_, err := w.pool.Exec(context.Background(), "DELETE FROM zalo_followers WHERE oa_user_id = $1", w.member.OAUserID)
	require.NoError(t, err)
	for range 2 {
		out, err := w.send(t, w.plan(t)[w.member.OAUserID])
		require.NoError(t, err)
		require.Equal(t, activities.StatusSent, out.Status)
	}
	require.EqualValues(t, 1, w.userDetails.Load(), "asked for the first alert only")
}

// TestALocalSendNeverWaitsForTheKeeper: inside a workflow task, a send whose
// OA token Zalo refuses ends at once with ErrTokenRefused (the workflow's
// local policy does not retry it) instead of waiting there for the keeper;
// the regular activity that follows asks the keeper.
func TestALocalSendNeverWaitsForTheKeeper(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ids := w.plan(t)
	require.NoError(t, w.tokens.Put(context.Background(), "revoked-token", "refresh", time.Now().Add(time.Hour), true))
	_, err := w.env.ExecuteLocalActivity(w.acts.SendZaloMessage, activities.SendInput{DeliveryID: ids[w.owner.OAUserID]})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, activities.ErrTokenRefused, appErr.Type(), "noRefresher fails the test if the keeper is asked")
	require.Empty(t, w.sim.Inbox(w.owner.OAUserID))
}

// TestASendWhoseAnswerWasLostIsLookedForBeforeItIsSentAgain: Zalo takes
// longer than the client waits, so the send's outcome is unknown. The next
// attempt looks in the recipient's conversation: the message is there, so
// it is recorded as sent with Zalo's id and not sent again. A delivery in
// doubt whose message is not there is sent.
func TestASendWhoseAnswerWasLostIsLookedForBeforeItIsSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	w.acts.Zalo = zalo.NewClient(zalo.Config{OpenAPIURL: w.simURL, HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}})
	w.acts.InDoubt = activities.InDoubt{Check: true, Wait: time.Second}
	ids := w.plan(t)
	owner := ids[w.owner.OAUserID]

	w.sim.SetFaults(zalosim.Faults{LatencyMS: 600})
	_, err := w.send(t, owner)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, activities.ErrInDoubt, appErr.Type())
	require.Equal(t, time.Second, appErr.NextRetryDelay(), "looked for after the wait, not at once")
	w.sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool { return len(w.sim.Inbox(w.owner.OAUserID)) == 1 }, 5*time.Second, 20*time.Millisecond,
		"Zalo delivered it after the client had given up")

	_, err = w.send(t, owner) // too early: the message might still be on its way
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, activities.ErrInDoubt, appErr.Type())
	time.Sleep(time.Second)
	out, err := w.send(t, owner)
	require.NoError(t, err)
	inbox := w.sim.Inbox(w.owner.OAUserID)
	require.Len(t, inbox, 1, "not sent again")
	require.Equal(t, activities.Outcome{Status: activities.StatusSent, MessageID: inbox[0].MessageID, Recorded: true}, out)

	// The member's send was in doubt too, but never reached Zalo.
	member := ids[w.member.OAUserID]
	_, err = w.pool.Exec(context.Background(), "UPDATE deliveries SET in_doubt_since = now() - interval '1 minute' WHERE id = $1", member)
	require.NoError(t, err)
	out, err = w.send(t, member)
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, out.Status)
	require.Len(t, w.sim.Inbox(w.member.OAUserID), 1)
}

// TestSendsKeepTheOAsPace: however many sends run at once, one budget row
// spaces them at ZALO_SEND_RATE (here 10 a second): eight sends started
// together take seven tenths of a second to reach Zalo.
func TestSendsKeepTheOAsPace(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	w.acts.Reach.SendRate = 10
	var ids []uuid.UUID
	for range 4 {
		for _, id := range w.plan(t) {
			ids = append(ids, id)
		}
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		// A test environment each: one is not safe for concurrent use.
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(w.acts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := env.ExecuteActivity(acts.SendZaloMessage, activities.SendInput{DeliveryID: id})
			assert.NoError(t, err)
			var out activities.Outcome
			assert.NoError(t, v.Get(&out))
			assert.Equal(t, activities.StatusSent, out.Status)
		}()
	}
	wg.Wait()
	var at []time.Time
	for _, u := range []zalosim.User{w.owner, w.member} {
		for _, m := range w.sim.Inbox(u.OAUserID) {
			at = append(at, m.ReceivedAt)
		}
	}
	require.Len(t, at, len(ids))
	slices.SortFunc(at, time.Time.Compare)
	// Each send starts at its slot; Zalo stamps it a moment later, give or
	// take scheduling on a busy machine, so the span is what is exact.
	require.Greater(t, at[len(at)-1].Sub(at[0]), time.Duration(len(at)-1)*90*time.Millisecond, "%d sends at 10 a second", len(at))
}

// TestTheOwnerIsToldOnceOfAMemberWhoBlockedTheOA: Zalo's -217 skips the
// member's alert and asks, once, that the owner be told; once a message
// reaches the member again, a new block is told again.
func TestTheOwnerIsToldOnceOfAMemberWhoBlockedTheOA(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	w.sim.SetFaults(zalosim.Faults{ErrorCode: -217, ErrorRate: 1})
	out, err := w.send(t, w.plan(t)[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSkipped, out.Status)
	require.Equal(t, "blocked", out.Reason)
	require.Equal(t, &contract.OwnerNotice{IntegrationID: w.integ.ID, Kind: contract.NoticeMemberBlocked, About: "Nhân viên", Key: out.Notice.Key}, out.Notice)
	told := out.Notice

	// The same delivery tried again (its first answer never reached the
	// workflow) asks for the same notice: its id keeps it once.
	again, err := w.send(t, uuid.MustParse(told.Key))
	require.NoError(t, err)
	require.Equal(t, told, again.Notice, "the notice is not lost with the first attempt's answer")

	out, err = w.send(t, w.plan(t)[w.member.OAUserID])
	require.NoError(t, err)
	require.Nil(t, out.Notice, "told once")

	w.sim.SetFaults(zalosim.Faults{})
	out, err = w.send(t, w.plan(t)[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, out.Status, "unblocked")
	w.sim.SetFaults(zalosim.Faults{ErrorCode: -217, ErrorRate: 1})
	out, err = w.send(t, w.plan(t)[w.member.OAUserID])
	require.NoError(t, err)
	require.NotNil(t, out.Notice, "blocked again: told again")
}

// TestAMemberSeesOnlyWhatTheyMaySee: fields a member hides are left out of
// their alerts; the owner's show everything; a muted member gets nothing.
func TestAMemberSeesOnlyWhatTheyMaySee(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	_, err := w.pool.Exec(context.Background(), "UPDATE integration_members SET hidden_fields = '{description,balance}' WHERE oa_user_id = $1", w.member.OAUserID)
	require.NoError(t, err)
	ids := w.plan(t)
	for _, u := range []zalosim.User{w.owner, w.member} {
		_, err := w.send(t, ids[u.OAUserID])
		require.NoError(t, err)
	}
	require.Contains(t, w.sim.Inbox(w.owner.OAUserID)[0].Text, "Nội dung: Thanh toán")
	member := w.sim.Inbox(w.member.OAUserID)[0].Text
	require.Contains(t, member, "Số tiền: +599.000 VND")
	require.NotContains(t, member, "Nội dung")

	until := time.Now().Add(time.Hour)
	require.NoError(t, db.New(w.pool).SetMutedUntil(context.Background(), db.SetMutedUntilParams{OAUserID: w.member.OAUserID, MutedUntil: &until}))
	out, err := w.send(t, w.plan(t)[w.member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, activities.StatusSkipped, out.Status)
	require.Contains(t, out.Reason, "muted")
	require.Len(t, w.sim.Inbox(w.member.OAUserID), 1)
}

// TestATransactionsDeliveriesGoOutTogether: one activity sends every
// delivery of a transaction and records what it settled; run again, it
// sends nothing. What it could not settle (Zalo failing for now) is left
// pending, without an outcome, for the workflow to send on its own; what
// Zalo refused for good is failed, and sent no more.
func TestATransactionsDeliveriesGoOutTogether(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	batch := func(ids map[string]uuid.UUID) []activities.Outcome {
		t.Helper()
		in := activities.BatchInput{DeliveryIDs: []uuid.UUID{ids[w.owner.OAUserID], ids[w.member.OAUserID]}}
		v, err := w.env.ExecuteLocalActivity(w.acts.SendZaloMessages, in)
		require.NoError(t, err)
		var res activities.BatchResult
		require.NoError(t, v.Get(&res))
		require.Len(t, res.Outcomes, 2)
		return res.Outcomes
	}
	ids := w.plan(t)
	outs := batch(ids)
	for i, u := range []zalosim.User{w.owner, w.member} {
		require.Equal(t, activities.StatusSent, outs[i].Status)
		require.True(t, outs[i].Recorded)
		require.Equal(t, db.DeliveryStatusSent, delivery(t, w, ids[u.OAUserID]).Status)
		require.Len(t, w.sim.Inbox(u.OAUserID), 1)
	}
	require.Equal(t, outs, batch(ids), "run again: the same outcomes")
	require.Len(t, w.sim.Inbox(w.owner.OAUserID), 1, "and nothing sent twice")

	w.sim.SetFaults(zalosim.Faults{HTTPStatus: http.StatusServiceUnavailable})
	ids = w.plan(t)
	for i, out := range batch(ids) {
		require.Equal(t, activities.Outcome{}, out, "unsettled (%d)", i)
	}
	d := delivery(t, w, ids[w.owner.OAUserID])
	require.Equal(t, db.DeliveryStatusPending, d.Status)
	require.Contains(t, d.LastError, "503")

	w.sim.SetFaults(zalosim.Faults{ErrorCode: -201, ErrorRate: 1})
	ids = w.plan(t)
	for i, out := range batch(ids) {
		require.Equal(t, activities.StatusFailed, out.Status, "failed for good (%d)", i)
		require.True(t, out.Recorded)
		require.Contains(t, out.Reason, "zalo_permanent")
	}
	require.Equal(t, db.DeliveryStatusFailed, delivery(t, w, ids[w.owner.OAUserID]).Status)
}

// TestAnOwnerNoticeMeetsZalosRefusalsAsAnAlertDoes: an owner who blocked
// the OA is skipped, not retried for a day; Zalo's -32 waits and is tried
// again; a permanent refusal is not retried.
func TestAnOwnerNoticeMeetsZalosRefusalsAsAnAlertDoes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	notice := contract.OwnerNotice{IntegrationID: w.integ.ID, Kind: contract.NoticeMemberLeft, About: "Nhân viên", Key: uuid.NewString()}
	tell := func() (activities.Outcome, error) {
		v, err := w.env.ExecuteActivity(acts.SendOwnerNotice, notice)
		if err != nil {
			return activities.Outcome{}, err
		}
		var out activities.Outcome
		require.NoError(t, v.Get(&out))
		return out, nil
	}

	w.sim.SetFaults(zalosim.Faults{ErrorCode: -217, ErrorRate: 1})
	out, err := tell()
	require.NoError(t, err)
	require.Equal(t, activities.StatusSkipped, out.Status)
	require.Equal(t, "blocked", out.Reason)

	w.sim.SetFaults(zalosim.Faults{ErrorCode: -32, ErrorRate: 1})
	_, err = tell()
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, "zalo_rate_limited", appErr.Type())
	require.False(t, appErr.NonRetryable())

	w.sim.SetFaults(zalosim.Faults{ErrorCode: -201, ErrorRate: 1})
	_, err = tell()
	require.True(t, activities.Permanent(err), "%v", err)

	w.sim.SetFaults(zalosim.Faults{})
	out, err = tell()
	require.NoError(t, err)
	require.Equal(t, activities.StatusSent, out.Status)
}
