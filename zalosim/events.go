package zalosim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
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

// oaID is the sandbox OA's id.
const oaID = "579745863508352884"

func (s *Sim) stamp() string { return strconv.FormatInt(s.Now().UnixMilli(), 10) }

func (s *Sim) followEvent(u User, name string) hook {
	b, _ := json.Marshal(followBody{
		OAID: oaID, Follower: idField{u.OAUserID}, UserIDByApp: u.AppUserID, EventName: name,
		Source: "oa_profile", AppID: s.cfg.AppID, Timestamp: s.stamp(),
	})
	return hook{event: name, userID: u.OAUserID, body: b}
}

func (s *Sim) textEvent(u User, text, msgID string) hook {
	b, _ := json.Marshal(textBody{
		AppID: s.cfg.AppID, Sender: idField{u.OAUserID}, Recipient: idField{oaID},
		UserIDByApp: u.AppUserID, EventName: "user_send_text", Message: textMessage{Text: text, MsgID: msgID},
		Timestamp: s.stamp(),
	})
	return hook{event: "user_send_text", userID: u.OAUserID, body: b}
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
