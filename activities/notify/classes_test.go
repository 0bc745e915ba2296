package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// quiet makes a world whose owner and member are ten days quiet, so that
// their alerts go by the integration's template by user id.
func quiet(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, true)
	w.UseTemplate(t, seed.AlertTemplate(), seed.AlertMapping)
	ago := time.Now().Add(-10 * 24 * time.Hour)
	for _, u := range []zalosim.User{w.Owner, w.Member} {
		w.Interacted(t, u, ago)
		require.True(t, w.Sim.SetLastInteraction(u.OAUserID, ago))
	}
	return w
}

func (w *world) aim(code int, kinds ...zalosim.Kind) {
	w.Sim.SetFaults(zalosim.Faults{ErrorCode: code, Routes: kinds})
}

func failure(t *testing.T, err error) contract.Failure {
	t.Helper()
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	return contract.Failure(appErr.Type())
}

// TestEachClassOfZalosRefusals: one code of each class of ZALO.md §5,
// injected on the template route alone, ends the delivery as its class
// says, and nothing is sent twice.
func TestEachClassOfZalosRefusals(t *testing.T) {
	t.Parallel()

	t.Run("transient: -32 waits and goes once", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		id := w.plan(t)[w.Owner.OAUserID]
		w.aim(-32, zalosim.KindTemplate)
		_, err := w.send(t, id)
		require.Equal(t, contract.FailRateLimited, failure(t, err))
		w.aim(0)
		out, err := w.send(t, id)
		require.NoError(t, err)
		require.Equal(t, send.Sent, out.Status)
		require.Len(t, w.Sim.Inbox(w.Owner.OAUserID), 1)
	})

	t.Run("quota: -211 waits for the next window, and the owner is told once a day", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.aim(-211, zalosim.KindTemplate)
		id := w.plan(t)[w.Member.OAUserID]
		out, err := w.send(t, id)
		require.NoError(t, err)
		require.Equal(t, send.Deferred, out.Status, "not failed, not retried today")
		require.Equal(t, send.Quota, out.Reason)
		tomorrow := vntime.Midnight(time.Now()).AddDate(0, 0, 1)
		require.True(t, out.DeferredUntil.After(tomorrow) && out.DeferredUntil.Before(tomorrow.Add(time.Hour)), "%s", out.DeferredUntil)
		require.Equal(t, contract.NoticeQuota, out.Notice.Kind)
		require.Equal(t, tomorrow.Format("2006-01-02"), out.Notice.Key, "one notice a day: its workflow id")
		require.Equal(t, db.DeliveryStatusDeferred, delivery(t, w, id).Status)
	})

	t.Run("night: -234 waits for 06:00", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.aim(-234, zalosim.KindTemplate)
		out, err := w.send(t, w.plan(t)[w.Owner.OAUserID])
		require.NoError(t, err)
		require.Equal(t, send.Deferred, out.Status)
		require.Equal(t, "06:00", out.DeferredUntil.In(vntime.Zone).Format("15:04"))
		require.Empty(t, w.Sim.Inbox(w.Owner.OAUserID))
	})

	t.Run("recipient gone: -217 on chat goes on to the template", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.Interacted(t, w.Owner, time.Now())
		require.True(t, w.Sim.SetLastInteraction(w.Owner.OAUserID, time.Now()))
		w.aim(-217, zalosim.KindCS)
		out, err := w.send(t, w.plan(t)[w.Owner.OAUserID])
		require.NoError(t, err)
		require.Equal(t, send.Sent, out.Status)
		require.Equal(t, "template", out.Route)
		require.Equal(t, "cs refused (-217)", out.Detail)
	})

	t.Run("recipient gone on every route: skipped, and the owner told", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.aim(-227, zalosim.KindTemplate)
		out, err := w.send(t, w.plan(t)[w.Member.OAUserID])
		require.NoError(t, err)
		require.Equal(t, send.Skipped, out.Status)
		require.Equal(t, send.Unreachable, out.Reason)
		require.Equal(t, contract.NoticeMemberUnreachable, out.Notice.Kind)
	})

	t.Run("permanent: -201 fails with Zalo's words", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.aim(-201, zalosim.KindTemplate)
		out, err := w.send(t, w.plan(t)[w.Owner.OAUserID])
		require.NoError(t, err)
		require.Equal(t, send.Failed, out.Status)
		require.Equal(t, send.ZaloPermanent, out.Reason)
		require.Contains(t, out.Log(), "Zalo refused (-201)")
	})

	t.Run("token: refused even fresh, every route stops until the OA is connected again", func(t *testing.T) {
		t.Parallel()
		w := quiet(t)
		w.Deps.Refresher = refreshed{}
		w.Rewire()
		w.aim(-216, zalosim.KindTemplate)
		ids := w.plan(t)
		_, err := w.send(t, ids[w.Owner.OAUserID])
		require.Equal(t, contract.FailRoutePaused, failure(t, err))
		calls := w.Sim.Stats().Calls[zalosim.KindTemplate]
		_, err = w.send(t, ids[w.Member.OAUserID])
		require.Equal(t, contract.FailRoutePaused, failure(t, err), "the member's alert waits too")
		require.Equal(t, calls, w.Sim.Stats().Calls[zalosim.KindTemplate], "without calling Zalo")
		require.Equal(t, []string{send.AllRoutes}, pausedRoutes(t, w))
	})
}

