// Package zalosim is a local Zalo as it is in 2026: the same paths,
// payloads, webhooks and error codes as Zalo's OAuth, OA API and ZBS
// template messages, plus a control API (/_sandbox) to create users and
// templates, read inboxes, set the OA's standing, move the sandbox clock
// and inject faults. It also plays the bank feeds, Casso and SePay
// (bank*.go). It keeps everything in memory. docs/SANDBOX.md describes
// the rules it enforces.
package zalosim

import (
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
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
	// OARedirectURI and OACodeChallenge are what Zalo's developer console
	// holds for the OA's consent: the callback it sends the admin back to
	// and the PKCE challenge of the one verifier the product keeps
	// ("" = the challenge of DefaultOACodeVerifier).
	OARedirectURI   string
	OACodeChallenge string
	// ConversationTemplates is which template messages the conversation
	// listing shows; Zalo's own behaviour is unconfirmed ("" = by user id).
	ConversationTemplates ConversationTemplates
	WebhookURL            string       // where signed webhooks go ("" = nowhere)
	HTTPClient            *http.Client // sends webhooks; nil = a 5 s timeout client
	// Seed decides the users' ids only: same seed + same creation order =
	// same OA and app user ids (0 = random). Message ids, msg_ids, OAuth
	// codes and tokens are random in every process, so a second run never
	// repeats the first run's.
	Seed uint64
	// Now is the real clock (nil = time.Now). The sandbox clock (Sim.Now)
	// is Now shifted by SetClock; token and code lifetimes follow Now.
	Now func() time.Time
}

// User is a sandbox Zalo user.
type User struct {
	OAUserID  string `json:"oa_user_id"`
	AppUserID string `json:"app_user_id"`
	Name      string `json:"name"`
	Follows   bool   `json:"follows"`
	// LastInteractionAt is when the user last followed or wrote to the OA,
	// by the sandbox clock; nil (JSON null) when they never did.
	LastInteractionAt *time.Time `json:"last_interaction_at"`
	// Phone is the number of the user's Zalo account ("84…"), which
	// templates by phone reach; "" when none was set.
	Phone string `json:"phone"`
}

// Kind names a kind of call to the sandbox's Zalo: what stats count it
// under and what a fault may aim at. A message's Kind is the kind of the
// call that sent it: cs, template or template_phone.
type Kind string

// The kinds of call. The first three send messages.
const (
	KindCS            Kind = "cs"             // POST /v3.0/oa/message/cs
	KindTemplate      Kind = "template"       // POST /v3.0/oa/message/template (ZBS template by user id)
	KindTemplatePhone Kind = "template_phone" // POST /message/template on the ZNS host (ZBS template by phone)
	KindTransaction   Kind = "transaction"    // POST /v3.0/oa/message/transaction (shut down)
	KindConversation  Kind = "conversation"   // GET /v2.0/oa/conversation
	KindQuota         Kind = "quota"          // POST /v3.0/oa/quota/message
	KindGetOA         Kind = "getoa"          // GET /v2.0/oa/getoa
	KindStatus        Kind = "status"         // GET /message/status on the ZNS host
	KindToken         Kind = "token"          // POST /v4/oa/access_token (refresh and consent)
)

// kinds lists every kind stats count, in the order stats and pages show them.
var kinds = []Kind{
	KindCS, KindTemplate, KindTemplatePhone, KindTransaction,
	KindConversation, KindQuota, KindGetOA, KindStatus, KindToken,
}

// Message is one message the OA sent.
type Message struct {
	MessageID string `json:"message_id"`
	// UserID is the user it reached; "" for a template by phone to a number
	// no sandbox user has, which reaches no inbox.
	UserID     string    `json:"user_id"`
	Kind       Kind      `json:"kind"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"` // by the sandbox clock
	// Silent is a template delivered from 22:00 to 06:00 Vietnam time,
	// when Zalo holds the phone's push.
	Silent     bool      `json:"silent"`
	SeenAt     time.Time `json:"seen_at,omitzero"`      // when the user saw it (cs and template only)
	TemplateID string    `json:"template_id,omitempty"` // templates only
	Phone      string    `json:"phone,omitempty"`       // template_phone only
	TrackingID string    `json:"tracking_id,omitempty"` // template_phone only

	seq uint64 // order among everything the OA sent and received
}

