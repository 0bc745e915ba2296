package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

func TestZaloInboundKeepsTheFollowerTable(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		kind string
		want *activities.FollowerUpdate
	}{
		{contract.EventFollow, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &yes}},
		{contract.EventUnfollow, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &no}},
		{contract.EventUserSendText, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1"}},
		{"ignored", nil},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			env := newEnv(t)
			var a *activities.Activities
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
		replies []activities.Reply
	}{
		{text: "Chào shop"},
		{text: "/invite", replies: []activities.Reply{{To: "oa1", Text: message.InviteBadSyntax}}},
		{text: "/invite: abc", invite: true, replies: []activities.Reply{
			{To: "oa1", Text: message.InviteAdded}, {To: "owner", Text: message.InviteOwnerNotice("Minh")},
		}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			env := newEnv(t)
			var a *activities.Activities
			env.OnActivity(a.RecordFollower, mock.Anything, mock.Anything).Return(nil)
			if tc.invite {
				env.OnActivity(a.HandleInvite, mock.Anything, activities.InviteInput{Event: "k1", OAUserID: "oa1", Code: "abc"}).
					Return(activities.EventResult{Replies: tc.replies}, nil).Once()
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
