package zalosim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// retryDelays is how Zalo-like redelivery backs off after a non-200.
var retryDelays = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}

type webhooks struct {
	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

func newWebhooks() webhooks { return webhooks{stop: make(chan struct{})} }

func (h *webhooks) close() {
	h.once.Do(func() { close(h.stop) })
	h.wg.Wait()
}

type idField struct {
	ID string `json:"id"`
}

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
	AppID       string  `json:"app_id"`
	Sender      idField `json:"sender"`
	Recipient   idField `json:"recipient"`
	UserIDByApp string  `json:"user_id_by_app"`
	EventName   string  `json:"event_name"`
	Message     struct {
		Text  string `json:"text"`
		MsgID string `json:"msg_id"`
	} `json:"message"`
	Timestamp string `json:"timestamp"`
}

// oaID is the sandbox OA's id.
func (s *Sim) oaID() string { return "579745863508352884" }

func (s *Sim) stamp() string { return strconv.FormatInt(s.cfg.Now().UnixMilli(), 10) }

func (s *Sim) followEvent(u User, name string) []byte {
	b, _ := json.Marshal(followBody{
		OAID: s.oaID(), Follower: idField{u.OAUserID}, UserIDByApp: u.AppUserID, EventName: name,
		Source: "oa_profile", AppID: s.cfg.AppID, Timestamp: s.stamp(),
	})
	return b
}

func (s *Sim) textEvent(u User, text string) []byte {
	ev := textBody{
		AppID: s.cfg.AppID, Sender: idField{u.OAUserID}, Recipient: idField{s.oaID()},
		UserIDByApp: u.AppUserID, EventName: "user_send_text", Timestamp: s.stamp(),
	}
	ev.Message.Text = text
	s.mu.Lock()
	ev.Message.MsgID = s.token("msg")
	s.mu.Unlock()
	b, _ := json.Marshal(ev)
	return b
}

// sendWebhook delivers a signed event to the configured URL and answers
// the HTTP status of the first attempt (0: none configured, or no answer).
// Non-200 answers are retried in the background, as Zalo does.
func (s *Sim) sendWebhook(body []byte) int {
	if s.cfg.WebhookURL == "" {
		return 0
	}
	status := s.deliver(body)
	if status != http.StatusOK {
		s.hooks.wg.Add(1)
		go s.redeliver(body)
	}
	return status
}

func (s *Sim) redeliver(body []byte) {
	defer s.hooks.wg.Done()
	for _, d := range retryDelays {
		select {
		case <-s.hooks.stop:
			return
		case <-time.After(d):
		}
		if s.deliver(body) == http.StatusOK {
			return
		}
	}
}

func (s *Sim) deliver(body []byte) int {
	req, err := http.NewRequest(http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-ZEvent-Signature", "mac="+Sign(s.cfg.AppID, s.cfg.OASecretKey, body))
	res, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
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

// Follow sets whether a user follows the OA and sends the webhook.
func (s *Sim) Follow(oaUserID string, follows bool) (User, int, bool) {
	s.mu.Lock()
	u, ok := s.users[oaUserID]
	var out User
	if ok {
		u.Follows = follows
		out = *u
	}
	s.mu.Unlock()
	if !ok {
		return User{}, 0, false
	}
	name := "unfollow"
	if follows {
		name = "follow"
	}
	return out, s.sendWebhook(s.followEvent(out, name)), true
}

// UserSendsText has a user message the OA and sends the webhook.
func (s *Sim) UserSendsText(oaUserID, text string) (int, bool) {
	s.mu.Lock()
	u, ok := s.users[oaUserID]
	var out User
	if ok {
		out = *u
	}
	s.mu.Unlock()
	if !ok {
		return 0, false
	}
	return s.sendWebhook(s.textEvent(out, text)), true
}
