package zalosim

import (
	"maps"
	"net/http"
	"strconv"
	"time"
)

// Stats counts what the OA API was asked and what it refused.
type Stats struct {
	// Calls counts every call to each message route, accepted or not
	// (refused, faulted, rate-limited, bad token), by kind.
	Calls map[Kind]int `json:"calls"`
	// Refused counts the calls to the OA API (message routes, ZNS,
	// user/detail, getlist, conversation) answered with a non-zero Zalo
	// error, by code; faults injected by error code count, HTTP-status
	// faults do not (they carry no Zalo code).
	Refused map[int]int `json:"refused"`
}

func newStats() Stats {
	st := Stats{Calls: map[Kind]int{}, Refused: map[int]int{}}
	for _, k := range kinds {
		st.Calls[k] = 0
	}
	return st
}

// Stats returns what GET /_sandbox/stats answers.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Calls: maps.Clone(s.stats.Calls), Refused: maps.Clone(s.stats.Refused)}
}

// ResetStats sets every count back to zero, as DELETE /_sandbox/stats.
func (s *Sim) ResetStats() {
	s.mu.Lock()
	s.stats = newStats()
	s.mu.Unlock()
}

func (s *Sim) getStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Sim) deleteStats(w http.ResponseWriter, _ *http.Request) {
	s.ResetStats()
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers an OA API call with a Zalo error and counts it.
func (s *Sim) refuse(w http.ResponseWriter, code int, msg string) {
	s.mu.Lock()
	s.stats.Refused[code]++
	s.mu.Unlock()
	zaloError(w, code, msg)
}

// rateWindow is the span the rate limit counts calls over.
const rateWindow = time.Minute

// oaAPI wraps an OA API route: it counts the call (kind "" for reads),
// waits the injected latency, applies the rate limit and the injected
// faults, checks the access token, and only then runs h. The latency comes
// first and the call takes effect even when its caller stopped waiting:
// that is what a lost answer looks like.
func (s *Sim) oaAPI(kind Kind, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if kind != "" {
			s.stats.Calls[kind]++
		}
		latency := time.Duration(s.faults.LatencyMS) * time.Millisecond
		s.mu.Unlock()
		if latency > 0 {
			time.Sleep(latency)
		}
		if !s.admit(w) {
			s.refuse(w, -32, "The application has exceeded the API rate limit")
			return
		}
		if s.injectFault(w) || !s.oaAuthorized(w, r) {
			return
		}
		h(w, r)
	}
}

// admit applies the rate limit, if one is set: it counts the call when
// there is room and sets the X-RateLimit-* headers either way. Only
// admitted calls count; counting starts when the limit is set.
func (s *Sim) admit(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.faults.RateLimitPerMinute
	if limit <= 0 {
		s.calls = nil
		return true
	}
	now := s.Now()
	kept := s.calls[:0]
	for _, t := range s.calls {
		if d := now.Sub(t); d >= 0 && d < rateWindow {
			kept = append(kept, t)
		}
	}
	s.calls = kept
	ok := len(s.calls) < limit
	if ok {
		s.calls = append(s.calls, now)
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remain", strconv.Itoa(limit-len(s.calls)))
	return ok
}
