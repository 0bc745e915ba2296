package worker

import (
	"time"

	"golang.org/x/time/rate"
)

// freshFor is how long after it was recorded a notification may still
// start as fresh: a row is started within a second when nothing waits.
const freshFor = 5 * time.Second

// A freshLane admits notifications to the fresh lane (sent first, as local
// activities, then at the head of the send queue) no faster than the sends
// drain it: nine tenths of the send rate, in messages, with a second's
// worth at once. The rest of a burst starts as a backlog and waits behind
// the fresh lane, so the lane never holds more than about a second of
// sends and a payment that arrives during the drain overtakes the burst.
// An age limit alone let a burst's first seconds flood the lane: a 2,000
// transaction burst at 60 sends a second kept fresh payments waiting up to
// 28 s (docs/BENCHMARKS.md). Each dispatcher has its own lane: with two
// workers it may hold two seconds.
type freshLane struct {
	limit *rate.Limiter // nil (or no lane): sends are not paced, so nothing waits
}

func newFreshLane(sendRate float64) *freshLane {
	if sendRate <= 0 {
		return &freshLane{}
	}
	return &freshLane{limit: rate.NewLimiter(rate.Limit(0.9*sendRate), max(1, int(sendRate)))}
}

// admit says whether a notification recorded at recorded, which will send
// messages messages, starts fresh.
func (f *freshLane) admit(recorded time.Time, messages int, now time.Time) bool {
	if f == nil || f.limit == nil {
		return true
	}
	if now.Sub(recorded) > freshFor {
		return false
	}
	return f.limit.AllowN(now, min(max(messages, 1), f.limit.Burst()))
}
