package worker

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestABurstLeavesTheFreshLaneToNewPayments: at 60 sends a second, a
// burst of 3-recipient payments fills the fresh lane with a second's sends
// (18 payments), the rest wait as a backlog, and a payment a second later
// is fresh again; one recorded long ago is a backlog whatever the lane.
func TestABurstLeavesTheFreshLaneToNewPayments(t *testing.T) {
	shop := uuid.New()
	lane := newFreshLane(60, nil)
	now := time.Now()
	lane.ask([]uuid.UUID{shop}, now)
	fresh := 0
	for range 2000 {
		if lane.admit(shop, now, 3, now) {
			fresh++
		}
	}
	require.Equal(t, 18, fresh)
	later := now.Add(time.Second)
	lane.ask([]uuid.UUID{shop}, later)
	require.True(t, lane.admit(shop, later, 3, later))
	require.False(t, lane.admit(shop, now.Add(-time.Minute), 1, later))

	unpaced := newFreshLane(0, nil)
	for range 2000 {
		require.True(t, unpaced.admit(shop, now.Add(-time.Minute), 3, now), "without a pace nothing waits")
	}
}

// TestAPaymentToMorePeopleThanTheLaneTakesInASecondIsPaidFor: a payment
// to 500 people still starts fresh in an empty lane, and its shop's next
// waits until the lane has drained those 500 messages.
func TestAPaymentToMorePeopleThanTheLaneTakesInASecondIsPaidFor(t *testing.T) {
	shop := uuid.New()
	lane := newFreshLane(60, nil) // 54 messages a second
	now := time.Now()
	lane.ask([]uuid.UUID{shop}, now)
	require.True(t, lane.admit(shop, now, 500, now))
	at := func(d time.Duration) bool {
		lane.ask([]uuid.UUID{shop}, now.Add(d))
		return lane.admit(shop, now.Add(d), 3, now.Add(d))
	}
	require.False(t, at(4*time.Second), "the lane still holds the 500")
	require.True(t, at(9*time.Second))
}

// TestOneShopsBurstLeavesTheOthersTheirShare: one shop posting ten
// 30-person payments a second beside nine posting one 3-person payment a
// second, for a minute at 60 sends a second. Every quiet payment starts
// fresh; the noisy shop gets the lane's share it leaves (its own tenth,
// 5.4 messages a second, about one payment in five seconds) and the rest
// of its payments start as its backlog. A shop weighing 3 gets three times
// the share of one weighing 1.
func TestOneShopsBurstLeavesTheOthersTheirShare(t *testing.T) {
	noisy := uuid.New()
	quiet := make([]uuid.UUID, 9)
	for i := range quiet {
		quiet[i] = uuid.New()
	}
	lane := newFreshLane(60, nil)
	start := time.Now()
	noisyFresh, quietBacklog := 0, 0
	for tick := range 600 { // a tenth of a second each
		now := start.Add(time.Duration(tick) * 100 * time.Millisecond)
		lane.ask(append([]uuid.UUID{noisy}, quiet...), now)
		if lane.admit(noisy, now, 30, now) {
			noisyFresh++
		}
		if tick%10 == 0 {
			for _, q := range quiet {
				if !lane.admit(q, now, 3, now) {
					quietBacklog++
				}
			}
		}
	}
	require.Zero(t, quietBacklog, "a quiet shop's payments all start fresh")
	require.InDelta(t, 60*5.4/30, noisyFresh, 2, "the noisy shop's fresh payments: its share of the lane")

	heavy, light := uuid.New(), uuid.New()
	weighted := newFreshLane(60, map[uuid.UUID]float64{heavy: 3})
	admitted := map[uuid.UUID]int{}
	for tick := range 600 {
		now := start.Add(time.Duration(tick) * 100 * time.Millisecond)
		weighted.ask([]uuid.UUID{heavy, light}, now)
		for _, shop := range []uuid.UUID{heavy, light} {
			if weighted.admit(shop, now, 10, now) { // 100 a second each: more than either share
				admitted[shop]++
			}
		}
	}
	require.InDelta(t, 3, float64(admitted[heavy])/float64(admitted[light]), 0.2)
}

// TestAShopThatStopsPostingLeavesItsShare: once a shop has not asked for
// the lane in freshFor, the shops left share it without it.
func TestAShopThatStopsPostingLeavesItsShare(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	lane := newFreshLane(60, nil)
	now := time.Now()
	lane.ask([]uuid.UUID{a, b}, now)
	later := now.Add(freshFor + time.Second)
	lane.ask([]uuid.UUID{a}, later)
	require.Equal(t, 1.0, lane.sharing)
	fresh := 0
	for range 100 {
		if lane.admit(a, later, 3, later) {
			fresh++
		}
	}
	require.Equal(t, 18, fresh, "the whole lane: a second of 54 messages")
	require.False(t, lane.admit(b, later, 3, later), "a shop must ask first")
}
