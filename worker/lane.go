package worker

import (
	"time"

	"github.com/google/uuid"
)

// freshFor is how long after it was recorded a notification may still
// start as fresh: a row is started within a second when nothing waits.
// It is also how long a shop that asked for the lane counts as sharing it.
const freshFor = 5 * time.Second

// A freshLane admits notifications to the fresh lane (sent first, as local
// activities, then at the head of the send queue) no faster than the sends
// drain it: nine tenths of the send rate, in messages, with a second's
// worth at once. The rest of a burst starts as a backlog and waits behind
// the fresh lane, so the lane never holds more than about a second of
// sends and a payment that arrives during the drain overtakes the burst.
// An age limit alone let a burst's first seconds flood the lane: a 2,000
// transaction burst at 60 sends a second kept fresh payments waiting up to
// 28 s (docs/BENCHMARKS.md).
//
// The lane is shared between the shops (workspaces) that asked for it in
// the last freshFor, each by its weight (ZALO_SEND_WEIGHTS, 1 unless
// listed): one shop's burst fills its own share, and what it posts beyond
// starts as its backlog, where Temporal's fairness gives every shop its
// share again (docs/SCALING.md). A shop alone has the whole lane. Each
// dispatcher has its own lane: with two workers it may hold two seconds.
type freshLane struct {
	rate    float64 // messages a second, every shop together; 0: sends are not paced, so nothing waits
	weights map[uuid.UUID]float64
	shops   map[uuid.UUID]*share
	// sharing is the sum of the weights of the shops sharing the lane.
	sharing float64
}

// share is one shop's part of the lane: a token bucket refilled at the
// shop's share of the rate.
type share struct {
	tokens float64   // messages it may start now; below 0 after a payment bigger than a second's share, which the shop then pays off
	at     time.Time // when tokens was brought up to date
	seen   time.Time // when the shop last asked
	weight float64
}

func newFreshLane(sendRate float64, weights map[uuid.UUID]float64) *freshLane {
	return &freshLane{rate: 0.9 * sendRate, weights: weights, shops: map[uuid.UUID]*share{}}
}

// weight is a shop's weight: its own, or 1.
func (f *freshLane) weight(shop uuid.UUID) float64 {
	if w, ok := f.weights[shop]; ok {
		return w
	}
	return 1
}

// ask notes that shops want the lane now and forgets those that have not
// asked for freshFor; admit then shares the lane between those left. The
// dispatcher asks once per batch, for every shop in it, so a batch's shops
// share the lane from its first admission.
func (f *freshLane) ask(shops []uuid.UUID, now time.Time) {
	if f.rate <= 0 {
		return
	}
	for _, id := range shops {
		s, ok := f.shops[id]
		if !ok {
			w := f.weight(id)
			// A shop new to the lane starts with a full second of its share.
			s = &share{weight: w, at: now, tokens: f.rate * w / (f.sharing + w)}
			f.shops[id] = s
			f.sharing += w
		}
		s.seen = now
	}
	for id, s := range f.shops {
		if now.Sub(s.seen) > freshFor {
			delete(f.shops, id)
			f.sharing -= s.weight
		}
	}
}

// admit says whether a notification of shop, recorded at recorded, which
// will send messages messages, starts fresh. The shop must have asked.
func (f *freshLane) admit(shop uuid.UUID, recorded time.Time, messages int, now time.Time) bool {
	if f.rate <= 0 {
		return true
	}
	if now.Sub(recorded) > freshFor {
		return false
	}
	s, ok := f.shops[shop]
	if !ok {
		return false
	}
	rate := f.rate * s.weight / f.sharing
	burst := max(rate, 1) // a second's share
	s.tokens = min(burst, s.tokens+rate*now.Sub(s.at).Seconds())
	s.at = now
	// A payment to more people than a second's share starts when the
	// bucket is full, and its shop pays the difference off before its
	// next: the lane counts every message.
	if s.tokens < min(float64(max(messages, 1)), burst) {
		return false
	}
	s.tokens -= float64(max(messages, 1))
	return true
}