// Faults make the sandbox's Zalo misbehave, for tests and demos.
type Faults struct {
	ErrorCode  int     `json:"error_code,omitempty"`
	ErrorRate  float64 `json:"error_rate,omitempty"`
	LatencyMS  int     `json:"latency_ms,omitempty"`
	HTTPStatus int     `json:"http_status,omitempty"`
	// RateLimitPerMinute refuses OA API calls with -32 past this many
	// admitted calls in the last 60 s of the sandbox clock (0 = off). It
	// is the app's limit: Routes does not aim it.
	RateLimitPerMinute int `json:"rate_limit_per_minute,omitempty"`
	// Routes aims the error, status and latency at these kinds of call;
	// none aims them at every OA API call (KindToken only when named).
	Routes []Kind `json:"routes,omitempty"`
}

// account is a user and what Zalo knows of them beyond the public fields.
// The embedded User's LastInteractionAt stays nil: public() fills it.
type account struct {
	User
	lastInteraction time.Time // zero: never followed nor wrote to the OA
	lastWrote       time.Time // zero: never wrote to the OA
}

// public is the user as callers see it, holding no pointer into a.
func (a *account) public() User {
	u := a.User
	if !a.lastInteraction.IsZero() {
		t := a.lastInteraction.UTC()
		u.LastInteractionAt = &t
	}
	return u
}

// userText is a text a user wrote to the OA.
type userText struct {
	seq    uint64
	msgID  string
	userID string
	text   string
	at     time.Time
}

// Sim is the sandbox; it is an http.Handler.
type Sim struct {
	cfg Config
	mux *http.ServeMux

	// The sandbox clock is cfg.Now shifted by offset (nanoseconds).
	offset  atomic.Int64
	shifted atomic.Bool

	mu       sync.Mutex
	ids      *rand.Rand          // users' ids only: seeded by Config.Seed
	rnd      *rand.Rand          // everything else: random in every process
	users    map[string]*account // by OA user id
	order    []string            // OA user ids in creation order
	messages []Message
	received []userText
	seq      uint64
	faults   Faults
	calls    []time.Time // admitted OA API calls in the rate-limit window
	stats    Stats
	tokens   oaTokens
	oauth    oauthState
	oa       oaHealth
	tpl      templates

	hooks *webhooks
	bank  *bank // the bank feeds' side: bank*.go
}

// New returns a sandbox with no users and no templates, whose OA is
// verified, on a package and linked to a Zalo Cloud Account.
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
	if cfg.OACodeChallenge == "" {
		cfg.OACodeChallenge = CodeChallenge(DefaultOACodeVerifier)
	}
	if cfg.ConversationTemplates == "" {
		cfg.ConversationTemplates = ConversationTemplatesByUID
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	var key [32]byte
	_, _ = crand.Read(key[:]) // never fails (crypto/rand crashes instead)
	s := &Sim{
		cfg: cfg, mux: http.NewServeMux(), users: map[string]*account{}, stats: newStats(),
		ids: rand.New(rand.NewPCG(seed, seed^0x7a616c6f)),
		rnd: rand.New(rand.NewChaCha8(key)),
	}
	s.tokens = newOATokens(cfg.OAAccessToken, cfg.OARefreshToken, cfg.Now(), cfg.AccessTokenTTL)
	s.oauth = newOAuthState()
	s.oa = newOAHealth(s.Now())
	s.tpl = newTemplates()
	s.hooks = newWebhooks(s.Now)
	s.bank = newBank(cfg.Now())
	s.routes()
	return s
}

