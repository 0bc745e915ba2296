package zalosim

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
)

// createUser is POST /_sandbox/users {name, follows?}.
func (s *Sim) createUser(w http.ResponseWriter, r *http.Request) {
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
	u := s.CreateUser(strings.TrimSpace(req.Name), req.Follows)
	if isForm(r) {
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusCreated, u)
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
	status, ok := s.UserSendsText(r.PathValue("id"), req.Text)
	if !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	if isForm(r) {
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"webhook_status": status})
}

// isForm tells a click on the /_sandbox page from a JSON call.
func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

type inboxItem struct {
	MessageID  string `json:"message_id"`
	Text       string `json:"text"`
	ReceivedAt string `json:"received_at"`
}

func (s *Sim) inbox(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.users[id]
	s.mu.Unlock()
	if !ok {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox user")
		return
	}
	items := []inboxItem{}
	for _, m := range s.Inbox(id) {
		items = append(items, inboxItem{MessageID: m.MessageID, Text: m.Text, ReceivedAt: m.ReceivedAt.Format("2006-01-02T15:04:05.000Z07:00")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Sim) allMessages(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	items := append([]Message{}, s.messages...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Sim) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.ErrorRate < 0 || f.ErrorRate > 1 || f.LatencyMS < 0 {
		controlError(w, http.StatusBadRequest, "bad_request",
			"body must be JSON like {\"error_code\":-32,\"error_rate\":0.5,\"latency_ms\":50,\"http_status\":503}; error_rate in 0..1")
		return
	}
	if f.ErrorRate == 0 && (f.ErrorCode != 0 || f.HTTPStatus != 0) {
		f.ErrorRate = 1
	}
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, f)
}

func (s *Sim) clearFaults(w http.ResponseWriter, _ *http.Request) {
	s.SetFaults(Faults{})
	w.WriteHeader(http.StatusNoContent)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Zalo sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
.user{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}
.msg{white-space:pre-wrap;background:#eef5ff;border-radius:8px;padding:.5rem;margin:.5rem 0}
form{display:inline}small{color:#666}button{cursor:pointer}</style></head><body>
<h1>Zalo sandbox</h1>
<p><small>A local stand-in for Zalo: users, their follow state, what they write to the OA and what the OA sends them.</small></p>
<form method="post" action="/_sandbox/users"><input name="name" placeholder="Tên người dùng" required>
<label><input type="checkbox" name="follows" checked> Quan tâm OA</label> <button>Tạo người dùng</button></form>
{{range .}}<div class="user"><h2>{{.User.Name}} {{if .User.Follows}}✓ Đã quan tâm OA{{else}}✗ Chưa quan tâm{{end}}</h2>
<small>oa_user_id {{.User.OAUserID}} · app_user_id {{.User.AppUserID}}</small><p>
{{if .User.Follows}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/unfollow"><button>Bỏ quan tâm</button></form>
{{else}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/follow"><button>Quan tâm</button></form>{{end}}
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/messages"><input name="text" placeholder="/invite: MÃ" size="30"> <button>Nhắn OA</button></form></p>
{{range .Inbox}}<div class="msg">{{.Text}}<br><small>{{.ReceivedAt.Format "15:04:05 02/01/2006"}} · {{.MessageID}}</small></div>{{else}}<p><small>Hộp thư trống.</small></p>{{end}}
</div>{{else}}<p>Chưa có người dùng.</p>{{end}}
</body></html>`))

func (s *Sim) page(w http.ResponseWriter, _ *http.Request) {
	type row struct {
		User  User
		Inbox []Message
	}
	s.mu.Lock()
	var rows []row
	for _, u := range s.usersInOrder() {
		rows = append(rows, row{User: u})
	}
	s.mu.Unlock()
	for i := range rows {
		rows[i].Inbox = s.Inbox(rows[i].User.OAUserID)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, rows)
}

// SetFaults is PUT /_sandbox/faults, for in-process callers.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}
