package zalosim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// postUser is POST /_sandbox/users {name, follows?}.
func (s *Sim) postUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name    string `json:"name"`
		Follows bool   `json:"follows"`
	}
	if isForm(r) {
		req.Name, req.Follows = r.PostFormValue("name"), r.PostFormValue("follows") != ""
	} else if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", "body must be JSON like {\"name\":\"Lan\",\"follows\":true}")
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		controlError(w, http.StatusBadRequest, "bad_request", "name: required")
		return
	}
	u, status := s.createUser(strings.TrimSpace(req.Name), req.Follows)
	if isForm(r) {
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusCreated, userView{User: u, WebhookStatus: status})
}

// userView is a user as the control API answers, with the HTTP status the
// webhook it triggered got on its first attempt (0: none sent).
type userView struct {
	User
	WebhookStatus int `json:"webhook_status"`
}

func (s *Sim) setFollow(follows bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, status, ok := s.Follow(r.PathValue("id"), follows)
		if !ok {
			controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
			return
		}
		if isForm(r) {
			http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
			return
		}
		writeJSON(w, http.StatusOK, userView{User: u, WebhookStatus: status})
	}
}

// userMessage is POST /_sandbox/users/{id}/messages {text}: the user
// writes to the OA, which sends the user_send_text webhook.
func (s *Sim) userMessage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text"`
	}
	if isForm(r) {
		req.Text = r.PostFormValue("text")
	} else if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", "body must be JSON like {\"text\":\"/invite: ABC\"}")
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		controlError(w, http.StatusBadRequest, "bad_request", "text: required")
		return
	}
	msgID, status, ok := s.userSendsText(r.PathValue("id"), req.Text)
	if !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	if isForm(r) {
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"msg_id": msgID, "webhook_status": status})
}

// isForm tells a click on the /_sandbox page from a JSON call.
func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// listUsers is GET /_sandbox/users: every user, in creation order.
func (s *Sim) listUsers(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	users := s.usersInOrder()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": users})
}

// putUser is PUT /_sandbox/users/{id} {"last_interaction_at": RFC 3339 or
// null}: rewrites when the user last interacted with the OA.
func (s *Sim) putUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		LastInteractionAt json.RawMessage `json:"last_interaction_at"`
	}
	var at *time.Time
	err := json.NewDecoder(r.Body).Decode(&req)
	if err == nil && len(req.LastInteractionAt) == 0 {
		err = errMissing
	}
	if err == nil {
		err = json.Unmarshal(req.LastInteractionAt, &at) // time.Time reads RFC 3339
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request",
			`body must be JSON like {"last_interaction_at":"2026-01-02T09:00:00+07:00"} (RFC 3339, or null for never)`)
		return
	}
	var t time.Time
	if at != nil {
		t = *at
	}
	id := r.PathValue("id")
	if !s.SetLastInteraction(id, t) {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	u, _ := s.user(id)
	writeJSON(w, http.StatusOK, u)
}

// postLastInteractionForm is the /_sandbox page's "last interaction N
// days ago" form; an empty field means never.
func (s *Sim) postLastInteractionForm(w http.ResponseWriter, r *http.Request) {
	var t time.Time
	if v := strings.TrimSpace(r.PostFormValue("days_ago")); v != "" {
		days, err := strconv.ParseFloat(v, 64)
		if err != nil || days < 0 || days > 10_000 {
			http.Error(w, "Số ngày không hợp lệ: một số từ 0 trở lên", http.StatusBadRequest)
			return
		}
		t = s.Now().Add(-time.Duration(days * 24 * float64(time.Hour)))
	}
	if !s.SetLastInteraction(r.PathValue("id"), t) {
		http.Error(w, "Không có người dùng sandbox này", http.StatusNotFound)
		return
	}
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}

type inboxItem struct {
	MessageID  string `json:"message_id"`
	Kind       Kind   `json:"kind"`
	Text       string `json:"text"`
	ReceivedAt string `json:"received_at"`
}

func (s *Sim) inbox(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.user(id); !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	items := []inboxItem{}
	for _, m := range s.Inbox(id) {
		items = append(items, inboxItem{MessageID: m.MessageID, Kind: m.Kind, Text: m.Text, ReceivedAt: m.ReceivedAt.Format("2006-01-02T15:04:05.000Z07:00")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// allMessages is GET /_sandbox/messages[?offset=N]: every message the OA
// sent, oldest first, from the N-th on (a poller passes what it has seen).
func (s *Sim) allMessages(w http.ResponseWriter, r *http.Request) {
	offset := 0
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			controlError(w, http.StatusBadRequest, "bad_request", "offset: a count of messages already read, 0 or more")
			return
		}
		offset = n
	}
	s.mu.Lock()
	items := append([]Message{}, s.messages[min(offset, len(s.messages)):]...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Sim) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil || !f.valid() {
		controlError(w, http.StatusBadRequest, "bad_request",
			"body must be JSON like {\"error_code\":-32,\"error_rate\":0.5,\"latency_ms\":50,\"http_status\":503,\"rate_limit_per_minute\":100}; error_rate in 0..1, latency_ms up to 60000")
		return
	}
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, f.normalized())
}

// postFaultsForm is the /_sandbox page's faults form (HTML forms cannot
// PUT); empty fields clear the faults.
func (s *Sim) postFaultsForm(w http.ResponseWriter, r *http.Request) {
	var f Faults
	var bad bool
	atoi := func(name string) int {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		bad = bad || err != nil
		return n
	}
	f.ErrorCode, f.LatencyMS, f.HTTPStatus = atoi("error_code"), atoi("latency_ms"), atoi("http_status")
	f.RateLimitPerMinute = atoi("rate_limit_per_minute")
	if v := strings.TrimSpace(r.PostFormValue("error_rate")); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		f.ErrorRate, bad = rate, bad || err != nil
	}
	if bad || !f.valid() {
		http.Error(w, "Lỗi giả lập không hợp lệ: mã lỗi, HTTP status, độ trễ và giới hạn mỗi phút là số nguyên; tỉ lệ từ 0 đến 1", http.StatusBadRequest)
		return
	}
	s.SetFaults(f)
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}

func (f Faults) valid() bool {
	return f.ErrorRate >= 0 && f.ErrorRate <= 1 && f.LatencyMS >= 0 && f.LatencyMS <= 60_000 && f.RateLimitPerMinute >= 0 &&
		(f.HTTPStatus == 0 || f.HTTPStatus >= 400 && f.HTTPStatus <= 599)
}

func (s *Sim) clearFaults(w http.ResponseWriter, _ *http.Request) {
	s.SetFaults(Faults{})
	w.WriteHeader(http.StatusNoContent)
}

// errMissing is a required field that is absent.
var errMissing = errors.New("missing")

// SetFaults is PUT /_sandbox/faults, for in-process callers.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f.normalized()
	s.mu.Unlock()
}

// normalized applies an error code or HTTP status given without a rate to
// every call.
func (f Faults) normalized() Faults {
	if f.ErrorRate == 0 && (f.ErrorCode != 0 || f.HTTPStatus != 0) {
		f.ErrorRate = 1
	}
	return f
}