// routes lists every path the sandbox serves.
func (s *Sim) routes() {
	// OAuth: the owner's login (Social API) and the OA's consent and tokens.
	s.mux.HandleFunc("GET /v4/permission", s.permission)
	s.mux.HandleFunc("POST /v4/access_token", s.exchangeCode)
	s.mux.HandleFunc("GET /v2.0/me", s.me)
	s.mux.HandleFunc("GET /v4/oa/permission", s.oaPermission)
	s.mux.HandleFunc("POST /v4/oa/access_token", s.tokenAPI(s.oaAccessToken))

	// The OA API.
	s.mux.HandleFunc("POST /v3.0/oa/message/cs", s.oaAPI(KindCS, s.sendCS))
	s.mux.HandleFunc("POST /v3.0/oa/message/template", s.oaAPI(KindTemplate, s.sendTemplate))
	s.mux.HandleFunc("POST /v3.0/oa/message/transaction", s.shutDown(KindTransaction))
	s.mux.HandleFunc("POST /v3.0/oa/quota/message", s.oaAPI(KindQuota, s.quotaMessage))
	s.mux.HandleFunc("GET /v2.0/oa/getoa", s.oaAPI(KindGetOA, s.getOA))
	s.mux.HandleFunc("GET /v2.0/oa/conversation", s.oaAPI(KindConversation, s.conversation))
	s.mux.HandleFunc("GET /v3.0/oa/user/detail", s.oaAPI("", s.userDetail))
	s.mux.HandleFunc("GET /v3.0/oa/user/getlist", s.oaAPI("", s.followerList))

	// ZBS on the ZNS host (ZALO_ZNS_URL), served at the sandbox's root.
	s.mux.HandleFunc("POST /message/template", s.oaAPI(KindTemplatePhone, s.sendTemplateByPhone))
	s.mux.HandleFunc("GET /message/status", s.oaAPI(KindStatus, s.messageStatus))
	s.mux.HandleFunc("GET /template/all", s.oaAPI("", s.templateList))
	s.mux.HandleFunc("GET /template/info/v2", s.oaAPI("", s.templateInfo))

	// The control API; POST twins of PUTs are the page's forms.
	s.mux.HandleFunc("GET /_sandbox/users", s.listUsers)
	s.mux.HandleFunc("POST /_sandbox/users", s.postUser)
	s.mux.HandleFunc("PUT /_sandbox/users/{id}", s.putUser)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/last-interaction", s.postLastInteractionForm)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/phone", s.postPhoneForm)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/follow", s.setFollow(true))
	s.mux.HandleFunc("POST /_sandbox/users/{id}/unfollow", s.setFollow(false))
	s.mux.HandleFunc("POST /_sandbox/users/{id}/messages", s.userMessage)
	s.mux.HandleFunc("POST /_sandbox/users/{id}/seen", s.postSeen)
	s.mux.HandleFunc("GET /_sandbox/users/{id}/inbox", s.inbox)
	s.mux.HandleFunc("GET /_sandbox/messages", s.allMessages)
	s.mux.HandleFunc("GET /_sandbox/templates", s.listTemplates)
	s.mux.HandleFunc("PUT /_sandbox/templates/{id}", s.putTemplate)
	s.mux.HandleFunc("POST /_sandbox/templates/{id}/status", s.postTemplateStatusForm)
	s.mux.HandleFunc("GET /_sandbox/oa", s.getOAControl)
	s.mux.HandleFunc("PUT /_sandbox/oa", s.putOA)
	s.mux.HandleFunc("POST /_sandbox/oa", s.postOAForm)
	s.mux.HandleFunc("GET /_sandbox/oa/consent-url", s.getConsentURL)
	s.mux.HandleFunc("PUT /_sandbox/faults", s.putFaults)
	s.mux.HandleFunc("POST /_sandbox/faults", s.postFaultsForm)
	s.mux.HandleFunc("DELETE /_sandbox/faults", s.clearFaults)
	s.mux.HandleFunc("GET /_sandbox/clock", s.getClock)
	s.mux.HandleFunc("PUT /_sandbox/clock", s.putClock)
	s.mux.HandleFunc("POST /_sandbox/clock", s.postClockForm)
	s.mux.HandleFunc("DELETE /_sandbox/clock", s.deleteClock)
	s.mux.HandleFunc("GET /_sandbox/stats", s.getStats)
	s.mux.HandleFunc("DELETE /_sandbox/stats", s.deleteStats)
	s.mux.HandleFunc("GET /_sandbox", s.page)
	s.bankRoutes()
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
		a.lastInteraction = s.Now()
	}
	s.users[a.OAUserID] = a
	s.order = append(s.order, a.OAUserID)
	u := a.public()
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
	return a.public(), true
}

// SetLastInteraction rewrites a user's history: their last interaction
// with the OA, and their last message to it if they ever wrote, happened
// at t (the zero time: never). ok is false for an unknown user.
func (s *Sim) SetLastInteraction(oaUserID string, t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[oaUserID]
	if !ok {
		return false
	}
	a.lastInteraction = t
	if !a.lastWrote.IsZero() || t.IsZero() {
		a.lastWrote = t
	}
	return true
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

// newID makes a Zalo-looking user id from the seeded source: 19 digits,
// not starting with 0. The caller holds s.mu.
func (s *Sim) newID() string {
	return fmt.Sprintf("%d", 1_000_000_000_000_000_000+s.ids.Int64N(8_000_000_000_000_000_000))
}

// nextSeq numbers what the OA sends and receives; the caller holds s.mu.
func (s *Sim) nextSeq() uint64 {
	s.seq++
	return s.seq
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func controlError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
