package notify_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/scene"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// settle sends a delivery in doubt again once its wait is over, as
// Temporal's retry would, until it ends.
func (w *world) settle(t *testing.T, id uuid.UUID) send.Outcome {
	t.Helper()
	for range 20 {
		out, err := w.send(t, id)
		if err == nil {
			return out
		}
		require.Equal(t, contract.FailInDoubt, failure(t, err), "%v", err)
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatal("still in doubt")
	return send.Outcome{}
}

// TestAnAnswerWithoutZalosWordsIsInDoubt: Zalo took the message, but what
// came back was a proxy's 502, or a 200 cut short. Neither says it was not
// sent: the send is in doubt, found in the conversation, and not sent
// again.
func TestAnAnswerWithoutZalosWordsIsInDoubt(t *testing.T) {
	t.Parallel()
	for name, middle := range map[string]scene.Middle{
		"502 without Zalo's body": scene.Garbles("/v3.0/oa/message/cs", http.StatusBadGateway, "<html>Bad Gateway</html>"),
		"200 cut short":           scene.Garbles("/v3.0/oa/message/cs", http.StatusOK, `{"error":0,"message":"Success","data":{"mess`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, true)
			w.Impatient()
			id := w.plan(t)[w.Owner.OAUserID]
			w.Between(middle)
			_, err := w.send(t, id)
			require.Equal(t, contract.FailInDoubt, failure(t, err), "not taken for unsent")
			w.Between(nil)
			out := w.settle(t, id)
			inbox := w.Sim.Inbox(w.Owner.OAUserID)
			require.Len(t, inbox, 1, "not sent twice")
			require.Equal(t, inbox[0].MessageID, out.MessageID)
		})
	}
}

// TestAMessageRecordedForAnotherDeliveryNeverSettlesThisOne: a member who
// hides the time and the memo gets the same text for two +20.000
// payments. The first arrives; the second's answer is lost and it never
// reached Zalo. The first's message, though it reads the same and was
// sent within moments, is recorded already: the second is sent, not
// taken for arrived.
func TestAMessageRecordedForAnotherDeliveryNeverSettlesThisOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	w.Impatient()
	_, err := w.Pool.Exec(context.Background(), "UPDATE integration_members SET hidden_fields = '{time,description,account,balance,reference,counter_account}' WHERE oa_user_id = $1", w.Member.OAUserID)
	require.NoError(t, err)
	first, err := w.send(t, w.plan(t)[w.Member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, send.Sent, first.Status)

	second := w.plan(t)[w.Member.OAUserID]
	w.Between(scene.Drops("/v3.0/oa/message/cs"))
	_, err = w.send(t, second)
	require.Equal(t, contract.FailInDoubt, failure(t, err))
	w.Between(nil)
	out := w.settle(t, second)
	require.Equal(t, send.Sent, out.Status)
	require.NotEqual(t, first.MessageID, out.MessageID)
	inbox := w.Sim.Inbox(w.Member.OAUserID)
	require.Len(t, inbox, 2, "the second payment is announced")
	require.Equal(t, inbox[0].Text, inbox[1].Text)
}

// TestATemplateInDoubtIsFoundByWhatItIs: a template by user id whose answer
// was lost is looked for in the conversation by its kind and time (Zalo's
// listing of a template's text is unconfirmed), and not sent again.
func TestATemplateInDoubtIsFoundByWhatItIs(t *testing.T) {
	t.Parallel()
	w := quiet(t)
	w.Impatient()
	id := w.plan(t)[w.Owner.OAUserID]
	w.Between(scene.Garbles("/v3.0/oa/message/template", http.StatusGatewayTimeout, ""))
	_, err := w.send(t, id)
	require.Equal(t, contract.FailInDoubt, failure(t, err))
	w.Between(nil)
	out := w.settle(t, id)
	inbox := w.Sim.Inbox(w.Owner.OAUserID)
	require.Len(t, inbox, 1, "not sent twice")
	require.Equal(t, inbox[0].MessageID, out.MessageID)
}

