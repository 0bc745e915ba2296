package zalosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The bodies of the three sending routes (ZALO.md §5), one shape each.

type recipient struct {
	UserID string `json:"user_id"`
}

// csRequest is POST /v3.0/oa/message/cs.
type csRequest struct {
	Recipient recipient `json:"recipient"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
}

// templateRequest is POST /v3.0/oa/message/template: {"user_id",
// "template_id", "template_data"}; one source nests the user id as
// recipient.user_id, which is taken too.
type templateRequest struct {
	UserID       string         `json:"user_id"`
	Recipient    recipient      `json:"recipient"`
	TemplateID   string         `json:"template_id"`
	TemplateData map[string]any `json:"template_data"`
}

func (r templateRequest) userID() string {
	if r.UserID != "" {
		return r.UserID
	}
	return r.Recipient.UserID
}

// phoneTemplateRequest is POST /message/template on the ZNS host.
type phoneTemplateRequest struct {
	Phone        string         `json:"phone"`
	TemplateID   string         `json:"template_id"`
	TemplateData map[string]any `json:"template_data"`
	TrackingID   string         `json:"tracking_id"`
}

// decode reads a JSON body, numbers kept as written (template data may
// carry them).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	return dec.Decode(v)
}

// interactionWindow is how recently a user must have followed or written
// to the OA for it to accept a customer-service message (-230 otherwise);
// within freeWindow of that interaction the message is free.
const (
	interactionWindow = 7 * 24 * time.Hour
	freeWindow        = 48 * time.Hour
)

// csRefusal is Zalo's answer to a cs message to a (nil: unknown) by the
// sandbox clock: it needs an interaction within 7 days (-230), and reaches
// a non-follower only if that interaction was them writing to the OA
// (-213 otherwise). The caller holds s.mu.
func csRefusal(a *account, now time.Time) (int, string) {
	within := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) <= interactionWindow }
	switch {
	case a != nil && !a.Follows && within(a.lastWrote):
		return 0, "" // the OA may answer someone who wrote to it, follower or not
	case a == nil || !a.Follows:
		return codeNotFollower, "User has not followed the OA"
	case !within(a.lastInteraction):
		return codeNoInteraction, "User has not interacted with the OA in the last 7 days"
	}
	return 0, ""
}

// noCap is the sandbox's cs quota within the window: Zalo dropped the
// per-window cap on 2026-01-01.
const noCap = -1

// sendCS is POST /v3.0/oa/message/cs, at any hour.
func (s *Sim) sendCS(w http.ResponseWriter, r *http.Request) {
	var req csRequest
	if err := decode(r, &req); err != nil {
		s.refuse(w, codeInvalidParam, "Parameters are invalid")
		return
	}
	if n := utf8.RuneCountInString(req.Message.Text); n == 0 || n > 2000 {
		s.refuse(w, codeInvalidParam, "Message text must be 1 to 2000 characters")
		return
	}
	s.mu.Lock()
	now := s.Now()
	a := s.users[req.Recipient.UserID]
	if code, why := csRefusal(a, now); code != 0 {
		s.mu.Unlock()
		s.refuse(w, code, why)
		return
	}
	quotaType := "purchase_quota" // charged from 48 h to 7 days
	if now.Sub(a.lastInteraction) <= freeWindow {
		quotaType = "reward_quota"
	}
	m := s.record(Message{UserID: a.OAUserID, Kind: KindCS, Text: req.Message.Text})
	s.mu.Unlock()
	zaloOK(w, map[string]any{
		"message_id": m.MessageID, "user_id": m.UserID, "sent_time": millis(m.ReceivedAt),
		"quota": map[string]any{"quota_type": quotaType, "remain": noCap},
	})
}

// sendTemplate is POST /v3.0/oa/message/template: a ZBS template by user
// id reaches any user of this OA, follower or not, with no interaction
// window, at any hour (silently at night).
func (s *Sim) sendTemplate(w http.ResponseWriter, r *http.Request) {
	var req templateRequest
	if err := decode(r, &req); err != nil || req.TemplateID == "" || req.userID() == "" {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: user_id and template_id are required")
		return
	}
	s.mu.Lock()
	text, code, why := s.tpl.render(req.TemplateID, req.TemplateData, true)
	a := s.users[req.userID()]
	if code == 0 && a == nil {
		code, why = codeInvalidParam, "user_id is not a user of this OA"
	}
	if code != 0 {
		s.mu.Unlock()
		s.refuse(w, code, why)
		return
	}
	now := s.Now()
	m := s.record(Message{UserID: a.OAUserID, Kind: KindTemplate, Text: text, TemplateID: req.TemplateID, Silent: atNight(now)})
	_, remain := s.tpl.spend(req.TemplateID, now)
	s.mu.Unlock()
	zaloOK(w, map[string]any{
		"message_id": m.MessageID, "user_id": m.UserID, "sent_time": millis(m.ReceivedAt),
		"quota": map[string]any{"quota_type": "purchase_quota", "remain": remain},
	})
}

// phonePattern is a phone number as ZBS takes it: 84, then 9 or 10 digits.
var phonePattern = regexp.MustCompile(`^84[0-9]{9,10}$`)

// maxTrackingID is the longest tracking_id Zalo keeps.
const maxTrackingID = 48

// sendTemplateByPhone is POST /message/template on the ZNS host: a ZBS
// template reaches the sandbox user with that phone, if any, and Zalo then
// confirms it with the user_received_message webhook. A phone no sandbox
// user has is accepted and kept in /_sandbox/messages, but nobody receives
// it: no inbox, no receipt.
func (s *Sim) sendTemplateByPhone(w http.ResponseWriter, r *http.Request) {
	var req phoneTemplateRequest
	if err := decode(r, &req); err != nil || req.TemplateID == "" || !phonePattern.MatchString(req.Phone) || len(req.TrackingID) > maxTrackingID {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: phone (84…), template_id and a tracking_id of at most 48 characters")
		return
	}
	s.mu.Lock()
	text, code, why := s.tpl.render(req.TemplateID, req.TemplateData, false)
	if code != 0 {
		s.mu.Unlock()
		s.refuse(w, code, why)
		return
	}
	now := s.Now()
	m := Message{Kind: KindTemplatePhone, Text: text, TemplateID: req.TemplateID, Phone: req.Phone, TrackingID: req.TrackingID}
	if a := s.byPhone(req.Phone); a != nil {
		m.UserID, m.Silent = a.OAUserID, atNight(now)
	}
	m = s.record(m)
	daily, remain := s.tpl.spend(req.TemplateID, now)
	s.mu.Unlock()
	zaloOK(w, map[string]any{
		"msg_id": m.MessageID, "sent_time": millis(m.ReceivedAt),
		"quota": map[string]string{"dailyQuota": strconv.Itoa(daily), "remainingQuota": strconv.Itoa(remain)},
	})
	if m.UserID != "" {
		s.hooks.background(func() { s.sendWebhook(s.receivedEvent(m)) })
	}
}

// shutDown answers every call to a route Zalo switched off with -240:
// the UID transaction message ended on 2026-03-01. No fault, token or
// body check comes first.
func (s *Sim) shutDown(kind Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		s.count(kind)
		s.refuse(w, codeShutDown, "This API was shut down on 2026-03-01: use ZBS template messages")
	}
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
