package worker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestABurstLeavesTheFreshLaneToNewPayments: at 60 sends a second, a
// burst of 3-recipient payments fills the fresh lane with a second's sends
// (20 payments), the rest wait as a backlog, and a payment a second later
// is fresh again; one recorded long ago is a backlog whatever the lane.
func TestABurstLeavesTheFreshLaneToNewPayments(t *testing.T) {
	lane := newFreshLane(60)
	now := time.Now()
	fresh := 0
	for range 2000 {
		if lane.admit(now, 3, now) {
			fresh++
		}
	}
	require.Equal(t, 20, fresh)
	require.True(t, lane.admit(now.Add(time.Second), 3, now.Add(time.Second)))
	require.True(t, lane.admit(now, 500, now.Add(3*time.Second)), "a payment to more recipients than a second's sends still fits an empty lane")
	require.False(t, lane.admit(now.Add(-time.Minute), 1, now.Add(10*time.Second)))

	unpaced := newFreshLane(0)
	for range 2000 {
		require.True(t, unpaced.admit(now.Add(-time.Minute), 3, now), "without a pace nothing waits")
	}
}
