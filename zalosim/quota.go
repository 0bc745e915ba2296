package zalosim

import (
	"net/http"
)

// quotaMessage is POST /v3.0/oa/quota/message {"user_id"}: how old the
// user's cs window is (last_interaction, unix ms as a string, "" when they
// never followed nor wrote) and what it allows: cs_reply.remain and total
// are -1 (no cap, as Zalo since 2026-01-01) while cs would reach them, 0
// when it would be refused.
func (s *Sim) quotaMessage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := decode(r, &req); err != nil || req.UserID == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: user_id is required")
		return
	}
	s.mu.Lock()
	a, ok := s.users[req.UserID]
	var last string
	allowed := 0
	if ok {
		if !a.lastInteraction.IsZero() {
			last = millis(a.lastInteraction)
		}
		if code, _ := csRefusal(a, s.Now()); code == 0 {
			allowed = noCap
		}
	}
	s.mu.Unlock()
	if !ok {
		s.refuse(w, codeInvalidParam, "user_id is not a user of this OA")
		return
	}
	zaloOK(w, map[string]any{
		"user_id": req.UserID, "last_interaction": last,
		"cs_reply": map[string]int{"remain": allowed, "total": allowed},
	})
}
