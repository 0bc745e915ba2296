package zalosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Zalo's refusals as the sandbox answers them (ZALO.md §5 sorts them into
// classes); any other code comes only from an injected fault.
const (
	codeRateLimit        = -32
	codeTemplateDisabled = -146 // a template disabled for its low quality
	codeInvalidParam     = -201
	codeParamTooLong     = -210
	codeNotFollower      = -213
	codeBadToken         = -216
	codeNotVerified      = -221
	codeNoPackage        = -224
	codeNoInteraction    = -230
	codeShutDown         = -240
	codeNotByUID         = -249
	codeNoZCA            = -320
)

// Zalo's answers: HTTP 200 with a non-zero "error".
func zaloError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"error": code, "message": msg})
}

// zaloOK answers like Zalo when all went well.
func zaloOK(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"error": 0, "message": "Success", "data": data})
}

// millis is an instant as Zalo writes it: unix milliseconds in a string.
func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// record gives m a random id, the sandbox time and its place in the
// conversation, and keeps it; the caller holds s.mu.
func (s *Sim) record(m Message) Message {
	m.MessageID = fmt.Sprintf("%016x%016x", s.rnd.Uint64(), s.rnd.Uint64())
	m.ReceivedAt = s.Now().UTC()
	m.seq = s.nextSeq()
	s.messages = append(s.messages, m)
	return m
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
	zaloOK(w, map[string]any{
		"user_id": u.OAUserID, "user_id_by_app": u.AppUserID, "display_name": u.Name,
		"avatar": avatarURL(u.User), "user_is_follower": u.Follows, "user_last_interaction_date": last,
	})
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
	zaloOK(w, map[string]any{"total": len(ids), "count": len(page), "followers": page})
}