// TestASendByPhoneInDoubtIsSettledByItsReceipt: a template by phone whose
// answer was lost is settled by Zalo's receipt of our tracking id; without
// one in time it goes again, marked a possible duplicate: better twice
// than never, for money.
func TestASendByPhoneInDoubtIsSettledByItsReceipt(t *testing.T) {
	t.Parallel()
	byPhone := func(t *testing.T) *world {
		w := quiet(t)
		old := seed.AlertTemplate()
		old.SendableByUID = false
		w.UseTemplate(t, old, seed.AlertMapping)
		_, err := w.Pool.Exec(context.Background(), "UPDATE integration_members SET phone = '84912345678' WHERE oa_user_id = $1", w.Member.OAUserID)
		require.NoError(t, err)
		require.NoError(t, w.Sim.SetPhone(w.Member.OAUserID, "84912345678"))
		w.Impatient()
		w.Deps.Doubt.GiveUp = 3 * time.Second
		w.Rewire()
		return w
	}

	t.Run("the receipt came", func(t *testing.T) {
		t.Parallel()
		w := byPhone(t)
		id := w.plan(t)[w.Member.OAUserID]
		w.Between(scene.Garbles("/message/template", http.StatusBadGateway, ""))
		_, err := w.send(t, id)
		require.Equal(t, contract.FailInDoubt, failure(t, err))
		w.Between(nil)
		inbox := w.Sim.Inbox(w.Member.OAUserID)
		require.Len(t, inbox, 1)
		// What the webhook records of user_received_message.
		require.NoError(t, db.New(w.Pool).RecordPhoneReceipt(context.Background(), db.RecordPhoneReceiptParams{
			TrackingID: id.String(), MsgID: inbox[0].MessageID, DeliveredAt: time.Now(),
		}))
		out := w.settle(t, id)
		require.Equal(t, inbox[0].MessageID, out.MessageID)
		require.False(t, out.MaybeDuplicate)
		require.Len(t, w.Sim.Inbox(w.Member.OAUserID), 1, "not sent twice")
	})

	t.Run("no receipt in time", func(t *testing.T) {
		t.Parallel()
		w := byPhone(t)
		id := w.plan(t)[w.Member.OAUserID]
		w.Between(scene.Garbles("/message/template", http.StatusBadGateway, ""))
		_, err := w.send(t, id)
		require.Equal(t, contract.FailInDoubt, failure(t, err))
		w.Between(nil)
		out := w.settle(t, id)
		require.Equal(t, send.Sent, out.Status)
		require.True(t, out.MaybeDuplicate)
		require.Len(t, w.Sim.Inbox(w.Member.OAUserID), 2, "sent again: it may arrive twice")
		var maybe bool
		require.NoError(t, w.Pool.QueryRow(context.Background(), "SELECT maybe_duplicate FROM deliveries WHERE id = $1", id).Scan(&maybe))
		require.True(t, maybe, "the log says so")
	})
}

// TestMessagesFoundInTheConversationDoNotHideTheNextOnes: a slow Zalo
// leaves two bands of a person's alerts in doubt, minutes ago, every one
// delivered. The first band is found in the conversation and recorded; a
// message found is recorded as sent when its send began, not when it was
// found, so the second band's reading does not take the first band's for
// newer messages and skip past its own: each alert arrives once.
func TestMessagesFoundInTheConversationDoNotHideTheNextOnes(t *testing.T) {
	t.Parallel()
	w := &world{scene.New(t, scene.Options{NoMember: true})}
	w.Deps.Zalo = w.Zalo(zalo.Config{HTTPClient: &http.Client{Timeout: 100 * time.Millisecond}})
	w.Deps.Doubt.Check, w.Deps.Doubt.Wait = true, 2*time.Second
	w.Rewire()
	w.SimShift.Store(int64(-3 * time.Minute)) // Zalo stamps them as it delivered them, minutes ago
	w.Sim.SetFaults(zalosim.Faults{LatencyMS: 250})
	var ids []uuid.UUID
	doubt := func(n int) {
		for range n {
			id := w.plan(t)[w.Owner.OAUserID]
			_, err := w.send(t, id)
			require.Equal(t, contract.FailInDoubt, failure(t, err))
			ids = append(ids, id)
		}
	}
	doubt(12)
	time.Sleep(2500 * time.Millisecond) // past the Wait that makes a band
	doubt(5)
	w.Sim.SetFaults(zalosim.Faults{})
	_, err := w.Pool.Exec(context.Background(), "UPDATE deliveries SET in_doubt_since = in_doubt_since - interval '3 minutes' WHERE in_doubt_since IS NOT NULL")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(w.Sim.Inbox(w.Owner.OAUserID)) == 17 }, 5*time.Second, 50*time.Millisecond)

	for _, id := range ids {
		require.Equal(t, send.Sent, w.settle(t, id).Status)
	}
	require.Len(t, w.Sim.Inbox(w.Owner.OAUserID), 17, "each alert once")
}
