package zalosim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

type idField struct {
	ID string `json:"id"`
}

// followBody and textBody are Zalo's event shapes (ZALO.md §3), field
// order included; every id and the timestamp are strings.
type followBody struct {
	OAID        string  `json:"oa_id"`
	Follower    idField `json:"follower"`
	UserIDByApp string  `json:"user_id_by_app"`
	EventName   string  `json:"event_name"`
	Source      string  `json:"source"`
	AppID       string  `json:"app_id"`
	Timestamp   string  `json:"timestamp"`
}

type textBody struct {
	AppID       string      `json:"app_id"`
	Sender      idField     `json:"sender"`
	Recipient   idField     `json:"recipient"`
	UserIDByApp string      `json:"user_id_by_app"`
	EventName   string      `json:"event_name"`
	Message     textMessage `json:"message"`
	Timestamp   string      `json:"timestamp"`
}

type textMessage struct {
	Text  string `json:"text"`
	MsgID string `json:"msg_id"`
}

// seenBody is user_seen_message: the user saw the OA's messages.
type seenBody struct {
	AppID       string  `json:"app_id"`
	Sender      idField `json:"sender"`    // the user
	Recipient   idField `json:"recipient"` // the OA
	UserIDByApp string  `json:"user_id_by_app"`
	EventName   string  `json:"event_name"`
	Message     struct {
		MsgIDs []string `json:"msg_ids"`
	} `json:"message"`
	Timestamp string `json:"timestamp"`
}

// receivedBody is user_received_message: a template by phone reached the
// phone; recipient.id is the phone number (ZALO.md §5).
type receivedBody struct {
	AppID     string          `json:"app_id"`
	Sender    idField         `json:"sender"` // the OA
	Recipient idField         `json:"recipient"`
	EventName string          `json:"event_name"`
	Message   receivedMessage `json:"message"`
	Timestamp string          `json:"timestamp"`
}

type receivedMessage struct {
	MsgID        string `json:"msg_id"`
	TrackingID   string `json:"tracking_id"`
	DeliveryTime string `json:"delivery_time"` // unix ms
}

// templateBody is change_template_status and change_template_quality,
// shaped after the OA's other events; both carry the template's status
// and quality after the change.
type templateBody struct {
	AppID      string `json:"app_id"`
	OAID       string `json:"oa_id"`
	EventName  string `json:"event_name"`
	TemplateID string `json:"template_id"`
	Status     string `json:"status"`
	Quality    string `json:"quality"`
	Timestamp  string `json:"timestamp"`
}

// oaID is the sandbox OA's id.
const oaID = "579745863508352884"

func (s *Sim) stamp() string { return millis(s.Now()) }

func (s *Sim) followEvent(u User, name string) hook {
	b, _ := json.Marshal(followBody{
		OAID: oaID, Follower: idField{u.OAUserID}, UserIDByApp: u.AppUserID, EventName: name,
		Source: "oa_profile", AppID: s.cfg.AppID, Timestamp: s.stamp(),
	})
	return hook{event: name, about: u.OAUserID, body: b}
}

func (s *Sim) textEvent(u User, text, msgID string) hook {
	b, _ := json.Marshal(textBody{
		AppID: s.cfg.AppID, Sender: idField{u.OAUserID}, Recipient: idField{oaID},
		UserIDByApp: u.AppUserID, EventName: "user_send_text", Message: textMessage{Text: text, MsgID: msgID},
		Timestamp: s.stamp(),
	})
	return hook{event: "user_send_text", about: u.OAUserID, body: b}
}

func (s *Sim) seenEvent(u User, msgIDs []string) hook {
	b := seenBody{AppID: s.cfg.AppID, Sender: idField{u.OAUserID}, Recipient: idField{oaID},
		UserIDByApp: u.AppUserID, EventName: "user_seen_message", Timestamp: s.stamp()}
	b.Message.MsgIDs = msgIDs
	body, _ := json.Marshal(b)
	return hook{event: b.EventName, about: u.OAUserID, body: body}
}

func (s *Sim) receivedEvent(m Message) hook {
	body, _ := json.Marshal(receivedBody{
		AppID: s.cfg.AppID, Sender: idField{oaID}, Recipient: idField{m.Phone}, EventName: "user_received_message",
		Message:   receivedMessage{MsgID: m.MessageID, TrackingID: m.TrackingID, DeliveryTime: millis(m.ReceivedAt)},
		Timestamp: s.stamp(),
	})
	return hook{event: "user_received_message", about: m.Phone, body: body}
}

func (s *Sim) templateEvent(name string, t Template) hook {
	body, _ := json.Marshal(templateBody{
		AppID: s.cfg.AppID, OAID: oaID, EventName: name, TemplateID: t.ID, Status: t.Status, Quality: t.Quality,
		Timestamp: s.stamp(),
	})
	return hook{event: name, about: t.ID, body: body}
}

// Sign is Zalo's webhook signature: hex(SHA-256(app id + body + the body's
// timestamp + secret)).
func Sign(appID, secret string, body []byte) string {
	var ts struct {
		Timestamp string `json:"timestamp"`
	}
	_ = json.Unmarshal(body, &ts)
	sum := sha256.Sum256([]byte(appID + string(body) + ts.Timestamp + secret))
	return hex.EncodeToString(sum[:])
}

// Follow sets whether a user follows the OA. When that changes it sends
// the follow or unfollow webhook and answers the status of its first
// delivery; setting the state a user already has sends nothing, as at
// Zalo. ok is false for an unknown user.
func (s *Sim) Follow(oaUserID string, follows bool) (u User, webhookStatus int, ok bool) {
	s.mu.Lock()
	a, ok := s.users[oaUserID]
	changed := ok && a.Follows != follows
	if changed {
		a.Follows = follows
		if follows {
			a.lastInteraction = s.Now()
		}
	}
	if ok {
		u = a.public()
	}
	s.mu.Unlock()
	if !changed {
		return u, 0, ok
	}
	name := "unfollow"
	if follows {
		name = "follow"
	}
	return u, s.sendWebhook(s.followEvent(u, name)), true
}

// UserSendsText has a user write to the OA, which sends the user_send_text
// webhook; it answers the status of the first delivery. ok is false for an
// unknown user.
func (s *Sim) UserSendsText(oaUserID, text string) (webhookStatus int, ok bool) {
	_, status, ok := s.userSendsText(oaUserID, text)
	return status, ok
}

func (s *Sim) userSendsText(oaUserID, text string) (msgID string, webhookStatus int, ok bool) {
	s.mu.Lock()
	a, ok := s.users[oaUserID]
	var u User
	if ok {
		a.lastInteraction = s.Now()
		a.lastWrote = a.lastInteraction
		u = a.public()
		msgID = s.token("msg")
		s.received = append(s.received, userText{seq: s.nextSeq(), msgID: msgID, userID: oaUserID, text: text, at: a.lastInteraction})
	}
	s.mu.Unlock()
	if !ok {
		return "", 0, false
	}
	return msgID, s.sendWebhook(s.textEvent(u, text, msgID)), true
}
