package inbound_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/inbound"
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
