package zalo

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrBadSignature: the signature was not made for this body.
	ErrBadSignature = errors.New("zalo: webhook signature does not match")
	// ErrMalformedWebhook: the signature header or the body cannot be read.
	ErrMalformedWebhook = errors.New("zalo: malformed webhook")
)

// VerifyWebhook checks X-ZEvent-Signature ("mac=<hex>"), where hex is
// SHA-256(app id + raw body + the body's timestamp + secret): a plain hash
// over the raw bytes, compared in constant time.
func VerifyWebhook(appID, secret string, body []byte, signatureHeader string) error {
	mac, ok := strings.CutPrefix(strings.TrimSpace(signatureHeader), "mac=")
	if !ok {
		return ErrMalformedWebhook
	}
	got, err := hex.DecodeString(mac)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	var stamp struct {
		Timestamp flexID `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &stamp); err != nil || stamp.Timestamp == "" {
		return ErrMalformedWebhook
	}
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(stamp.Timestamp))
	h.Write([]byte(secret))
	if subtle.ConstantTimeCompare(h.Sum(nil), got) != 1 {
		return ErrBadSignature
	}
	return nil
}

// EventKind is what tingting does with an event.
type EventKind string

// The events tingting acts on; everything else is acknowledged and ignored.
const (
	EventFollow       EventKind = "follow"
	EventUnfollow     EventKind = "unfollow"
	EventUserSendText EventKind = "user_send_text"
	EventIgnored      EventKind = "ignored"
)

// Event is a decoded OA webhook event.
type Event struct {
	Kind        EventKind
	Name        string // event_name as sent
	AppID, OAID string
	UserID      string // OA-scoped: sender.id, or follower.id for (un)follow
	UserIDByApp string // app-scoped
	Text, MsgID string
	Timestamp   time.Time
	DedupKey    string // msg_id when present, else the hash of the body
}

type rawEvent struct {
	AppID       flexID `json:"app_id"`
	OAID        flexID `json:"oa_id"`
	EventName   string `json:"event_name"`
	Timestamp   flexID `json:"timestamp"`
	UserIDByApp flexID `json:"user_id_by_app"`
	Sender      struct {
		ID flexID `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID flexID `json:"id"`
	} `json:"recipient"`
	Follower struct {
		ID flexID `json:"id"`
	} `json:"follower"`
	Message struct {
		Text  string `json:"text"`
		MsgID flexID `json:"msg_id"`
	} `json:"message"`
}

// ParseEvent decodes an event. Unknown events are EventIgnored, not errors.
func ParseEvent(body []byte) (Event, error) {
	var r rawEvent
	if err := json.Unmarshal(body, &r); err != nil {
		return Event{}, errors.Join(ErrMalformedWebhook, err)
	}
	if r.EventName == "" {
		return Event{}, errors.Join(ErrMalformedWebhook, errors.New("no event_name"))
	}
	ev := Event{
		Kind: EventIgnored, Name: r.EventName, AppID: string(r.AppID), OAID: string(r.OAID),
		UserIDByApp: string(r.UserIDByApp), Text: r.Message.Text, MsgID: string(r.Message.MsgID),
	}
	if ms, err := strconv.ParseInt(string(r.Timestamp), 10, 64); err == nil {
		ev.Timestamp = time.UnixMilli(ms)
	}
	switch EventKind(r.EventName) {
	case EventFollow, EventUnfollow:
		ev.Kind, ev.UserID = EventKind(r.EventName), string(r.Follower.ID)
	case EventUserSendText:
		ev.Kind, ev.UserID = EventUserSendText, string(r.Sender.ID)
		if ev.OAID == "" {
			ev.OAID = string(r.Recipient.ID)
		}
	}
	if ev.Kind != EventIgnored && ev.UserID == "" {
		return Event{}, errors.Join(ErrMalformedWebhook, errors.New("event without a user id"))
	}
	ev.DedupKey = ev.MsgID
	if ev.DedupKey == "" {
		sum := sha256.Sum256(body)
		ev.DedupKey = hex.EncodeToString(sum[:])
	}
	return ev, nil
}
