package zalosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
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
	if !s.oaAuthorized(w, r) {
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
	s.deliverToInbox(w, req.Recipient.UserID, req.Message.Text, true)
}

// sendTemplate is POST /v3.0/oa/message/template (ZBS template by user id).
func (s *Sim) sendTemplate(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w) || !s.oaAuthorized(w, r) {
		return
	}
	var req struct {
		UserID       string            `json:"user_id"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TemplateID == "" {
		zaloError(w, -201, "Parameters are invalid")
		return
	}
	keys := make([]string, 0, len(req.TemplateData))
	for k := range req.TemplateData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "[template %s]", req.TemplateID)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %s", k, req.TemplateData[k])
	}
	s.deliverToInbox(w, req.UserID, b.String(), false)
}

// interactionWindow is how recently a user must have followed or written
// to the OA for it to accept a customer-service message (-230 otherwise).
const interactionWindow = 7 * 24 * time.Hour

// deliverToInbox puts a message in a user's inbox and answers like Zalo.
// Customer-service (cs) messages need a recent interaction, and then reach
// non-followers too (an answer to someone who wrote); templates need a
// follower and no interaction: they exist precisely to go without one.
func (s *Sim) deliverToInbox(w http.ResponseWriter, userID, text string, cs bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	within := func(t time.Time) bool { return !t.IsZero() && s.cfg.Now().Sub(t) <= interactionWindow }
	switch {
	case cs && ok && !u.Follows && within(u.lastWrote):
		// The OA may answer someone who wrote to it, follower or not.
	case !ok || !u.Follows:
		zaloError(w, -213, "User has not followed the OA")
		return
	case cs && !within(u.lastInteraction):
		zaloError(w, -230, "User has not interacted with the OA in the last 7 days")
		return
	}
	m := Message{
		MessageID:  fmt.Sprintf("%016x%016x", s.rnd.Uint64(), s.rnd.Uint64()),
		UserID:     u.OAUserID,
		Text:       text,
		ReceivedAt: s.cfg.Now().UTC(),
	}
	s.messages = append(s.messages, m)
	writeJSON(w, http.StatusOK, map[string]any{
		"error": 0, "message": "Success",
		"data": map[string]string{"message_id": m.MessageID, "user_id": m.UserID},
	})
}

// oaAuthorized checks the access_token header of an OA API call.
func (s *Sim) oaAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if !s.validOAToken(r.Header.Get("access_token")) {
		zaloError(w, -216, "Access token is invalid")
		return false
	}
	return true
}

// userDetail is GET /v3.0/oa/user/detail?data={"user_id":…}.
func (s *Sim) userDetail(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w) || !s.oaAuthorized(w, r) {
		return
	}
	var q struct {
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(r.URL.Query().Get("data")), &q); err != nil {
		zaloError(w, -201, "Parameters are invalid")
		return
	}
	s.mu.Lock()
	a, ok := s.users[q.UserID]
	var u account
	if ok {
		u = *a
	}
	s.mu.Unlock()
	if !ok {
		zaloError(w, -201, "User not found")
		return
	}
	last := ""
	if !u.lastInteraction.IsZero() {
		last = u.lastInteraction.Format("02/01/2006")
	}
	writeJSON(w, http.StatusOK, map[string]any{"error": 0, "message": "Success", "data": map[string]any{
		"user_id": u.OAUserID, "user_id_by_app": u.AppUserID, "display_name": u.Name,
		"avatar": avatarURL(u.User), "user_is_follower": u.Follows, "user_last_interaction_date": last,
	}})
}

// followerList is GET /v3.0/oa/user/getlist?data={"offset","count","is_follower"}.
func (s *Sim) followerList(w http.ResponseWriter, r *http.Request) {
	if s.injectFault(w) || !s.oaAuthorized(w, r) {
		return
	}
	var q struct {
		Offset int `json:"offset"`
		Count  int `json:"count"`
	}
	if err := json.Unmarshal([]byte(r.URL.Query().Get("data")), &q); err != nil || q.Offset < 0 || q.Count < 1 || q.Count > 50 {
		zaloError(w, -201, "Parameters are invalid")
		return
	}
	s.mu.Lock()
	var ids []string
	for _, u := range s.usersInOrder() {
		if u.Follows {
			ids = append(ids, u.OAUserID)
		}
	}
	s.mu.Unlock()
	page := []map[string]string{}
	for i := q.Offset; i < len(ids) && i < q.Offset+q.Count; i++ {
		page = append(page, map[string]string{"user_id": ids[i]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"error": 0, "message": "Success", "data": map[string]any{
		"total": len(ids), "count": len(page), "followers": page,
	}})
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
