// Package zalosim is a local Zalo: the same paths, payloads and error codes
// as Zalo's OA API, plus a control API (/_sandbox) to create users, read
// their inboxes and inject faults. It keeps everything in memory.
package zalosim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Config sets the sandbox's credentials and determinism.
type Config struct {
	AppID, AppSecret string
	// OASecretKey signs the webhooks: X-ZEvent-Signature is
	// mac=hex(SHA-256(AppID + body + timestamp + OASecretKey)).
	OASecretKey    string
	OAAccessToken  string        // the OA's initial access token
	OARefreshToken string        // and its refresh token
	AccessTokenTTL time.Duration // lifetime of OA access tokens, the initial one included (0 = Zalo's 25h)
	WebhookURL     string        // where signed webhooks go ("" = nowhere)
	HTTPClient     *http.Client  // sends webhooks; nil = a 5 s timeout client
	Seed           uint64        // same seed + same creation order = same ids and tokens; 0 = random
	Now            func() time.Time
}

// User is a sandbox Zalo user.
type User struct {
	OAUserID  string `json:"oa_user_id"`
	AppUserID string `json:"app_user_id"`
	Name      string `json:"name"`
	Follows   bool   `json:"follows"`
}

// Message is one message the OA sent.
type Message struct {
	MessageID  string    `json:"message_id"`
	UserID     string    `json:"user_id"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
}

// Faults make the OA API misbehave, for tests and demos.
type Faults struct {
	ErrorCode  int     `json:"error_code,omitempty"`
	ErrorRate  float64 `json:"error_rate,omitempty"`
	LatencyMS  int     `json:"latency_ms,omitempty"`
	HTTPStatus int     `json:"http_status,omitempty"`
}

// account is a user and what Zalo knows of them beyond the public fields.
type account struct {
	User
	lastInteraction time.Time // zero: never followed nor wrote to the OA
	lastWrote       time.Time // zero: never wrote to the OA
}

// Sim is the sandbox; it is an http.Handler.
type Sim struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	rnd      *rand.Rand
	users    map[string]*account // by OA user id
	order    []string            // OA user ids in creation order
	messages []Message
	faults   Faults
	tokens   oaTokens
	oauth    oauthState

	hooks *webhooks
}

// New returns a sandbox with no users.
func New(cfg Config) *Sim {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = 25 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s := &Sim{cfg: cfg, mux: http.NewServeMux(), rnd: rand.New(rand.NewPCG(seed, seed^0x7a616c6f)), users: map[string]*account{}}
	s.tokens = newOATokens(cfg.OAAccessToken, cfg.OARefreshToken, cfg.Now(), cfg.AccessTokenTTL)
	s.oauth = newOAuthState()
	s.hooks = newWebhooks(cfg.Now)
	s.routes()
	return s
}

func (s *Sim) routes() {
	s.mux.HandleFunc("GET /v4/permission", s.permission)
	s.mux.HandleFunc("POST /v4/access_token", s.exchangeCode)
	s.mux.HandleFunc("GET /v2.0/me", s.me)
	s.mux.HandleFunc("POST /v4/oa/access_token", s.refreshOA)

	s.mux.HandleFunc("POST /v3.0/oa/message/cs", s.sendCS)
	s.mux.HandleFunc("POST /v3.0/oa/message/template", s.sendTemplate)
	s.mux.HandleFunc("GET /v3.0/oa/user/detail", s.userDetail)
	s.mux.HandleFunc("GET /v3.0/oa/user/getlist", s.followerList)

	s.mux.HandleFunc("POST /_sandbox/users", s.postUser)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/follow", s.setFollow(true))
	s.mux.HandleFunc("POST /_sandbox/users/{id}/unfollow", s.setFollow(false))
	s.mux.HandleFunc("POST /_sandbox/users/{id}/messages", s.userMessage)
	s.mux.HandleFunc("GET /_sandbox/users/{id}/inbox", s.inbox)
	s.mux.HandleFunc("GET /_sandbox/messages", s.allMessages)
	s.mux.HandleFunc("PUT /_sandbox/faults", s.putFaults)
	s.mux.HandleFunc("POST /_sandbox/faults", s.postFaultsForm)
	s.mux.HandleFunc("DELETE /_sandbox/faults", s.clearFaults)
	s.mux.HandleFunc("GET /_sandbox", s.page)
}

func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	s.mux.ServeHTTP(w, r)
}

// CreateUser adds a user, as POST /_sandbox/users does; a user who
// follows also sends the follow webhook.
func (s *Sim) CreateUser(name string, follows bool) User {
	u, _ := s.createUser(name, follows)
	return u
}

// createUser adds a user and answers the status of the follow webhook's
// first delivery (0: none sent or no answer).
func (s *Sim) createUser(name string, follows bool) (User, int) {
	s.mu.Lock()
	a := &account{User: User{OAUserID: s.newID(), AppUserID: s.newID(), Name: name, Follows: follows}}
	if follows {
		a.lastInteraction = s.cfg.Now()
	}
	s.users[a.OAUserID] = a
	s.order = append(s.order, a.OAUserID)
	u := a.User
	s.mu.Unlock()
	if !follows {
		return u, 0
	}
	return u, s.sendWebhook(s.followEvent(u, "follow"))
}

// user returns a copy of a user; ok is false for an unknown id.
func (s *Sim) user(oaUserID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[oaUserID]
	if !ok {
		return User{}, false
	}
	return a.User, true
}

// Close stops webhook deliveries: pending retries and attempts in flight
// end, and no webhook is sent afterwards. Closing twice is fine.
func (s *Sim) Close() { s.hooks.close() }

// Inbox returns the messages the OA sent to a user, oldest first.
func (s *Sim) Inbox(oaUserID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.UserID == oaUserID {
			out = append(out, m)
		}
	}
	return out
}

// newID makes a Zalo-looking id: 19 digits, not starting with 0.
func (s *Sim) newID() string {
	return fmt.Sprintf("%d", 1_000_000_000_000_000_000+s.rnd.Int64N(8_000_000_000_000_000_000))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func controlError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
