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

// Zalo's refusals of a message, as the sandbox answers them.
const (
	codeInvalidParam  = -201
	codeNotFollower   = -213
	codeNoInteraction = -230
	codeNightBlock    = -234
)

// sendCS is POST /v3.0/oa/message/cs.
func (s *Sim) sendCS(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.refuse(w, codeInvalidParam, "Parameters are invalid")
		return
	}
	if n := utf8.RuneCountInString(req.Message.Text); n == 0 || n > 2000 {
		s.refuse(w, codeInvalidParam, "Message text must be 1 to 2000 characters")
		return
	}
	s.sendToUser(w, KindCS, req.Recipient.UserID, req.Message.Text)
}

// sendTemplate is POST /v3.0/oa/message/template (ZBS template by user id).
func (s *Sim) sendTemplate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID       string            `json:"user_id"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TemplateID == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid")
		return
	}
	s.sendToUser(w, KindTemplate, req.UserID, templateText("template", req.TemplateID, req.TemplateData))
}

// templateText is how a template message shows in an inbox: "[label id]",
// then one "key: value" line per datum, sorted by key.
func templateText(label, templateID string, data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "[%s %s]", label, templateID)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %s", k, data[k])
	}
	return b.String()
}

// interactionWindow is how recently a user must have followed or written
// to the OA for it to accept a customer-service message (-230 otherwise).
const interactionWindow = 7 * 24 * time.Hour

// sendToUser applies Zalo's rules for a message of kind to an OA user id,
// by the sandbox clock, and answers like Zalo: into the inbox, or refused.
//   - cs needs an interaction within 7 days (-230), and then reaches a
//     non-follower too if that interaction was them writing to the OA;
//   - transaction needs a follower (-213) and daytime in Vietnam (-234);
//   - template (ZBS) needs a follower and no interaction: it exists
//     precisely to go without one.
func (s *Sim) sendToUser(w http.ResponseWriter, kind Kind, userID, text string) {
	s.mu.Lock()
	now := s.Now()
	u, ok := s.users[userID]
	within := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) <= interactionWindow }
	code, why := 0, ""
	switch {
	case kind == KindCS && ok && !u.Follows && within(u.lastWrote):
		// The OA may answer someone who wrote to it, follower or not.
	case !ok || !u.Follows:
		code, why = codeNotFollower, "User has not followed the OA"
	case kind == KindCS && !within(u.lastInteraction):
		code, why = codeNoInteraction, "User has not interacted with the OA in the last 7 days"
	case kind == KindTransaction && atNight(now):
		code, why = codeNightBlock, "Messages cannot be sent from 22:00 to 06:00"
	}
	if code != 0 {
		s.mu.Unlock()
		s.refuse(w, code, why)
		return
	}
	m := s.record(Message{UserID: u.OAUserID, Kind: kind, Text: text})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"error": 0, "message": "Success",
		"data": map[string]string{"message_id": m.MessageID, "user_id": m.UserID},
	})
}

// record gives m a random id, the sandbox time and its place in the
// conversation, and keeps it; the caller holds s.mu.
func (s *Sim) record(m Message) Message {
	m.MessageID = fmt.Sprintf("%016x%016x", s.rnd.Uint64(), s.rnd.Uint64())
	m.ReceivedAt = s.Now().UTC()
	m.seq = s.nextSeq()
	s.messages = append(s.messages, m)
	return m
}

// oaAuthorized checks the access_token header of an OA API call.
func (s *Sim) oaAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if !s.validOAToken(r.Header.Get("access_token")) {
		s.refuse(w, -216, "Access token is invalid")
		return false
	}
	return true
}

// userDetail is GET /v3.0/oa/user/detail?data={"user_id":…}.
func (s *Sim) userDetail(w http.ResponseWriter, r *http.Request) {
	var q struct {
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(r.URL.Query().Get("data")), &q); err != nil {
		s.refuse(w, codeInvalidParam, "Parameters are invalid")
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
		s.refuse(w, codeInvalidParam, "User not found")
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
	var q struct {
		Offset int `json:"offset"`
		Count  int `json:"count"`
	}
	if err := json.Unmarshal([]byte(r.URL.Query().Get("data")), &q); err != nil || q.Offset < 0 || q.Count < 1 || q.Count > 50 {
		s.refuse(w, codeInvalidParam, "Parameters are invalid")
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

// injectFault applies the configured error faults to an OA API call and
// reports whether it answered the call itself.
func (s *Sim) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	f := s.faults
	fail := (f.ErrorCode != 0 || f.HTTPStatus != 0) && s.rnd.Float64() < f.ErrorRate
	s.mu.Unlock()
	switch {
	case !fail:
		return false
	case f.HTTPStatus != 0:
		http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
	default:
		s.refuse(w, f.ErrorCode, "Injected by the sandbox")
	}
	return true
}
