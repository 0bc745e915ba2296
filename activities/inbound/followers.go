package inbound

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// FollowerUpdate is what an event says of a Zalo user. Following is nil
// when the event says nothing about it (a message). At is when Zalo says
// it happened (zero: now): a follow state older than the one recorded is
// an event arriving late and changes nothing.
type FollowerUpdate struct {
	OAUserID    string
	AppUserID   string
	DisplayName string
	Following   *bool
	At          time.Time
	// Inferred: no event said so; we infer it (the follower sync lists
	// them). It loses to any event, whatever Zalo's time on it.
	Inferred bool `json:",omitempty"`
	// InteractedAt is when the user last did something toward the OA (a
	// follow, a message), which opens Zalo's chat window; nil: unknown.
	InteractedAt *time.Time
}

// RecordFollower keeps the follower table (OA id ↔ app id, follows?) and
// links owners who logged in before following to their OA id.
func (a *Activities) RecordFollower(ctx context.Context, in FollowerUpdate) error {
	var app *string
	if in.AppUserID != "" {
		app = &in.AppUserID
	}
	if in.At.IsZero() {
		in.At = a.Now()
	}
	in.DisplayName = message.Clean(in.DisplayName) // Zalo's names are whatever people typed
	err := db.InTx(ctx, a.Pool, func(q *db.Queries) error {
		if err := q.UpsertZaloFollower(ctx, db.UpsertZaloFollowerParams{
			OAUserID: in.OAUserID, AppUserID: app, DisplayName: in.DisplayName, Following: in.Following, At: in.At,
			Inferred: in.Inferred, InteractedAt: in.InteractedAt,
		}); err != nil || app == nil {
			return err
		}
		return q.LinkZaloAccounts(ctx, db.LinkZaloAccountsParams{OAUserID: &in.OAUserID, AppUserID: in.AppUserID})
	})
	if err != nil {
		return fmt.Errorf("record follower: %w", err)
	}
	return nil
}

// followerPage is Zalo's largest getlist page.
const followerPage = 50

// SyncFollowers walks the OA's follower list and each follower's detail
// into the follower table, for users who followed before tingting existed.
// It heartbeats its offset, so a retried sync resumes where it stopped.
func (a *Activities) SyncFollowers(ctx context.Context) (contract.SyncResult, error) {
	offset := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &offset)
	}
	res := contract.SyncResult{Followers: offset}
	following := true
	for {
		page, err := send.Call(ctx, a.Sender, "getlist", func(token string) (zalo.FollowerPage, error) {
			return a.Zalo.ListFollowers(ctx, token, offset, followerPage)
		})
		if err != nil {
			return res, err
		}
		for _, id := range page.UserIDs {
			d, err := a.userDetail(ctx, id)
			if err != nil {
				return res, err
			}
			f := FollowerUpdate{OAUserID: id, AppUserID: d.UserIDByApp, DisplayName: d.DisplayName, Following: &following,
				Inferred: true, InteractedAt: d.LastInteraction}
			if err := a.RecordFollower(ctx, f); err != nil {
				return res, err
			}
		}
		offset += len(page.UserIDs)
		res.Followers = offset
		activity.RecordHeartbeat(ctx, offset)
		if len(page.UserIDs) < followerPage || offset >= page.Total {
			return res, nil
		}
	}
}
