package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// TestSyncFollowersRecordsEveryFollowerWithBothIds: users who followed
// before tingting existed are found through getlist and user/detail, page
// by page.
func TestSyncFollowersRecordsEveryFollowerWithBothIds(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true) // two followers already: the owner and the member
	for i := range 120 {
		w.sim.CreateUser(fmt.Sprint("Khách ", i), i%4 != 0) // 90 follow, 30 do not
	}
	v, err := w.env.ExecuteActivity(acts.SyncFollowers)
	require.NoError(t, err)
	var res contract.SyncResult
	require.NoError(t, v.Get(&res))
	require.Equal(t, 92, res.Followers)

	var n int
	require.NoError(t, w.pool.QueryRow(context.Background(),
		"SELECT count(*) FROM zalo_followers WHERE following AND app_user_id IS NOT NULL").Scan(&n))
	require.Equal(t, 92, n)
	f, err := db.New(w.pool).GetZaloFollower(context.Background(), w.member.OAUserID)
	require.NoError(t, err)
	require.Equal(t, w.member.AppUserID, *f.AppUserID)
	require.Equal(t, w.member.Name, f.DisplayName)
}
