package inbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// wrote records that a user wrote text to the OA, as the webhook does, and
// returns the recorded event's id.
func (w *world) wrote(t *testing.T, u zalosim.User, text string) uuid.UUID {
	t.Helper()
	msgID := uuid.NewString()
	raw, err := json.Marshal(map[string]any{
		"app_id": "app", "event_name": "user_send_text", "sender": map[string]string{"id": u.OAUserID},
		"user_id_by_app": u.AppUserID, "message": map[string]string{"text": text, "msg_id": msgID},
		"timestamp": fmt.Sprint(time.Now().UnixMilli()),
	})
	require.NoError(t, err)
	ev, err := db.New(w.Pool).RecordZaloEvent(context.Background(), db.RecordZaloEventParams{DedupKey: msgID, EventName: "user_send_text", Raw: raw})
	require.NoError(t, err)
	return ev.ID
}

func (w *world) handle(t *testing.T, event uuid.UUID) inbound.EventResult {
	t.Helper()
	v, err := w.Env.ExecuteActivity(acts.HandleZaloEvent, inbound.EventInput{EventID: event})
	require.NoError(t, err)
	var res inbound.EventResult
	require.NoError(t, v.Get(&res))
	return res
}

// TestAnAnswerIsSentOnce: the OA's answer to a command is keyed by the
// event it answers, so the reply activity run again (its first answer lost
// on our side, or Zalo's lost on the way) sends it once.
func TestAnAnswerIsSentOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.handle(t, w.wrote(t, w.Member, "/trogiup"))
	require.Len(t, res.Replies, 1)
	reply := res.Replies[0]
	require.Equal(t, message.Help, reply.Text)
	require.NotEmpty(t, reply.Key)
	for range 2 {
		_, err := w.Env.ExecuteActivity(acts.SendReply, reply)
		require.NoError(t, err)
	}
	require.Len(t, w.Sim.Inbox(w.Member.OAUserID), 1)

	w.Impatient()
	reply = w.handle(t, w.wrote(t, w.Member, "/help")).Replies[0]
	w.Sim.SetFaults(zalosim.Faults{LatencyMS: 600})
	_, err := w.Env.ExecuteActivity(acts.SendReply, reply)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, string(contract.FailInDoubt), appErr.Type())
	w.Sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool { return len(w.Sim.Inbox(w.Member.OAUserID)) == 2 }, 5*time.Second, 20*time.Millisecond)
	time.Sleep(time.Second)
	_, err = w.Env.ExecuteActivity(acts.SendReply, reply)
	require.NoError(t, err)
	require.Len(t, w.Sim.Inbox(w.Member.OAUserID), 2, "found in the conversation, not sent again")
}

// TestAStrangerGetsOneAnswerADay: someone in no integration gets the
// answer to their first command of the day, and nothing for the others,
// however many; handled again, that first command answers again. An
// invite is still handled (it is how they join), and once a member they
// are answered as one.
func TestAStrangerGetsOneAnswerADay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	lan := w.Sim.CreateUser("Lan", true)
	first := w.wrote(t, lan, "/homnay")
	require.Equal(t, []inbound.Reply{{To: lan.OAUserID, Text: message.NotARecipient}}, texts(w.handle(t, first)))
	for _, text := range []string{"/trogiup", "/homnay", "/tamdung 2h", "/dung", "/xinchao", "/invite"} {
		require.Empty(t, w.handle(t, w.wrote(t, lan, text)).Replies, "%s: answered once a day", text)
	}
	require.Equal(t, []inbound.Reply{{To: lan.OAUserID, Text: message.NotARecipient}}, texts(w.handle(t, first)), "handled again, the same answer")

	res := w.handle(t, w.wrote(t, lan, "/invite: "+w.Integ.ReferralCode))
	require.Equal(t, message.InviteAdded, res.Replies[0].Text)
	require.Equal(t, message.Help, w.handle(t, w.wrote(t, lan, "/trogiup")).Replies[0].Text, "a member now")
}

// TestARecipientsAnswersAreThrottled: a member gets ten answers at once,
// then one a minute; the same command handled again answers again.
func TestARecipientsAnswersAreThrottled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var last uuid.UUID
	for i := range 10 {
		last = w.wrote(t, w.Member, "/trogiup")
		require.Len(t, w.handle(t, last).Replies, 1, "answer %d", i+1)
	}
	require.Empty(t, w.handle(t, w.wrote(t, w.Member, "/homnay")).Replies, "the eleventh within the minute")
	require.Len(t, w.handle(t, last).Replies, 1, "the tenth, handled again")
}

// texts is a result's replies without their keys.
func texts(res inbound.EventResult) []inbound.Reply {
	out := make([]inbound.Reply, len(res.Replies))
	for i, r := range res.Replies {
		out[i] = inbound.Reply{To: r.To, Text: r.Text}
	}
	return out
}

// TestLeavingIsAnsweredTheSameWhenHandledAgain: /dung takes the member out
// of their last integration, so they are a stranger when it is handled
// again (its first answer lost); it still answers what it did, and the
// owner is still told.
func TestLeavingIsAnsweredTheSameWhenHandledAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	stop := w.wrote(t, w.Member, "/dung")
	first := w.handle(t, stop)
	require.Equal(t, message.Left(1), first.Replies[0].Text)
	require.Len(t, first.Notices, 1)
	require.Equal(t, first, w.handle(t, stop))
}
