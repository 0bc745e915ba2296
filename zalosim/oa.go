package zalosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// Zalo's answers: HTTP 200 with a non-zero "error".
func zaloError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"error": code, "message": msg})
}

// sendCS is POST /v3.0/oa/message/cs.
func (s *Sim) sendCS(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w) {
		return
	}
	if r.Header.Get("access_token") == "" || r.Header.Get("access_token") != s.cfg.OAAccessToken {
		zaloError(w, -216, "Access token is invalid")
		return
	}
	var req struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		zaloError(w, -201, "Parameters are invalid")
		return
	}
	if n := utf8.RuneCountInString(req.Message.Text); n == 0 || n > 2000 {
		zaloError(w, -201, "Message text must be 1 to 2000 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[req.Recipient.UserID]
	if !ok || !u.Follows {
		zaloError(w, -213, "User has not followed the OA")
		return
	}
	m := Message{
		MessageID:  fmt.Sprintf("%016x%016x", s.rnd.Uint64(), s.rnd.Uint64()),
		UserID:     u.OAUserID,
		Text:       req.Message.Text,
		ReceivedAt: s.cfg.Now().UTC(),
	}
	s.messages = append(s.messages, m)
	writeJSON(w, http.StatusOK, map[string]any{
		"error": 0, "message": "Success",
		"data": map[string]string{"message_id": m.MessageID, "user_id": m.UserID},
	})
}

// injectFault applies the configured faults to an OA API call and reports
// whether it answered the call itself.
func (s *Sim) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	f := s.faults
	fail := (f.ErrorCode != 0 || f.HTTPStatus != 0) && s.rnd.Float64() < f.ErrorRate
	s.mu.Unlock()
	if f.LatencyMS > 0 {
		time.Sleep(time.Duration(f.LatencyMS) * time.Millisecond)
	}
	switch {
	case !fail:
		return false
	case f.HTTPStatus != 0:
		http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
	default:
		zaloError(w, f.ErrorCode, "Injected by the sandbox")
	}
	return true
}
