package zalosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// transactionRequest is the body of POST /v3.0/oa/message/transaction
// (ZALO.md §5): a template attachment whose elements are a header and
// tables of key/value rows.
type transactionRequest struct {
	Recipient struct {
		UserID string `json:"user_id"`
	} `json:"recipient"`
	Message struct {
		Attachment struct {
			Type    string `json:"type"`
			Payload struct {
				TemplateType string `json:"template_type"`
				Language     string `json:"language"`
				Elements     []struct {
					Type    string          `json:"type"`
					Content json.RawMessage `json:"content"`
				} `json:"elements"`
			} `json:"payload"`
		} `json:"attachment"`
	} `json:"message"`
}

type row struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// text is how the message shows in an inbox: the header, then one
// "key: value" line per table row; ok is false for a malformed message
// (no header, no table, an empty table, an element that does not parse).
func (t transactionRequest) text() (string, bool) {
	p := t.Message.Attachment.Payload
	if t.Message.Attachment.Type != "template" || p.TemplateType == "" {
		return "", false
	}
	var header string
	var rows []row
	tables := 0
	for _, e := range p.Elements {
		switch e.Type {
		case "header":
			var h string
			if json.Unmarshal(e.Content, &h) != nil || strings.TrimSpace(h) == "" || header != "" {
				return "", false
			}
			header = h
		case "table":
			var rs []row
			if json.Unmarshal(e.Content, &rs) != nil || len(rs) == 0 {
				return "", false
			}
			rows = append(rows, rs...)
			tables++
		}
	}
	if header == "" || tables == 0 {
		return "", false
	}
	lines := []string{header}
	for _, r := range rows {
		lines = append(lines, r.Key+": "+r.Value)
	}
	return strings.Join(lines, "\n"), true
}

// sendTransaction is POST /v3.0/oa/message/transaction.
func (s *Sim) sendTransaction(w http.ResponseWriter, r *http.Request) {
	var req transactionRequest
	err := json.NewDecoder(r.Body).Decode(&req)
	text, ok := req.text()
	if err != nil || !ok || req.Recipient.UserID == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: a recipient, a header and a table of rows are required")
		return
	}
	s.sendToUser(w, KindTransaction, req.Recipient.UserID, text)
}

// phonePattern is what the sandbox takes for a phone number: 84xxx, 0xxx.
var phonePattern = regexp.MustCompile(`^\+?[0-9]{9,15}$`)

// sendZNS is POST /message/template, ZNS's route on its own host
// (ZALO_ZNS_URL), served at the sandbox's root. ZNS needs no follower and
// no interaction. By user_id the user must exist; by phone alone it is
// accepted and kept in /_sandbox/messages with the phone and no user.
// Zalo's ZNS answers carry data.msg_id; the sandbox adds message_id with
// the same value so one client type reads both routes' answers.
func (s *Sim) sendZNS(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Phone        string         `json:"phone"`
		UserID       string         `json:"user_id"`
		TemplateID   string         `json:"template_id"`
		TemplateData map[string]any `json:"template_data"`
		TrackingID   string         `json:"tracking_id"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || req.TemplateID == "" || req.UserID == "" && req.Phone == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: template_id and a phone or user_id are required")
		return
	}
	if req.Phone != "" && !phonePattern.MatchString(req.Phone) {
		s.refuse(w, codeInvalidParam, "Phone number is invalid")
		return
	}
	data := make(map[string]string, len(req.TemplateData))
	for k, v := range req.TemplateData {
		data[k] = plain(v)
	}
	s.mu.Lock()
	m := Message{Kind: KindZNS, Phone: req.Phone, TrackingID: req.TrackingID, Text: templateText("zns", req.TemplateID, data)}
	if req.UserID != "" {
		u, ok := s.users[req.UserID]
		if !ok {
			s.mu.Unlock()
			s.refuse(w, codeInvalidParam, "User not found")
			return
		}
		m.UserID = u.OAUserID
	}
	m = s.record(m)
	s.mu.Unlock()
	ans := map[string]string{
		"msg_id": m.MessageID, "message_id": m.MessageID,
		"sent_time": strconv.FormatInt(m.ReceivedAt.UnixMilli(), 10),
	}
	if m.UserID != "" {
		ans["user_id"] = m.UserID
	}
	if m.TrackingID != "" {
		ans["tracking_id"] = m.TrackingID
	}
	writeJSON(w, http.StatusOK, map[string]any{"error": 0, "message": "Success", "data": ans})
}

// plain renders a template datum: a string as it is, anything else as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
