package workflows

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/command"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
)

var inboundOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    10 * time.Second,
	ScheduleToCloseTimeout: time.Hour,
	RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
}

// ZaloInbound handles one event the OA received: it keeps the follower
// table (who follows, which app id is whose OA id, when they last
// interacted), answers "/invite: CODE" and the recipients' commands, and
// starts the owner notices they call for. One activity reads the recorded
// event and decides; the answers are sent in parallel.
func ZaloInbound(ctx workflow.Context, ev contract.InboundEvent) error {
	var a *inbound.Activities
	ctx = workflow.WithActivityOptions(ctx, inboundOptions)
	if ev.EventID == uuid.Nil {
		return zaloInboundV1(ctx, ev)
	}
	var res inbound.EventResult
	if err := workflow.ExecuteActivity(ctx, a.HandleZaloEvent, inbound.EventInput{EventID: ev.EventID}).Get(ctx, &res); err != nil {
		return err
	}
	if res.Template != "" {
		// Zalo says a template changed: read it now (the owners it made
		// unfit are told by maintenance).
		var o *oa.Activities
		return workflow.ExecuteActivity(ctx, o.SyncTemplate, res.Template).Get(ctx, nil)
	}
	tellOwners(ctx, res.Notices)
	return reply(ctx, res.Replies)
}

// zaloInboundV1 is how runs started with the event's fields in their input
// (before 2026-11-25) go on: kept until none is open (docs/DECISIONS.md).
func zaloInboundV1(ctx workflow.Context, ev contract.InboundEvent) error {
	var a *inbound.Activities
	update := inbound.FollowerUpdate{OAUserID: ev.OAUserID, AppUserID: ev.AppUserID}
	switch ev.Kind {
	case contract.EventFollow, contract.EventUnfollow:
		following := ev.Kind == contract.EventFollow
		update.Following = &following
	case contract.EventUserSendText:
		// A message maps the ids but says nothing about following.
	default:
		return nil
	}
	if err := workflow.ExecuteActivity(ctx, a.RecordFollower, update).Get(ctx, nil); err != nil {
		return err
	}
	if ev.Kind != contract.EventUserSendText {
		return nil
	}
	var res inbound.EventResult
	switch c := command.Parse(ev.Text); c.Kind {
	case command.NotCommand:
		return nil
	case command.Invite:
		in := inbound.InviteInput{Event: ev.DedupKey, OAUserID: ev.OAUserID, Code: c.Code}
		if err := workflow.ExecuteActivity(ctx, a.HandleInvite, in).Get(ctx, &res); err != nil {
			return err
		}
	default: // these runs answered every other command as a bad invite
		res.Replies = []inbound.Reply{{To: ev.OAUserID, Text: message.InviteBadSyntax}}
	}
	return reply(ctx, res.Replies)
}

// replyOptions let an answer wait up to a minute for the answers' share of
// the OA's send budget, then for its slot of the whole, then for Zalo.
var replyOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    2 * time.Minute,
	ScheduleToCloseTimeout: inboundOptions.ScheduleToCloseTimeout,
	RetryPolicy:            inboundOptions.RetryPolicy,
}

// reply sends the OA's answers in parallel.
func reply(ctx workflow.Context, replies []inbound.Reply) error {
	var a *inbound.Activities
	ctx = workflow.WithActivityOptions(ctx, replyOptions)
	futures := make([]workflow.Future, len(replies))
	for i, r := range replies {
		futures[i] = workflow.ExecuteActivity(ctx, a.SendReply, r)
	}
	var errs []error
	for _, f := range futures {
		errs = append(errs, f.Get(ctx, nil))
	}
	return errors.Join(errs...)
}

// SyncZaloFollowers runs the follower sync once.
func SyncZaloFollowers(ctx workflow.Context) (contract.SyncResult, error) {
	var a *inbound.Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	var res contract.SyncResult
	err := workflow.ExecuteActivity(ctx, a.SyncFollowers).Get(ctx, &res)
	return res, err
}
