package bench

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// MaxInFlight is how many posts a run at rate 0 (and a burst) keeps open
// at once: as fast as the stack accepts, as a busy Casso would.
const MaxInFlight = 64

// limiter says when each post of a run may go: post i at start + i/rate,
// or, at rate 0, as soon as fewer than MaxInFlight posts are open.
type limiter struct {
	start    time.Time
	interval time.Duration
	slots    chan struct{} // rate 0 only: one token per open post
}

func newLimiter(rate float64, inFlight int) *limiter {
	l := &limiter{start: time.Now()}
	if rate > 0 {
		l.interval = time.Duration(float64(time.Second) / rate)
	} else {
		l.slots = make(chan struct{}, inFlight)
	}
	return l
}

// wait blocks until post i may go; every wait that returns nil must be
// followed by one done when that post is answered.
func (l *limiter) wait(ctx context.Context, i int) error {
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if d := time.Until(l.start.Add(time.Duration(i) * l.interval)); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// done frees the slot of an answered post.
func (l *limiter) done() {
	if l.slots != nil {
		<-l.slots
	}
}

// newPacer lets sends through at no more than r a second, first come first
// served (at 0, with no limit): ZALO_SEND_RATE for the direct baseline and
// the floor, whose sends have no database budget to share.
func newPacer(r float64) *rate.Limiter {
	if r <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(r), 1)
}
