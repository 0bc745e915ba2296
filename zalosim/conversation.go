package zalosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// ConversationTemplates is which template messages the conversation
// listing shows. Whether Zalo's does is unconfirmed, so the product can be
// tried both ways; cs messages and the user's texts always show.
type ConversationTemplates string

// The choices; ConversationTemplatesByUID is the default.
const (
	ConversationTemplatesByUID ConversationTemplates = "uid"  // templates by user id, not by phone
	ConversationTemplatesNone  ConversationTemplates = "none" // no template
	ConversationTemplatesAll   ConversationTemplates = "all"  // templates by user id and by phone
)

// ParseConversationTemplates reads a choice by name ("" is the default).
func ParseConversationTemplates(v string) (ConversationTemplates, error) {
	switch c := ConversationTemplates(v); c {
	case "":
		return ConversationTemplatesByUID, nil
	case ConversationTemplatesByUID, ConversationTemplatesNone, ConversationTemplatesAll:
		return c, nil
	}
	return "", fmt.Errorf("%q: one of uid, none, all", v)
}

// shows tells whether the listing shows messages of kind.
func (c ConversationTemplates) shows(kind Kind) bool {
	switch kind {
	case KindTemplate:
		return c != ConversationTemplatesNone
	case KindTemplatePhone:
		return c == ConversationTemplatesAll
	}
	return true
}

// Who sent a conversation message (the "src" field). Zalo's values are
// unconfirmed (ZALO.md §5); the sandbox chooses 0 = the OA, 1 = the user.
const (
	srcOA   = 0
	srcUser = 1
)

// maxConversationCount is the most messages one conversation page holds.
const maxConversationCount = 10

// conversationItem is one message of GET /v2.0/oa/conversation.
type conversationItem struct {
	MessageID string `json:"message_id"`
	Src       int    `json:"src"`
	Time      int64  `json:"time"` // unix milliseconds, by the sandbox clock
	Type      string `json:"type"` // "text" (cs, user texts) or "template"
	Message   string `json:"message"`
	FromID    string `json:"from_id"`
	ToID      string `json:"to_id"`

	at  time.Time
	seq uint64
}

// conversation is GET /v2.0/oa/conversation?data={"user_id","offset","count"}:
// what the OA sent a user (cs, and templates as Config.ConversationTemplates
// says) and the user's own texts, newest first by the sandbox clock, and in
// the order they happened on a tie.
func (s *Sim) conversation(w http.ResponseWriter, r *http.Request) {
	var q struct {
		UserID string `json:"user_id"`
		Offset int    `json:"offset"`
		Count  int    `json:"count"`
	}
	err := json.Unmarshal([]byte(r.URL.Query().Get("data")), &q)
	if err != nil || q.Offset < 0 || q.Count < 1 || q.Count > maxConversationCount {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: count must be 1 to 10")
		return
	}
	s.mu.Lock()
	_, known := s.users[q.UserID]
	var items []conversationItem
	for _, m := range s.messages {
		if known && m.UserID == q.UserID && s.cfg.ConversationTemplates.shows(m.Kind) {
			typ := "template"
			if m.Kind == KindCS {
				typ = "text"
			}
			items = append(items, conversationItem{
				MessageID: m.MessageID, Src: srcOA, Type: typ, Message: m.Text,
				FromID: oaID, ToID: m.UserID, at: m.ReceivedAt, seq: m.seq,
			})
		}
	}
	for _, t := range s.received {
		if t.userID == q.UserID {
			items = append(items, conversationItem{
				MessageID: t.msgID, Src: srcUser, Type: "text", Message: t.text,
				FromID: t.userID, ToID: oaID, at: t.at, seq: t.seq,
			})
		}
	}
	s.mu.Unlock()
	if !known {
		s.refuse(w, codeInvalidParam, "User not found")
		return
	}
	sort.Slice(items, func(i, j int) bool {
		if !items[i].at.Equal(items[j].at) {
			return items[i].at.After(items[j].at)
		}
		return items[i].seq > items[j].seq
	})
	page := []conversationItem{}
	for i := q.Offset; i < len(items) && i < q.Offset+q.Count; i++ {
		items[i].Time = items[i].at.UnixMilli()
		page = append(page, items[i])
	}
	zaloOK(w, page)
}
