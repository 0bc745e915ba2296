package inbound_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/activities/notify"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestSyncFollowersRecordsEveryFollowerWithBothIds: users who followed
// before tingting existed are found through getlist and user/detail, page
// by page.
func TestSyncFollowersRecordsEveryFollowerWithBothIds(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // two followers already: the owner and the member
	for i := range 120 {
		w.Sim.CreateUser(fmt.Sprint("Khách ", i), i%4 != 0) // 90 follow, 30 do not
	}
	v, err := w.Env.ExecuteActivity(acts.SyncFollowers)
	require.NoError(t, err)
	var res contract.SyncResult
	require.NoError(t, v.Get(&res))
	require.Equal(t, 92, res.Followers)

	var n int
	require.NoError(t, w.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM zalo_followers WHERE following AND app_user_id IS NOT NULL").Scan(&n))
	require.Equal(t, 92, n)
	f, err := db.New(w.Pool).GetZaloFollower(context.Background(), w.Member.OAUserID)
	require.NoError(t, err)
	require.Equal(t, w.Member.AppUserID, *f.AppUserID)
	require.Equal(t, w.Member.Name, f.DisplayName)
}

// TestAnOlderFollowEventNeverOverwritesANewerOne: Zalo delivers webhooks
// out of order (and redelivers late); the follower table keeps what the
// newest event said, and a message (which says nothing of following)
// changes nothing.
func TestAnOlderFollowEventNeverOverwritesANewerOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	lan := w.Sim.CreateUser("Lan", true)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	record := func(following *bool, when time.Time) {
		require.NoError(t, w.a.RecordFollower(ctx, inbound.FollowerUpdate{OAUserID: lan.OAUserID, Following: following, At: when}))
	}
	yes, no := true, false
	follows := func() bool {
		f, err := db.New(w.Pool).GetZaloFollower(ctx, lan.OAUserID)
		require.NoError(t, err)
		return f.Following
	}
	record(&no, at.Add(time.Minute)) // she unfollowed at 9:01
	record(&yes, at)                 // her 9:00 follow arrives late
	require.False(t, follows(), "the later unfollow stands")
	record(nil, at.Add(2*time.Minute)) // a message
	require.False(t, follows())
	record(&yes, at.Add(3*time.Minute)) // she follows again at 9:03
	require.True(t, follows())
}

// TestZalosTimeOrdersFollowerState: what we only infer of following (a
// -213 refusal, the follower sync) loses to Zalo's events, even to one
// Zalo stamped a moment before we inferred it: the member who follows
// again is reached again. An inference right after an event is about the
// state before it, and changes nothing.
func TestZalosTimeOrdersFollowerState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	yes, no := true, false
	follows := func(u string) bool {
		f, err := db.New(w.Pool).GetZaloFollower(ctx, u)
		require.NoError(t, err)
		return f.Following
	}
	event := func(u string, following *bool, at time.Time) {
		require.NoError(t, w.a.RecordFollower(ctx, inbound.FollowerUpdate{OAUserID: u, Following: following, At: at}))
	}
	_, err := w.Pool.Exec(ctx, "UPDATE zalo_followers SET following_since = now() - interval '1 hour' WHERE oa_user_id = $1", w.Member.OAUserID)
	require.NoError(t, err) // she followed an hour ago

	// She unfollows and the webhook is lost: an alert is refused (-213).
	w.Sim.Follow(w.Member.OAUserID, false)
	txn := w.Pay(t, 100_000, "")
	_, err = w.Acts.Notify.PlanNotifications(ctx, notify.PlanInput{TransactionID: txn})
	require.NoError(t, err)
	var delivery uuid.UUID
	require.NoError(t, w.Pool.QueryRow(ctx, "SELECT id FROM deliveries WHERE transaction_id = $1 AND recipient = $2", txn, w.Member.OAUserID).Scan(&delivery))
	out, err := w.Acts.Notify.SendZaloMessage(ctx, notify.SendInput{DeliveryID: delivery})
	require.NoError(t, err)
	require.Equal(t, send.NotFollowing, out.Reason)
	require.False(t, follows(w.Member.OAUserID), "Zalo's refusal corrects the belief")

	// She follows again; Zalo's time on the event is a little before our
	// refusal (its clock, or a webhook that waited).
	w.Sim.Follow(w.Member.OAUserID, true)
	event(w.Member.OAUserID, &yes, time.Now().Add(-2*time.Second))
	require.True(t, follows(w.Member.OAUserID), "the event wins over the inference")

	// The sync lists Lan as a follower; her unfollow, stamped before the
	// sync read the list, arrives after it.
	lan := w.Sim.CreateUser("Lan", true)
	require.NoError(t, w.a.RecordFollower(ctx, inbound.FollowerUpdate{OAUserID: lan.OAUserID, Following: &yes, Inferred: true}))
	event(lan.OAUserID, &no, time.Now().Add(-2*time.Second))
	require.False(t, follows(lan.OAUserID))

	// A refusal a moment after her follow event was about the state before it.
	event(lan.OAUserID, &yes, time.Now())
	require.NoError(t, w.a.RecordFollower(ctx, inbound.FollowerUpdate{OAUserID: lan.OAUserID, Following: &no, Inferred: true, At: time.Now()}))
	require.True(t, follows(lan.OAUserID))
}
