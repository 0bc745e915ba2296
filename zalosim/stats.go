package zalosim

import (
	"maps"
	"net/http"
)

// Stats counts what the sandbox's Zalo was asked and what it refused.
type Stats struct {
	// Calls counts every call of each kind, whatever became of it
	// (accepted, refused, faulted, rate-limited, bad token).
	Calls map[Kind]int `json:"calls"`
	// Refused counts the answers of the OA API and the ZNS host (every
	// route but OAuth's) with a non-zero Zalo error, by code; faults
	// injected by error code count, HTTP-status faults do not (they carry
	// no Zalo code).
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

// count counts a call of kind; "" is not counted.
func (s *Sim) count(kind Kind) {
	if kind == "" {
		return
	}
	s.mu.Lock()
	s.stats.Calls[kind]++
	s.mu.Unlock()
}
