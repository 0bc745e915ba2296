package notices_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/harness/scene"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// acts names the activities for ExecuteActivity; the registered instance
// does the work.
var acts *notices.Activities

// shop is a scene.
type shop struct{ *scene.Scene }

func newShop(t *testing.T) *shop { return &shop{scene.New(t, scene.Options{})} }

func (s *shop) tell(t *testing.T, n contract.OwnerNotice) (send.Outcome, error) {
	t.Helper()
	v, err := s.Env.ExecuteActivity(acts.SendOwnerNotice, n)
	if err != nil {
		return send.Outcome{}, err
	}
	var out send.Outcome
	require.NoError(t, v.Get(&out))
	return out, nil
}

func (s *shop) notice() contract.OwnerNotice {
	return contract.OwnerNotice{IntegrationID: s.Integ.ID, Kind: contract.NoticeMemberLeft, About: "Nhân viên", Key: uuid.NewString()}
}

// TestAnOwnerNoticeMeetsZalosRefusalsAsAnAlertDoes: an owner who blocked
// the OA is skipped, not retried for a day; Zalo's -32 waits and is tried
// again; a permanent refusal fails the notice, not retried.
func TestAnOwnerNoticeMeetsZalosRefusalsAsAnAlertDoes(t *testing.T) {
	t.Parallel()
	s := newShop(t)

	s.Sim.SetFaults(zalosim.Faults{ErrorCode: -217, ErrorRate: 1})
	out, err := s.tell(t, s.notice())
	require.NoError(t, err)
	require.Equal(t, send.Skipped, out.Status)
	require.Equal(t, send.Blocked, out.Reason)

	s.Sim.SetFaults(zalosim.Faults{ErrorCode: -32, ErrorRate: 1})
	n := s.notice()
	_, err = s.tell(t, n)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, string(contract.FailRateLimited), appErr.Type())
	require.False(t, appErr.NonRetryable())
	s.Sim.SetFaults(zalosim.Faults{})
	out, err = s.tell(t, n)
	require.NoError(t, err)
	require.Equal(t, send.Sent, out.Status, "the same notice, tried again")

	s.Sim.SetFaults(zalosim.Faults{ErrorCode: -201, ErrorRate: 1})
	out, err = s.tell(t, s.notice())
	require.NoError(t, err)
	require.Equal(t, send.Failed, out.Status)
	require.Equal(t, send.ZaloPermanent, out.Reason)
	require.Len(t, s.Sim.Inbox(s.Owner.OAUserID), 1)
}

// TestANoticeIsToldOnce: the same notice asked again (its workflow's
// activity retried after its answer was lost on our side) is not sent
// again; one whose answer Zalo lost is looked for in the owner's
// conversation, found, and not sent again either.
func TestANoticeIsToldOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	n := s.notice()
	first, err := s.tell(t, n)
	require.NoError(t, err)
	require.Equal(t, send.Sent, first.Status)
	again, err := s.tell(t, n)
	require.NoError(t, err)
	require.Equal(t, first.MessageID, again.MessageID)
	require.Len(t, s.Sim.Inbox(s.Owner.OAUserID), 1)

	s.Impatient()
	lost := s.notice()
	s.Sim.SetFaults(zalosim.Faults{LatencyMS: 600})
	_, err = s.tell(t, lost)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, string(contract.FailInDoubt), appErr.Type())
	s.Sim.SetFaults(zalosim.Faults{})
	require.Eventually(t, func() bool { return len(s.Sim.Inbox(s.Owner.OAUserID)) == 2 }, 5*time.Second, 20*time.Millisecond,
		"Zalo delivered it after the client had given up")
	time.Sleep(time.Second)
	out, err := s.tell(t, lost)
	require.NoError(t, err)
	inbox := s.Sim.Inbox(s.Owner.OAUserID)
	require.Len(t, inbox, 2, "found in the conversation, not sent again")
	require.Equal(t, send.Sent, out.Status)
	require.Equal(t, inbox[1].MessageID, out.MessageID)
}

// TestTheWelcomeIsSentOnce: the new integration's owner is told once,
// however often the wizard's activity runs.
func TestTheWelcomeIsSentOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for range 2 {
		_, err := s.Env.ExecuteActivity(acts.TellOwner, notices.WelcomeInput{IntegrationID: s.Integ.ID})
		require.NoError(t, err)
	}
	inbox := s.Sim.Inbox(s.Owner.OAUserID)
	require.Len(t, inbox, 1)
	require.Contains(t, inbox[0].Text, "Shop")
}
