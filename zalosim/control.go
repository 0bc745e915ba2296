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
		userDone(w, r, ok, userView{User: u, WebhookStatus: status})
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
	userDone(w, r, ok, map[string]any{"msg_id": msgID, "webhook_status": status})
}

// userDone answers a control call that acted for a user: 404 when there
// is no such user, back to the page for the page's forms, else 200 with v.
func userDone(w http.ResponseWriter, r *http.Request, found bool, v any) {
	switch {
	case !found:
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
	case isForm(r):
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
	default:
		writeJSON(w, http.StatusOK, v)
	}
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

// putUser is PUT /_sandbox/users/{id} {"last_interaction_at": RFC 3339
// or null, "phone": "84…" or "" or null}: rewrites when the user last
// interacted with the OA, or their phone number, or both; at least one.
func (s *Sim) putUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		LastInteractionAt json.RawMessage `json:"last_interaction_at"`
		Phone             json.RawMessage `json:"phone"`
	}
	var at *time.Time
	var phone *string
	err := json.NewDecoder(r.Body).Decode(&req)
	if err == nil && len(req.LastInteractionAt) == 0 && len(req.Phone) == 0 {
		err = errMissing
	}
	if err == nil && len(req.LastInteractionAt) > 0 {
		err = json.Unmarshal(req.LastInteractionAt, &at) // time.Time reads RFC 3339
	}
	if err == nil && len(req.Phone) > 0 {
		err = json.Unmarshal(req.Phone, &phone)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request",
			`body must be JSON like {"last_interaction_at":"2026-01-02T09:00:00+07:00","phone":"84901234567"}: either or both; null for never, or no phone`)
		return
	}
	id := r.PathValue("id")
	if _, ok := s.user(id); !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	if len(req.Phone) > 0 {
		if err := s.SetPhone(id, deref(phone)); err != nil {
			status, code := phoneError(err)
			controlError(w, status, code, err.Error())
			return
		}
	}
	if len(req.LastInteractionAt) > 0 {
		s.SetLastInteraction(id, deref(at))
	}
	u, _ := s.user(id)
	writeJSON(w, http.StatusOK, u)
}

// deref is *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Why a phone number is refused.
var (
	errBadPhone   = errors.New(`phone: 84 then 9 or 10 digits, like "84901234567"`)
	errPhoneTaken = errors.New("phone: another sandbox user has this number")
	errNoUser     = errors.New("no such sandbox user")
)

// phoneErrorsVI say them on the page.
var phoneErrorsVI = map[error]string{
	errBadPhone:   "Số điện thoại không hợp lệ: 84 rồi 9 hoặc 10 chữ số, như 84901234567",
	errPhoneTaken: "Người dùng khác đã có số này",
	errNoUser:     "Không có người dùng sandbox này",
}

// phoneError is the control API's status and code for a refused phone.
func phoneError(err error) (int, string) {
	switch err {
	case errNoUser:
		return http.StatusNotFound, "not_found"
	case errPhoneTaken:
		return http.StatusConflict, "conflict"
	}
	return http.StatusBadRequest, "bad_request"
}

// SetPhone gives a user the phone number of their Zalo account (84…), or
// takes it away (""). A number belongs to one account at most.
func (s *Sim) SetPhone(oaUserID, phone string) error {
	phone = strings.TrimSpace(phone)
	if phone != "" && !phonePattern.MatchString(phone) {
		return errBadPhone
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[oaUserID]
	switch other := s.byPhone(phone); {
	case !ok:
		return errNoUser
	case phone != "" && other != nil && other != a:
		return errPhoneTaken
	}
	a.Phone = phone
	return nil
}

// byPhone finds the user with that phone number; the caller holds s.mu.
func (s *Sim) byPhone(phone string) *account {
	if phone == "" {
		return nil
	}
	for _, a := range s.users {
		if a.Phone == phone {
			return a
		}
	}
	return nil
}

// postPhoneForm is the /_sandbox page's phone field; empty removes it.
func (s *Sim) postPhoneForm(w http.ResponseWriter, r *http.Request) {
	if err := s.SetPhone(r.PathValue("id"), r.PostFormValue("phone")); err != nil {
		status, _ := phoneError(err)
		http.Error(w, phoneErrorsVI[err], status)
		return
	}
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
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

// inboxItem is a message as the user's inbox shows it.
type inboxItem struct {
	MessageID  string  `json:"message_id"`
	Kind       Kind    `json:"kind"`
	Text       string  `json:"text"`
	ReceivedAt string  `json:"received_at"`
	Silent     bool    `json:"silent"`
	SeenAt     *string `json:"seen_at"` // null until the user saw it
}

// inboxTime is how inbox items write instants: RFC 3339 with milliseconds.
const inboxTime = "2006-01-02T15:04:05.000Z07:00"

func (s *Sim) inbox(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.user(id); !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	items := []inboxItem{}
	for _, m := range s.Inbox(id) {
		it := inboxItem{MessageID: m.MessageID, Kind: m.Kind, Text: m.Text, ReceivedAt: m.ReceivedAt.Format(inboxTime), Silent: m.Silent}
		if !m.SeenAt.IsZero() {
			seen := m.SeenAt.Format(inboxTime)
			it.SeenAt = &seen
		}
		items = append(items, it)
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

// errMissing is a required field that is absent.
var errMissing = errors.New("missing")
