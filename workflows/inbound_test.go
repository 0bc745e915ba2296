package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/workflows"
)

func TestZaloInboundKeepsTheFollowerTable(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		kind string
		want *activities.FollowerUpdate
	}{
		{workflows.EventFollow, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &yes}},
		{workflows.EventUnfollow, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1", Following: &no}},
		{workflows.EventUserSendText, &activities.FollowerUpdate{OAUserID: "oa1", AppUserID: "app1"}},
		{"ignored", nil},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			env := newEnv(t)
			var a *activities.Activities
			if tc.want != nil {
				env.OnActivity(a.RecordFollower, mock.Anything, *tc.want).Return(nil).Once()
			}
			env.ExecuteWorkflow(workflows.ZaloInbound, workflows.InboundEvent{Kind: tc.kind, OAUserID: "oa1", AppUserID: "app1", Text: "hi"})
			require.NoError(t, env.GetWorkflowError())
			env.AssertExpectations(t)
		})
	}
}
