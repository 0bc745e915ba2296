package zalosim

import (
	"net/http"
)

// Seen has a user open their chat with the OA: the cs and template (by
// user id) messages they had not seen are marked seen, by the sandbox
// clock, and told in one signed user_seen_message webhook. It answers their
// ids, oldest first (none: no webhook), and the first delivery's HTTP
// status. Templates by phone are not in it: their evidence is
// user_received_message. ok is false for an unknown user.
func (s *Sim) Seen(oaUserID string) (msgIDs []string, webhookStatus int, ok bool) {
	s.mu.Lock()
	a, ok := s.users[oaUserID]
	var u User
	if ok {
		u = a.public()
		now := s.Now().UTC()
		for i := range s.messages {
			m := &s.messages[i]
			if m.UserID == oaUserID && m.Kind != KindTemplatePhone && m.SeenAt.IsZero() {
				m.SeenAt = now
				msgIDs = append(msgIDs, m.MessageID)
			}
		}
	}
	s.mu.Unlock()
	if len(msgIDs) == 0 {
		return []string{}, 0, ok
	}
	return msgIDs, s.sendWebhook(s.seenEvent(u, msgIDs)), true
}

// postSeen is POST /_sandbox/users/{id}/seen, and the page's "seen" button.
func (s *Sim) postSeen(w http.ResponseWriter, r *http.Request) {
	ids, status, ok := s.Seen(r.PathValue("id"))
	userDone(w, r, ok, map[string]any{"msg_ids": ids, "webhook_status": status})
}

// A template by phone's delivery status, as message/status answers it.
const (
	statusUnknown   = -1
	statusPushed    = 0 // accepted, not delivered: no Zalo account has that phone
	statusDelivered = 1
)

// messageStatus is GET /message/status?message_id=…[&phone=…] on the ZNS
// host: what became of a template sent by phone. An id that is not such a
// message, or a phone other than the one it was sent to, is unknown.
func (s *Sim) messageStatus(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, phone := q.Get("message_id"), q.Get("phone")
	if id == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: message_id is required")
		return
	}
	status, delivered := statusUnknown, ""
	s.mu.Lock()
	for _, m := range s.messages {
		if m.MessageID != id || m.Kind != KindTemplatePhone || phone != "" && phone != m.Phone {
			continue
		}
		status = statusPushed
		if m.UserID != "" {
			status, delivered = statusDelivered, millis(m.ReceivedAt)
		}
	}
	s.mu.Unlock()
	zaloOK(w, map[string]any{"message_id": id, "status": status, "delivery_time": delivered})
}
