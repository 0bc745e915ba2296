package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// At rate 0 posts go as soon as a slot is free, never more than the cap
// at once, and every one of them goes.
func TestLimiterRateZeroCapsInFlight(t *testing.T) {
	const posts, inFlight = 300, 64
	l := newLimiter(0, inFlight)
	var open, peak, done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range posts {
		require.NoError(t, l.wait(context.Background(), i))
		n := open.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(10 * time.Millisecond) // the stack answering
			open.Add(-1)
			done.Add(1)
			l.done()
		}()
	}
	wg.Wait()
	assert.EqualValues(t, posts, done.Load())
	assert.EqualValues(t, inFlight, peak.Load(), "the cap is reached and never passed")
	// 300 posts of 10 ms, 64 at a time: 5 rounds, not 300 × 10 ms.
	assert.Less(t, time.Since(start), 500*time.Millisecond)
}

func TestLimiterRateSpacesPosts(t *testing.T) {
	l := newLimiter(100, 0)
	for i := range 6 {
		require.NoError(t, l.wait(context.Background(), i))
		l.done()
	}
	assert.GreaterOrEqual(t, time.Since(l.start), 50*time.Millisecond, "post 5 goes 5 intervals of 10 ms after post 0")
}

func TestLimiterGivesUpWithTheContext(t *testing.T) {
	l := newLimiter(0, 1)
	require.NoError(t, l.wait(context.Background(), 0))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.wait(ctx, 1), context.DeadlineExceeded, "no slot while the first post is open")
}

func TestPacer(t *testing.T) {
	t.Run("rate", func(t *testing.T) {
		p := newPacer(200)
		start := time.Now()
		for range 11 {
			require.NoError(t, p.Wait(context.Background()))
		}
		// The first turn is at once, the next ten 5 ms apart.
		assert.GreaterOrEqual(t, time.Since(start), 45*time.Millisecond)
		assert.Less(t, time.Since(start), 500*time.Millisecond)
	})
	t.Run("a waiter that gives up takes no turn", func(t *testing.T) {
		p := newPacer(10)
		require.NoError(t, p.Wait(context.Background())) // the first turn
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Error(t, p.Wait(ctx))
		start := time.Now()
		require.NoError(t, p.Wait(context.Background()))
		assert.Less(t, time.Since(start), 150*time.Millisecond, "the next turn is still the second one, 100 ms after the first")
	})
	t.Run("unpaced", func(t *testing.T) {
		p := newPacer(0)
		start := time.Now()
		for range 1000 {
			assert.NoError(t, p.Wait(context.Background()))
		}
		assert.Less(t, time.Since(start), 100*time.Millisecond)
	})
}