// TestARouteZaloStopsForTheOAWaitsForAPerson: -221 (the OA not verified)
// stops the template route for the whole OA: alerts by it wait, without
// calling Zalo, and the operator sees why. One send probes it when its
// time comes; getoa showing the OA whole again resumes it too.
func TestARouteZaloStopsForTheOAWaitsForAPerson(t *testing.T) {
	t.Parallel()
	w := quiet(t)
	w.Sim.SetOA(zalosim.OA{PackageName: "Premium", LinkedZCA: "7401"}) // not verified
	ids := w.plan(t)
	_, err := w.send(t, ids[w.Owner.OAUserID])
	require.Equal(t, contract.FailRoutePaused, failure(t, err))
	require.Equal(t, []string{"template"}, pausedRoutes(t, w))
	calls := w.Sim.Stats().Calls[zalosim.KindTemplate]
	_, err = w.send(t, ids[w.Member.OAUserID])
	require.Equal(t, contract.FailRoutePaused, failure(t, err), "waits, not failed")
	require.Equal(t, calls, w.Sim.Stats().Calls[zalosim.KindTemplate], "the route is not called while stopped")
	d := delivery(t, w, ids[w.Member.OAUserID])
	require.Equal(t, db.DeliveryStatusPending, d.Status)
	require.Contains(t, d.LastError, "zalo_route_paused: template is stopped for the OA until a person acts: Zalo said -221")

	// The probe, when due, fails the same: still stopped, one call made.
	_, err = w.Pool.Exec(context.Background(), "UPDATE route_pauses SET probe_at = now()")
	require.NoError(t, err)
	_, err = w.send(t, ids[w.Member.OAUserID])
	require.Equal(t, contract.FailRoutePaused, failure(t, err))
	require.Equal(t, calls+1, w.Sim.Stats().Calls[zalosim.KindTemplate])

	// The operator fixes the OA; getoa shows it whole and resumes the route.
	w.Sim.SetOA(zalosim.OA{IsVerified: true, PackageName: "Premium", LinkedZCA: "7401"})
	var o *oa.Activities
	v, err := w.Env.ExecuteActivity(o.CheckOA)
	require.NoError(t, err)
	var h oa.Health
	require.NoError(t, v.Get(&h))
	require.True(t, h.Healthy)
	require.Empty(t, pausedRoutes(t, w))
	for _, u := range []zalosim.User{w.Owner, w.Member} {
		out, err := w.send(t, ids[u.OAUserID])
		require.NoError(t, err)
		require.Equal(t, send.Sent, out.Status)
		require.Len(t, w.Sim.Inbox(u.OAUserID), 1, "once")
	}
}

// TestAProbeThatGoesThroughResumesTheRoute: the cause went away without
// getoa saying so: the first send after the probe time goes, and so does
// every one after it.
func TestAProbeThatGoesThroughResumesTheRoute(t *testing.T) {
	t.Parallel()
	w := quiet(t)
	w.aim(-224, zalosim.KindTemplate)
	ids := w.plan(t)
	_, err := w.send(t, ids[w.Owner.OAUserID])
	require.Equal(t, contract.FailRoutePaused, failure(t, err))
	w.aim(0)
	_, err = w.Pool.Exec(context.Background(), "UPDATE route_pauses SET probe_at = now()")
	require.NoError(t, err)
	out, err := w.send(t, ids[w.Owner.OAUserID])
	require.NoError(t, err)
	require.Equal(t, send.Sent, out.Status)
	require.Empty(t, pausedRoutes(t, w))
	out, err = w.send(t, ids[w.Member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, send.Sent, out.Status)
}

// TestATemplateZaloDisabledIsSkippedUntilAnotherIsChosen: -146 (the
// template disabled for low quality) is the template's trouble, not the
// OA's: the alert goes by the next route (none here: skipped, the owner
// told), and no later alert tries that template.
func TestATemplateZaloDisabledIsSkippedUntilAnotherIsChosen(t *testing.T) {
	t.Parallel()
	w := quiet(t)
	w.aim(-146, zalosim.KindTemplate)
	out, err := w.send(t, w.plan(t)[w.Member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, send.Skipped, out.Status)
	require.NotNil(t, out.Notice)
	require.Empty(t, pausedRoutes(t, w), "no route stops for the OA")
	w.aim(0)
	calls := w.Sim.Stats().Calls[zalosim.KindTemplate]
	out, err = w.send(t, w.plan(t)[w.Member.OAUserID])
	require.NoError(t, err)
	require.Equal(t, send.Skipped, out.Status)
	require.Equal(t, calls, w.Sim.Stats().Calls[zalosim.KindTemplate], "the disabled template is not tried again")
}

func pausedRoutes(t *testing.T, w *world) []string {
	t.Helper()
	rows, err := db.New(w.Pool).ListPauses(context.Background())
	require.NoError(t, err)
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Route)
	}
	return out
}

// refreshed is a keeper that says it refreshed: the token Zalo refuses is
// then refused fresh.
type refreshed struct{}

func (refreshed) RequestRefresh(context.Context, int64) error { return nil }
