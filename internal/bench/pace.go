package bench

import (
	"context"
	"time"
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

// pacer lets sends through at no more than a rate, first come first
// served: what ZALO_SEND_RATE asks of tingting's worker, done the same way
// for the direct baseline and the floor. A waiter that gives up takes no
// turn from the others.
type pacer struct {
	turns chan struct{}
	stop  chan struct{}
}

// newPacer paces at rate per second; at rate 0 it never waits. Close stops it.
func newPacer(rate float64) *pacer {
	p := &pacer{}
	if rate <= 0 {
		return p
	}
	p.turns, p.stop = make(chan struct{}), make(chan struct{})
	interval := time.Duration(float64(time.Second) / rate)
	go func() {
		next := time.Now()
		for {
			if d := time.Until(next); d > 0 {
				select {
				case <-time.After(d):
				case <-p.stop:
					return
				}
			}
			select {
			case p.turns <- struct{}{}:
			case <-p.stop:
				return
			}
			// After an idle spell the next turn is one interval after
			// this one, not a catch-up burst.
			if now := time.Now(); now.Sub(next) > interval {
				next = now
			}
			next = next.Add(interval)
		}
	}()
	return p
}

// Wait blocks until it is the caller's turn.
func (p *pacer) Wait(ctx context.Context) error {
	if p == nil || p.turns == nil {
		return nil
	}
	select {
	case <-p.turns:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the pacer's clock.
func (p *pacer) Close() {
	if p != nil && p.stop != nil {
		close(p.stop)
	}
}
