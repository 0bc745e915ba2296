package workflows_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func TestZaloInboundKeepsTheFollowerTable(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		kind string
		want *inbound.FollowerUpdate
	}{
		{contract.EventFollow, &inbound.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &yes}},
		{contract.EventUnfollow, &inbound.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &no}},
		{contract.EventUserSendText, &inbound.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1"}},
		{"ignored", nil},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			env := newEnv(t)
			var a *inbound.Activities
			if tc.want != nil {
				env.OnActivity(a.RecordFollower, mock.Anything, *tc.want).Return(nil).Once()
			}
			env.ExecuteWorkflow(workflows.ZaloInbound, contract.InboundEvent{Kind: tc.kind, OAUserID: "oa1", AppUserID: "app1", Text: "hi"})
			require.NoError(t, env.GetWorkflowError())
			env.AssertExpectations(t)
		})
	}
}

func TestZaloInboundAnswersInvites(t *testing.T) {
	for _, tc := range []struct {
		text    string
		invite  bool
		replies []inbound.Reply
	}{
		{text: "Chào shop"},
		{text: "/invite", replies: []inbound.Reply{{To: "oa1", Text: message.InviteBadSyntax}}},
		{text: "/invite: abc", invite: true, replies: []inbound.Reply{
			{To: "oa1", Text: message.InviteAdded}, {To: "owner", Text: message.InviteOwnerNotice("Minh")},
		}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			env := newEnv(t)
			var a *inbound.Activities
			env.OnActivity(a.RecordFollower, mock.Anything, mock.Anything).Return(nil)
			if tc.invite {
				env.OnActivity(a.HandleInvite, mock.Anything, inbound.InviteInput{Event: "k1", OAUserID: "oa1", Code: "abc"}).
					Return(inbound.EventResult{Replies: tc.replies}, nil).Once()
			}
			for _, r := range tc.replies {
				env.OnActivity(a.SendReply, mock.Anything, r).Return(nil).Once()
			}
			env.ExecuteWorkflow(workflows.ZaloInbound, contract.InboundEvent{
				Kind: contract.EventUserSendText, OAUserID: "oa1", Text: tc.text, DedupKey: "k1",
			})
			require.NoError(t, env.GetWorkflowError())
			env.AssertExpectations(t)
		})
	}
}

// TestZaloInboundHandlesALiveEvent: the path every event takes now (its
// id, read back by the activity): the OA's answers are sent, each under
// its key, and the owner notices the event calls for are started.
func TestZaloInboundHandlesALiveEvent(t *testing.T) {
	env := newEnv(t)
	var a *inbound.Activities
	event := uuid.New()
	notice := contract.OwnerNotice{IntegrationID: uuid.New(), Kind: contract.NoticeMemberLeft, About: "Minh", Key: "k1"}
	replies := []inbound.Reply{{To: "oa1", Text: message.Left(1), Key: "reply:k1:0"}}
	env.OnActivity(a.HandleZaloEvent, mock.Anything, inbound.EventInput{EventID: event}).
		Return(inbound.EventResult{Replies: replies, Notices: []contract.OwnerNotice{notice}}, nil).Once()
	env.OnActivity(a.SendReply, mock.Anything, replies[0]).Return(nil).Once()
	env.RegisterWorkflowWithOptions(workflows.OwnerNotice, workflow.RegisterOptions{Name: contract.OwnerNoticeName})
	var told []contract.OwnerNotice
	env.OnWorkflow(contract.OwnerNoticeName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, n contract.OwnerNotice) (string, error) {
		told = append(told, n)
		return "sent", nil
	})
	env.ExecuteWorkflow(workflows.ZaloInbound, contract.InboundEvent{EventID: event})
	require.NoError(t, env.GetWorkflowError())
	env.AssertExpectations(t)
	require.Equal(t, []contract.OwnerNotice{notice}, told)
}
