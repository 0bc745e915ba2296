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
	OAAccessToken    string // the OA access token the OA API accepts
	Seed             uint64 // same seed + same creation order = same user ids; 0 = random
	Now              func() time.Time
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

// Sim is the sandbox; it is an http.Handler.
type Sim struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	rnd      *rand.Rand
	users    map[string]*User // by OA user id
	order    []string         // OA user ids in creation order
	messages []Message
	faults   Faults
}

// New returns a sandbox with no users.
func New(cfg Config) *Sim {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s := &Sim{cfg: cfg, mux: http.NewServeMux(), rnd: rand.New(rand.NewPCG(seed, seed^0x7a616c6f)), users: map[string]*User{}}
	s.routes()
	return s
}

func (s *Sim) routes() {
	s.mux.HandleFunc("POST /v3.0/oa/message/cs", s.sendCS)

	s.mux.HandleFunc("POST /_sandbox/users", s.createUser)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/follow", s.setFollow(true))
	s.mux.HandleFunc("POST /_sandbox/users/{id}/unfollow", s.setFollow(false))
	s.mux.HandleFunc("GET /_sandbox/users/{id}/inbox", s.inbox)
	s.mux.HandleFunc("GET /_sandbox/messages", s.allMessages)
	s.mux.HandleFunc("PUT /_sandbox/faults", s.putFaults)
	s.mux.HandleFunc("DELETE /_sandbox/faults", s.clearFaults)
	s.mux.HandleFunc("GET /_sandbox", s.page)
}

func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	s.mux.ServeHTTP(w, r)
}

// CreateUser adds a user, as POST /_sandbox/users does.
func (s *Sim) CreateUser(name string, follows bool) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{OAUserID: s.newID(), AppUserID: s.newID(), Name: name, Follows: follows}
	s.users[u.OAUserID] = u
	s.order = append(s.order, u.OAUserID)
	return *u
}

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
