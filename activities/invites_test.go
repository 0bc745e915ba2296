package activities_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/message"
)

// TestRacingInvitesLeaveOneMembership: the same person's invites, handled
// at once, add them once; the database's unique index decides, not timing.
func TestRacingInvitesLeaveOneMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	hoa := w.sim.CreateUser("Hoa", true)
	a := w.acts
	following := true
	require.NoError(t, a.RecordFollower(context.Background(), activities.FollowerUpdate{OAUserID: hoa.OAUserID, Following: &following}))

	const n = 12
	results := make([]activities.EventResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.HandleInvite(context.Background(), activities.InviteInput{
				Event: fmt.Sprint("evt-", i), OAUserID: hoa.OAUserID, Code: w.integ.ReferralCode,
			})
			require.NoError(t, err)
			results[i] = res
		}()
	}
	wg.Wait()

	added, already := 0, 0
	for _, r := range results {
		switch r.Replies[0].Text {
		case message.InviteAdded:
			added++
			require.Len(t, r.Replies, 2, "the owner is told once")
		case message.InviteAlreadyAdded:
			already++
		}
	}
	require.Equal(t, 1, added)
	require.Equal(t, n-1, already)
	var members int
	require.NoError(t, w.pool.QueryRow(context.Background(),
		"SELECT count(*) FROM integration_members WHERE oa_user_id = $1 AND removed_at IS NULL", hoa.OAUserID).Scan(&members))
	require.Equal(t, 1, members)

	// The same event handled again answers what it answered the first time.
	again, err := a.HandleInvite(context.Background(), activities.InviteInput{Event: "evt-0", OAUserID: hoa.OAUserID, Code: w.integ.ReferralCode})
	require.NoError(t, err)
	require.Equal(t, results[0], again)
}

// TestTheInviteGuardCountsRacingTriesOnce: twelve invalid codes from one
// sender, handled at once, get exactly five "invalid code" answers, one
// warning and silence: each try is counted in one statement, so racing
// tries cannot all see the count before any of them.
func TestTheInviteGuardCountsRacingTriesOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	tu := w.sim.CreateUser("Tú", true)
	const n = 12
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := w.acts.HandleInvite(context.Background(), activities.InviteInput{
				Event: fmt.Sprint("guess-", i), OAUserID: tu.OAUserID, Code: fmt.Sprint("WRONG", i),
			})
			require.NoError(t, err)
			if len(res.Replies) > 0 {
				answers[i] = res.Replies[0].Text
			}
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for _, a := range answers {
		count[a]++
	}
	require.Equal(t, map[string]int{message.InviteBadCode: 5, message.InviteTooManyTries: 1, "": 6}, count)

	// Locked out, even the right code is refused, silently.
	res, err := w.acts.HandleInvite(context.Background(), activities.InviteInput{Event: "right", OAUserID: tu.OAUserID, Code: w.integ.ReferralCode})
	require.NoError(t, err)
	require.Empty(t, res.Replies)
}
