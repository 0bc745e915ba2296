package inbound_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/activities/inbound"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/scene"
	"github.com/tingting-vn/tingting/message"
)

// acts names the activities for ExecuteActivity; the registered instance
// does the work.
var acts *inbound.Activities

// world is a scene; a is its inbound activities, called directly.
type world struct {
	*scene.Scene
	a *inbound.Activities
}

func newWorld(t *testing.T) *world {
	s := scene.New(t, scene.Options{})
	return &world{s, s.Acts.Inbound}
}

// TestRacingInvitesLeaveOneMembership: the same person's invites, handled
// at once, add them once; the database's unique index decides, not timing.
func TestRacingInvitesLeaveOneMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	hoa := w.Sim.CreateUser("Hoa", true)
	a := w.a
	following := true
	require.NoError(t, a.RecordFollower(context.Background(), inbound.FollowerUpdate{OAUserID: hoa.OAUserID, Following: &following}))

	const n = 12
	results := make([]inbound.EventResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.HandleInvite(context.Background(), inbound.InviteInput{
				Event: fmt.Sprint("evt-", i), OAUserID: hoa.OAUserID, Code: w.Integ.ReferralCode,
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
	require.NoError(t, w.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM integration_members WHERE oa_user_id = $1 AND removed_at IS NULL", hoa.OAUserID).Scan(&members))
	require.Equal(t, 1, members)

	// The same event handled again answers what it answered the first time.
	again, err := a.HandleInvite(context.Background(), inbound.InviteInput{Event: "evt-0", OAUserID: hoa.OAUserID, Code: w.Integ.ReferralCode})
	require.NoError(t, err)
	require.Equal(t, results[0], again)
}

// TestTheInviteGuardCountsRacingTriesOnce: twelve invalid codes from one
// sender, handled at once, get exactly five "invalid code" answers, one
// warning and silence: each try is counted in one statement, so racing
// tries cannot all see the count before any of them.
func TestTheInviteGuardCountsRacingTriesOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tu := w.Sim.CreateUser("Tú", true)
	const n = 12
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := w.a.HandleInvite(context.Background(), inbound.InviteInput{
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
	res, err := w.a.HandleInvite(context.Background(), inbound.InviteInput{Event: "right", OAUserID: tu.OAUserID, Code: w.Integ.ReferralCode})
	require.NoError(t, err)
	require.Empty(t, res.Replies)
}

// TestARefusedInviteTriedAgainIsCountedOnce: an invalid code whose answer
// could not be recorded (the database failed mid-way) is tried again by
// Temporal; the sender's failures count it once, so they still get five
// "invalid code" answers before the warning.
func TestARefusedInviteTriedAgainIsCountedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	tu := w.Sim.CreateUser("Tú", true)
	event := "fail-once-" + uuid.NewString()
	failOnce(t, w.Pool, event)

	in := inbound.InviteInput{Event: event, OAUserID: tu.OAUserID, Code: "WRONG"}
	_, err := w.a.HandleInvite(ctx, in)
	require.Error(t, err, "the answer's write fails once")
	var answers []string
	for i := range 6 {
		if i > 0 {
			in = inbound.InviteInput{Event: fmt.Sprint(event, "-", i), OAUserID: tu.OAUserID, Code: "WRONG"}
		}
		res, err := w.a.HandleInvite(ctx, in)
		require.NoError(t, err)
		require.Len(t, res.Replies, 1)
		answers = append(answers, res.Replies[0].Text)
	}
	require.Equal(t, []string{
		message.InviteBadCode, message.InviteBadCode, message.InviteBadCode, message.InviteBadCode, message.InviteBadCode,
		message.InviteTooManyTries,
	}, answers)
}

// failOnce makes the first write of event's invite answer fail, as a
// database that went away would (a sequence, which no rollback undoes,
// remembers that it failed).
func failOnce(t *testing.T, pool *db.Pool, event string) {
	t.Helper()
	name := "fail_once_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	_, err := pool.Exec(context.Background(), fmt.Sprintf(`
CREATE SEQUENCE %[1]s;
CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event = %[2]s AND nextval('%[1]s') = 1 THEN
        RAISE EXCEPTION 'injected failure';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER %[1]s BEFORE INSERT ON invite_failures FOR EACH ROW EXECUTE FUNCTION %[1]s();`,
		name, "'"+event+"'"))
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), fmt.Sprintf("DROP TRIGGER %[1]s ON invite_failures; DROP FUNCTION %[1]s(); DROP SEQUENCE %[1]s;", name))
		require.NoError(t, err)
	})
}
