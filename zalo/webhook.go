package zalo

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrBadSignature: the signature was not made for this body.
	ErrBadSignature = errors.New("zalo: webhook signature does not match")
	// ErrMalformedWebhook: the signature header or the body cannot be read.
	ErrMalformedWebhook = errors.New("zalo: malformed webhook")
	// ErrStale: a validly signed event whose timestamp is too old, or too
	// far in the future: a replay.
	ErrStale = errors.New("zalo: webhook timestamp out of range")
	// ErrNoSecret: verification was asked without the app id or the
	// secret, which would make the signature a hash of public values.
	ErrNoSecret = errors.New("zalo: webhook verification needs the app id and the secret")
)

// FutureSkew is how far in the future a webhook's timestamp may be: the
// two clocks' disagreement, no more.
const FutureSkew = time.Minute

// VerifyWebhook checks X-ZEvent-Signature ("mac=<hex>"), where hex is
// SHA-256(app id + raw body + the body's timestamp + secret): a plain hash
// over the raw bytes, compared in constant time. It reads nothing of the
// body but the timestamp the formula needs. A signed event whose timestamp
// is more than maxAge before now, or more than FutureSkew after, is
// ErrStale (maxAge 0: no age limit).
func VerifyWebhook(appID, secret string, body []byte, signatureHeader string, now time.Time, maxAge time.Duration) error {
	if appID == "" || secret == "" {
		return ErrNoSecret
	}
	mac, ok := strings.CutPrefix(strings.TrimSpace(signatureHeader), "mac=")
	got, err := hex.DecodeString(mac)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: signature header is not mac=<64 hex digits>", ErrMalformedWebhook)
	}
	o, ok := parseObject(body)
	stamp := o.id("timestamp")
	if !ok || stamp == "" {
		return fmt.Errorf("%w: body is not a JSON object with a timestamp", ErrMalformedWebhook)
	}
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(stamp))
	h.Write([]byte(secret))
	if subtle.ConstantTimeCompare(h.Sum(nil), got) != 1 {
		return ErrBadSignature
	}
	ms, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not unix milliseconds", ErrStale, stamp)
	}
	at := time.UnixMilli(ms)
	if at.After(now.Add(FutureSkew)) || maxAge > 0 && at.Before(now.Add(-maxAge)) {
		return fmt.Errorf("%w: event at %s", ErrStale, at.UTC().Format(time.RFC3339))
	}
	return nil
}

// EventKind is what tingting does with an event.
type EventKind string

// The events tingting acts on; everything else is acknowledged and ignored.
// EventUserAction is any other user_* event the user made (sent an image or
// a sticker, submitted info, …): it says only that they interacted, which
// opens Zalo's chat window. What only happens to a user's phone (a message
// received or seen) is not an interaction.
const (
	EventFollow       EventKind = "follow"
	EventUnfollow     EventKind = "unfollow"
	EventUserSendText EventKind = "user_send_text"
	EventUserAction   EventKind = "user_action"
	// Receipts: a message seen (by its ids), one sent by phone delivered
	// (by its id and our tracking id).
	EventSeen     EventKind = "user_seen_message"
	EventReceived EventKind = "user_received_message"
	// EventTemplateChanged: a template's status or quality changed
	// (change_template_status, change_template_quality).
	EventTemplateChanged EventKind = "template_changed"
	EventIgnored         EventKind = "ignored"
)

// Event is a decoded OA webhook event.
type Event struct {
	Kind        EventKind
	Name        string // event_name as sent
	AppID, OAID string
	UserID      string // OA-scoped: sender.id, or follower.id for (un)follow
	UserIDByApp string // app-scoped
	Text, MsgID string
	Timestamp   time.Time // zero when the body has none
	DedupKey    string    // msg_id when present, else the hash of the body

	// Receipts: the messages seen; the message delivered by phone, our
	// tracking id for it, and when.
	MsgIDs      []string
	TrackingID  string
	DeliveredAt time.Time
	TemplateID  string // EventTemplateChanged
}

// ParseEvent decodes an event. Unknown events are EventIgnored, not errors,
// and fields of unexpected types read as empty. It fails for a body that
// is not a JSON object, has no event_name, or is a follow, unfollow or
// user_send_text without the user's id: those cannot be acted on.
func ParseEvent(body []byte) (Event, error) {
	o, ok := parseObject(body)
	if !ok {
		return Event{}, fmt.Errorf("%w: body is not a JSON object", ErrMalformedWebhook)
	}
	ev := Event{
		Kind: EventIgnored, Name: o.text("event_name"), AppID: o.id("app_id"), OAID: o.id("oa_id"),
		UserIDByApp: o.id("user_id_by_app"), Text: o.obj("message").text("text"), MsgID: o.obj("message").id("msg_id"),
	}
	if ev.Name == "" {
		return Event{}, fmt.Errorf("%w: no event_name", ErrMalformedWebhook)
	}
	if ms, err := strconv.ParseInt(o.id("timestamp"), 10, 64); err == nil {
		ev.Timestamp = time.UnixMilli(ms)
	}
	switch EventKind(ev.Name) {
	case EventFollow, EventUnfollow:
		ev.Kind, ev.UserID = EventKind(ev.Name), o.obj("follower").id("id")
	case EventUserSendText:
		ev.Kind, ev.UserID = EventUserSendText, o.obj("sender").id("id")
		if ev.OAID == "" {
			ev.OAID = o.obj("recipient").id("id")
		}
	case "user_seen_message":
		// Seeing is not interacting: it says nothing of the chat window.
		ev.Kind = EventSeen
		_ = json.Unmarshal(o.obj("message")["msg_ids"], &ev.MsgIDs)
		ev.MsgID = "" // the ids are the seen messages', not this event's
	case "user_received_message":
		ev.Kind, ev.TrackingID = EventReceived, o.obj("message").text("tracking_id")
		if ms, err := strconv.ParseInt(o.obj("message").id("delivery_time"), 10, 64); err == nil {
			ev.DeliveredAt = time.UnixMilli(ms)
		}
		if ev.MsgID == "" || ev.TrackingID == "" {
			return Event{}, fmt.Errorf("%w: a receipt without msg_id or tracking_id", ErrMalformedWebhook)
		}
		ev.DedupKey = "received:" + ev.MsgID
	case "change_template_status", "change_template_quality":
		ev.Kind, ev.TemplateID = EventTemplateChanged, templateIDOf(o)
		if ev.TemplateID == "" {
			return Event{}, fmt.Errorf("%w: %s without a template id", ErrMalformedWebhook, ev.Name)
		}
	default:
		if strings.HasPrefix(ev.Name, "user_") {
			ev.Kind, ev.UserID = EventUserAction, o.obj("sender").id("id")
		}
	}
	if (ev.Kind == EventFollow || ev.Kind == EventUnfollow || ev.Kind == EventUserSendText || ev.Kind == EventUserAction) && ev.UserID == "" {
		return Event{}, fmt.Errorf("%w: %s event without the user's id", ErrMalformedWebhook, ev.Kind)
	}
	if ev.DedupKey == "" {
		ev.DedupKey = ev.MsgID
	}
	if ev.DedupKey == "" {
		sum := sha256.Sum256(body)
		ev.DedupKey = hex.EncodeToString(sum[:])
	}
	return ev, nil
}

// templateIDOf finds a template event's template id: at the top, or under
// "template" or "data" (Zalo's sources show each).
func templateIDOf(o object) string {
	for _, in := range []object{o, o.obj("template"), o.obj("data"), o.obj("message")} {
		if id := firstOf(in, "template_id", "templateId"); id != "" {
			return id
		}
	}
	return ""
}
