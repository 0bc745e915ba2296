// Package config reads the product's settings from the environment, once,
// at start-up. Every variable is listed in vars with its default and meaning;
// the README's configuration table is checked against that list by a test.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/route"
)

// Config is every setting of the product's processes. The harness
// (tingting-dev) reads a few of its own besides.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	// TemporalTLS is how Temporal is reached over TLS; nil: plain gRPC.
	TemporalTLS      *TemporalTLS
	temporalTLSOn    bool
	TemporalAPIKey   string
	TemporalUIOrigin string
	HTTPAddr         string
	MetricsAddr      string
	DebugAddr        string
	// WorkerStopTimeout is how long a stopping worker lets the activities
	// it runs finish before it cancels them.
	WorkerStopTimeout time.Duration
	PublicURL         string

	ZaloOAuthURL       string
	ZaloLoginURL       string
	ZaloGraphURL       string
	ZaloOpenAPIURL     string
	ZaloZNSURL         string
	ZaloAppID          string
	ZaloAppSecret      string
	ZaloOASecretKey    string
	ZaloOAAccessToken  string
	ZaloOARefreshToken string
	// ZaloOAConsentURL is the OA consent link Zalo's console generated
	// from the OA's callback and its PKCE challenge; ZaloOACodeVerifier is
	// the one verifier that matches that challenge (a secret).
	ZaloOAConsentURL   string
	ZaloOACodeVerifier string
	ZaloOAID           string
	// ZaloWebhookSecret is the key webhook signatures are checked with:
	// ZaloOASecretKey or ZaloAppSecret, as ZALO_WEBHOOK_KEY says.
	ZaloWebhookSecret string
	// ZaloWebhookSecretVar names the variable it comes from.
	ZaloWebhookSecretVar string
	zaloWebhookKey       string
	ZaloWebhookMaxAge    time.Duration
	zaloInsecureHosts    []string

	EncryptionKey []byte
	// OldEncryptionKeys are the keys EncryptionKey replaced: they open
	// what they sealed, never seal.
	OldEncryptionKeys [][]byte
	// OperatorToken opens every payload at the codec endpoint; "" lets only
	// workspace admin keys in, each for its own workspace.
	OperatorToken        string
	CassoSignatureMaxAge time.Duration
	CassoAPIURL          string
	CassoReadBackEvery   time.Duration
	CassoReadBackDays    int
	InDoubtCheck         bool
	InDoubtWait          time.Duration
	InDoubtGiveUp        time.Duration
	TemplatesListed      bool

	// Routes is how a recipient is reached (ZALO_ROUTES, the window, the
	// night); CSFree and CSPrice are what chat costs.
	Routes     route.Policy
	CSFree     time.Duration
	CSPrice    int64
	SendRate   float64
	ProbeEvery time.Duration

	// SignupOpen: the first sign-in of an unknown Zalo account makes it
	// a workspace, with them as its owner (SIGNUP=open).
	SignupOpen bool
	// A signed-in browser's session ends after SessionIdleTimeout without
	// a request, and SessionMaxAge after signing in whatever happens.
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	// MemberLink: alert recipients sign in by the follower table's app id
	// ↔ OA id (ZALO_MEMBER_LINK=user_id_by_app).
	MemberLink bool

	PublicRateLimit      int
	WebhookRateLimit     int
	TrustedProxies       []*net.IPNet
	RetainWebhookBodies  time.Duration
	RetainOAuthLogins    time.Duration
	RetainInviteFailures time.Duration

	LogLevel  slog.Level
	LogFormat string
}

// TemporalTLS names the files of a TLS connection to Temporal. Empty
// fields are the defaults: the system's CAs, no client certificate, the
// server name from TEMPORAL_ADDRESS.
type TemporalTLS struct {
	CAFile     string
	CertFile   string
	KeyFile    string
	ServerName string
}

// Var documents one environment variable.
type Var struct {
	Name    string
	Default string
	Doc     string
	set     func(c *Config, v string) error
}

// Vars lists every environment variable tingting reads, in README order.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/tingting?sslmode=disable",
		"PostgreSQL connection URL; each process keeps up to 16 connections unless it sets `pool_max_conns`. `dev` creates the database if it is missing. It holds the database's password (secret).", setURL(func(c *Config) *string { return &c.DatabaseURL })},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port.", setString(func(c *Config) *string { return &c.TemporalAddress })},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace.", setString(func(c *Config) *string { return &c.TemporalNamespace })},
	{"TEMPORAL_TLS", "false", "true: reach Temporal over TLS, its certificate checked against the system's CAs (Temporal Cloud). Implied by every TEMPORAL_TLS_* below and by TEMPORAL_API_KEY.", setBool(func(c *Config) *bool { return &c.temporalTLSOn })},
	{"TEMPORAL_TLS_SERVER_CA_CERT_PATH", "", "PEM file of the CA that signed Temporal's server certificate, when it is not one the system trusts (a self-run cluster).", setString(func(c *Config) *string { return &c.tls().CAFile })},
	{"TEMPORAL_TLS_SERVER_NAME", "", "The name Temporal's server certificate must carry, when it is not TEMPORAL_ADDRESS's host.", setString(func(c *Config) *string { return &c.tls().ServerName })},
	{"TEMPORAL_TLS_CLIENT_CERT_PATH", "", "PEM file of the client certificate for mutual TLS (Temporal Cloud's mTLS namespaces, a cluster that asks for one); with TEMPORAL_TLS_CLIENT_KEY_PATH. Read at start: a renewed one takes a restart.", setString(func(c *Config) *string { return &c.tls().CertFile })},
	{"TEMPORAL_TLS_CLIENT_KEY_PATH", "", "PEM file of that certificate's private key; keep the file private.", setString(func(c *Config) *string { return &c.tls().KeyFile })},
	{"TEMPORAL_API_KEY", "", "API key sent with every call to Temporal (Temporal Cloud's API-key authentication); it travels over TLS only (secret).", setString(func(c *Config) *string { return &c.TemporalAPIKey })},
	{"TEMPORAL_UI_ORIGIN", "http://127.0.0.1:8233", "The Temporal web UI's origin, allowed to call the codec endpoint (/codec/*) with its cookie.", setString(func(c *Config) *string { return &c.TemporalUIOrigin })},
	{"HTTP_ADDR", ":8080", "Where the API listens.", setString(func(c *Config) *string { return &c.HTTPAddr })},
	{"METRICS_ADDR", "127.0.0.1:9091", "Where the API and the worker serve Prometheus metrics (/metrics) and their own probes (/healthz, /readyz): this machine only unless set; never on the API's public address. Keep it private.", setString(func(c *Config) *string { return &c.MetricsAddr })},
	{"DEBUG_ADDR", "", "Where the API and the worker serve Go's profiles (/debug/pprof/); empty turns them off. Keep it private.", setString(func(c *Config) *string { return &c.DebugAddr })},
	{"WORKER_STOP_TIMEOUT", "30s", "How long a worker told to stop (SIGTERM) lets the sends and other activities it runs finish before it cancels them (a send takes 30 s at most; a cancelled one is settled by the in-doubt check). Its supervisor must wait longer (the Helm chart: 15 s more).", setDuration(func(c *Config) *time.Duration { return &c.WorkerStopTimeout })},
	{"PUBLIC_URL", "http://127.0.0.1:8080", "How browsers and webhooks reach the API.", setURL(func(c *Config) *string { return &c.PublicURL })},
	{"ZALO_OAUTH_URL", "https://oauth.zaloapp.com", "Zalo OAuth base URL (the sandbox's URL in `dev`).", setURL(func(c *Config) *string { return &c.ZaloOAuthURL })},
	{"ZALO_LOGIN_URL", "", "Where browsers open Zalo's login page, if not at ZALO_OAUTH_URL (the sandbox in docker-compose).", setOptionalURL(func(c *Config) *string { return &c.ZaloLoginURL })},
	{"ZALO_GRAPH_URL", "https://graph.zalo.me", "Zalo Graph API base URL.", setURL(func(c *Config) *string { return &c.ZaloGraphURL })},
	{"ZALO_OPENAPI_URL", "https://openapi.zalo.me", "Zalo OA API base URL.", setURL(func(c *Config) *string { return &c.ZaloOpenAPIURL })},
	{"ZALO_ZNS_URL", "https://business.openapi.zalo.me", "Zalo's ZNS (template message) base URL.", setURL(func(c *Config) *string { return &c.ZaloZNSURL })},
	{"ZALO_APP_ID", "", "Zalo app id.", setString(func(c *Config) *string { return &c.ZaloAppID })},
	{"ZALO_APP_SECRET", "", "Zalo app secret (secret).", setString(func(c *Config) *string { return &c.ZaloAppSecret })},
	{"ZALO_OA_SECRET_KEY", "", "Key that signs the OA's webhooks (secret).", setString(func(c *Config) *string { return &c.ZaloOASecretKey })},
	{"ZALO_OA_ACCESS_TOKEN", "", "The OA's access token, stored (encrypted) at the worker's first start (secret).", setString(func(c *Config) *string { return &c.ZaloOAAccessToken })},
	{"ZALO_OA_REFRESH_TOKEN", "", "The OA's refresh token, stored with it; from then on the OATokenKeeper refreshes the pair (secret).", setString(func(c *Config) *string { return &c.ZaloOARefreshToken })},
	{"ZALO_OA_CONSENT_URL", "", "The OA consent link Zalo's console generated for the OA's callback (PUBLIC_URL/v1/oauth/zalo-oa/callback) and PKCE challenge; `tingting oa connect` prints it.", setOptionalURL(func(c *Config) *string { return &c.ZaloOAConsentURL })},
	{"ZALO_OA_CODE_VERIFIER", "", "The PKCE code verifier whose challenge the console holds for that link; the OA's consent is exchanged with it (secret).", setString(func(c *Config) *string { return &c.ZaloOACodeVerifier })},
	{"ZALO_OA_ID", "", "The OA tingting sends as; only it may be connected through the consent callback (empty: the OA getoa last described, or any before that).", setString(func(c *Config) *string { return &c.ZaloOAID })},
	{"ZALO_WEBHOOK_KEY", "oa_secret_key", "Which secret signs the OA's webhooks: oa_secret_key or app_secret (Zalo's docs disagree).", setWebhookKey},
	{"ZALO_WEBHOOK_MAX_AGE", "24h", "How old a Zalo webhook's timestamp may be (Zalo redelivers for hours); older ones are refused as replays. 0: no limit.", setDuration(func(c *Config) *time.Duration { return &c.ZaloWebhookMaxAge })},
	{"ZALO_INSECURE_HOSTS", "", "Hosts the ZALO_*_URL settings and CASSO_API_URL may reach over plain http besides the loopback (comma-separated; docker-compose's sandbox). Everything else must be https.", setHosts},
	{"TINGTING_ENCRYPTION_KEY", "", "Base64 of 32 random bytes; seals stored secrets and every payload in Temporal (`dev` makes one). Keep it: what was sealed needs it; rotate it by moving it to TINGTING_ENCRYPTION_OLD_KEYS (docs/SECURITY.md) (secret).", setKey},
	{"TINGTING_ENCRYPTION_OLD_KEYS", "", "Comma-separated base64 keys TINGTING_ENCRYPTION_KEY replaced: they still open what they sealed (stored secrets until `tingting rekey`, Temporal payloads until their histories are gone), never seal (secret).", setOldKeys},
	{"CODEC_OPERATOR_TOKEN", "", "The operator's credential at the codec endpoint (/codec/*; at least 32 characters): it opens every workspace's Temporal payloads and the platform's own. Empty: only a workspace's admin key, for that workspace's payloads (secret).", setOperatorToken},
	{"CASSO_SIGNATURE_MAX_AGE", "10m", "How old a Casso v2 signature's timestamp may be; 0 turns the check off.", setDuration(func(c *Config) *time.Duration { return &c.CassoSignatureMaxAge })},
	{"CASSO_API_URL", "https://oauth.casso.vn", "Casso's API, where read-back reads the sources' transactions (the sandbox in `dev`); plain http only to the loopback or a host in ZALO_INSECURE_HOSTS.", setURL(func(c *Config) *string { return &c.CassoAPIURL })},
	{"CASSO_READ_BACK_EVERY", "15m", "How often the sources holding a Casso API key are read back, to record what their webhooks missed; 0 turns it off.", setDuration(func(c *Config) *time.Duration { return &c.CassoReadBackEvery })},
	{"CASSO_READ_BACK_DAYS", "3", "How many days before today each read-back reads (and today).", setDays},
	{"ZALO_IN_DOUBT_CHECK", "true", "Before sending again a message whose answer was lost, look for evidence of it: the recipient's conversation, or Zalo's receipt of a send by phone (false: send again, marked maybe_duplicate).", setBool(func(c *Config) *bool { return &c.InDoubtCheck })},
	{"ZALO_IN_DOUBT_WAIT", "30s", "How long after a lost answer to look for the message, so that one Zalo was still delivering has arrived.", setDuration(func(c *Config) *time.Duration { return &c.InDoubtWait })},
	{"ZALO_IN_DOUBT_GIVE_UP", "10m", "How long a send in doubt waits for evidence (a receipt, a conversation Zalo answers); past it the alert is sent again and marked maybe_duplicate: better twice than never.", setDuration(func(c *Config) *time.Duration { return &c.InDoubtGiveUp })},
	{"ZALO_CONVERSATION_LISTS_TEMPLATES", "true", "Whether Zalo's conversation listing shows template messages sent by user id (unconfirmed): false makes such a send in doubt wait ZALO_IN_DOUBT_GIVE_UP and go again.", setBool(func(c *Config) *bool { return &c.TemplatesListed })},
	{"ZALO_ROUTES", "cs,template,template_phone", "The routes tried for each recipient, best first: cs (chat, within 7 days of their last interaction), template (the integration's ZBS template by user id), template_phone (the template by the recipient's phone).", setRoutes},
	{"ZALO_CS_WINDOW", "168h", "Chat (cs) goes to a recipient who interacted with the OA this recently (Zalo refuses it after 7 days).", setDuration(func(c *Config) *time.Duration { return &c.Routes.CSWindow })},
	{"ZALO_CS_FREE", "48h", "Chat within this long of the recipient's last interaction is free (Zalo since 2026-01-01); later, it costs ZALO_CS_PRICE.", setDuration(func(c *Config) *time.Duration { return &c.CSFree })},
	{"ZALO_CS_PRICE", "0", "What one chat message sent after ZALO_CS_FREE costs, in đồng, as your Zalo contract says (templates carry their own prices, read from Zalo).", setPrice},
	{"ZALO_NIGHT", "22:00-06:00", "Zalo's night, Vietnam time: a template sent then arrives without its push sound (the log says so); a -234 is tried again at its end. off: none.", setNight},
	{"ZALO_NIGHT_ROUTES", "none", "Routes refused outright at night (comma-separated; none since 2026: Zalo refuses only promotion then).", setNightRoutes},
	{"ZALO_PAUSE_PROBE", "5m", "How often one send tries a route Zalo stopped for the whole OA (verification, tier, paying account…); its success resumes the route.", setDuration(func(c *Config) *time.Duration { return &c.ProbeEvery })},
	{"ZALO_SEND_RATE", "60", "Messages a second the OA sends at most, every worker together (Zalo allows about 4,000 calls a minute; -32 beyond). 0: no limit.", setRate},
	{"SIGNUP", "closed", "open: the first sign-in with Zalo of an unknown account creates a workspace with them as its owner; closed: it is refused (signup_closed), and workspaces are made with `tingting workspace create`. `dev` sets open.", setSignup},
	{"SESSION_IDLE_TIMEOUT", "72h", "A signed-in browser is signed out after this long without a request (5m at least: use is noted once a minute).", setDurationAtLeast(5*time.Minute, func(c *Config) *time.Duration { return &c.SessionIdleTimeout })},
	{"SESSION_MAX_AGE", "720h", "A signed-in browser is signed out this long after signing in, however busy.", setDurationAtLeast(5*time.Minute, func(c *Config) *time.Duration { return &c.SessionMaxAge })},
	{"ZALO_MEMBER_LINK", "user_id_by_app", "How an alert recipient who signs in with Zalo is known as one: user_id_by_app (the app id Zalo's webhooks and user/detail give with the OA id; that it equals the id Zalo login gives is unconfirmed) or off (recipients cannot sign in; the team and integration owners still can).", setMemberLink},
	{"PUBLIC_RATE_LIMIT", "1200", "Requests a minute one client address (an IPv6 /64) may make to the routes that take no credential (the OAuth callback, signing in with Zalo); 429 with Retry-After beyond. 0: no limit.", setCount(func(c *Config) *int { return &c.PublicRateLimit })},
	{"WEBHOOK_RATE_LIMIT", "60000", "Webhooks a minute one source may send once its signature is verified (each Casso source; the OA's events, every tenant's together), never counted by address; 429 with Retry-After beyond. A safety valve far above what Casso or Zalo send. 0: no limit.", setCount(func(c *Config) *int { return &c.WebhookRateLimit })},
	{"TRUSTED_PROXIES", "", "Comma-separated CIDRs of the reverse proxies in front of the API, whose X-Forwarded-For is believed; empty: the client is the connection's peer.", setCIDRs},
	{"RETAIN_WEBHOOK_BODIES", "720h", "How long raw Zalo and Casso webhook bodies are kept (what was parsed from them stays); 0 keeps them.", setDuration(func(c *Config) *time.Duration { return &c.RetainWebhookBodies })},
	{"RETAIN_OAUTH_LOGINS", "24h", "How long finished or abandoned Zalo logins (state, sealed PKCE verifier) are kept; 0 keeps them.", setDuration(func(c *Config) *time.Duration { return &c.RetainOAuthLogins })},
	{"RETAIN_INVITE_FAILURES", "168h", "How long the invite guard's log of invalid codes is kept; 0 keeps it.", setDuration(func(c *Config) *time.Duration { return &c.RetainInviteFailures })},
	{"LOG_LEVEL", "info", "debug, info, warn or error.", setLevel},
	{"LOG_FORMAT", "json", "json or text.", setFormat},
}

// Secret says whether the variable holds a secret: what a deployment keeps
// in its secret store rather than in plain configuration.
func (v Var) Secret() bool { return strings.Contains(v.Doc, "(secret)") }

// Load reads every variable through getenv, applying defaults. A bad value
// is an error naming the variable.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	for _, v := range Vars {
		val := getenv(v.Name)
		if val == "" {
			val = v.Default
		}
		if err := v.set(&c, val); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", v.Name, err)
		}
	}
	if err := c.checkTemporalTLS(); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c.ZaloWebhookSecret, c.ZaloWebhookSecretVar = c.ZaloOASecretKey, "ZALO_OA_SECRET_KEY"
	if c.zaloWebhookKey == "app_secret" {
		c.ZaloWebhookSecret, c.ZaloWebhookSecretVar = c.ZaloAppSecret, "ZALO_APP_SECRET"
	}
	for name, u := range map[string]string{
		"ZALO_OAUTH_URL": c.ZaloOAuthURL, "ZALO_LOGIN_URL": c.ZaloLoginURL, "ZALO_GRAPH_URL": c.ZaloGraphURL,
		"ZALO_OPENAPI_URL": c.ZaloOpenAPIURL, "ZALO_ZNS_URL": c.ZaloZNSURL, "CASSO_API_URL": c.CassoAPIURL,
	} {
		if err := c.secureURL(u); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return c, nil
}

// tls is where the TEMPORAL_TLS_* files are read into.
func (c *Config) tls() *TemporalTLS {
	if c.TemporalTLS == nil {
		c.TemporalTLS = &TemporalTLS{}
	}
	return c.TemporalTLS
}

// checkTemporalTLS keeps TemporalTLS only when TLS is asked for, by
// TEMPORAL_TLS or by any setting that needs it: an API key never crosses a
// plain connection.
func (c *Config) checkTemporalTLS() error {
	t := c.tls()
	if *t == (TemporalTLS{}) && !c.temporalTLSOn && c.TemporalAPIKey == "" {
		c.TemporalTLS = nil
		return nil
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return errors.New("TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: give both or neither")
	}
	return nil
}

// secureURL refuses plain http to anything but the loopback and the hosts
// ZALO_INSECURE_HOSTS names: tokens and keys travel to Zalo and Casso.
func (c Config) secureURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("must be https, got %q", u.Scheme)
	case host == "localhost" || slices.Contains(c.zaloInsecureHosts, host):
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("must be https (plain http only to the loopback or a host in ZALO_INSECURE_HOSTS), got %s", raw)
}

func setCount(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("not a whole number, 0 or more: %q", v)
		}
		*field(c) = n
		return nil
	}
}

func setDays(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 30 {
		return fmt.Errorf("not a whole number of days from 0 to 30: %q", v)
	}
	c.CassoReadBackDays = n
	return nil
}

func setCIDRs(c *Config, v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return fmt.Errorf("not a CIDR: %q", s)
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	return nil
}

func setSignup(c *Config, v string) error {
	if v != "open" && v != "closed" {
		return fmt.Errorf("must be open or closed, got %q", v)
	}
	c.SignupOpen = v == "open"
	return nil
}

func setMemberLink(c *Config, v string) error {
	if v != "user_id_by_app" && v != "off" {
		return fmt.Errorf("must be user_id_by_app or off, got %q", v)
	}
	c.MemberLink = v == "user_id_by_app"
	return nil
}

func setHosts(c *Config, v string) error {
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.zaloInsecureHosts = append(c.zaloInsecureHosts, h)
		}
	}
	return nil
}

func setWebhookKey(c *Config, v string) error {
	if v != "oa_secret_key" && v != "app_secret" {
		return fmt.Errorf("must be oa_secret_key or app_secret, got %q", v)
	}
	c.zaloWebhookKey = v
	return nil
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

func setURL(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("not an absolute URL")
		}
		*field(c) = strings.TrimSuffix(v, "/")
		return nil
	}
}

func setOptionalURL(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		return setURL(field)(c, v)
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("not a non-negative Go duration (e.g. 10m): %q", v)
		}
		*field(c) = d
		return nil
	}
}

func setDurationAtLeast(least time.Duration, field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < least {
			return fmt.Errorf("not a Go duration of %s or more (e.g. 72h): %q", least, v)
		}
		*field(c) = d
		return nil
	}
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		*field(c) = b
		return nil
	}
}

func setKey(c *Config, v string) error {
	if v == "" {
		return nil
	}
	key, err := parseKey(v)
	c.EncryptionKey = key
	return err
}

func setOldKeys(c *Config, v string) error {
	for i, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		key, err := parseKey(s)
		if err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
		c.OldEncryptionKeys = append(c.OldEncryptionKeys, key)
	}
	return nil
}

func parseKey(v string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("must be the base64 of exactly 32 bytes")
	}
	return key, nil
}

func setOperatorToken(c *Config, v string) error {
	if v != "" && len(v) < 32 {
		return fmt.Errorf("at least 32 characters (openssl rand -base64 32), got %d", len(v))
	}
	c.OperatorToken = v
	return nil
}

func setLevel(c *Config, v string) error {
	return c.LogLevel.UnmarshalText([]byte(v))
}

func setFormat(c *Config, v string) error {
	if v != "json" && v != "text" {
		return fmt.Errorf("must be json or text, got %q", v)
	}
	c.LogFormat = v
	return nil
}

func setRoutes(c *Config, v string) error {
	c.Routes.Order = nil
	for _, s := range strings.Split(v, ",") {
		rt, err := route.Parse(s)
		if err != nil {
			return err
		}
		if slices.Contains(c.Routes.Order, rt) {
			return fmt.Errorf("route %s twice", rt)
		}
		c.Routes.Order = append(c.Routes.Order, rt)
	}
	return nil
}

func setNightRoutes(c *Config, v string) error {
	c.Routes.NightRoutes = nil
	if strings.TrimSpace(v) == "none" {
		return nil
	}
	for _, s := range strings.Split(v, ",") {
		rt, err := route.Parse(s)
		if err != nil {
			return err
		}
		c.Routes.NightRoutes = append(c.Routes.NightRoutes, rt)
	}
	return nil
}

// setNight reads "HH:MM-HH:MM", or off.
func setNight(c *Config, v string) error {
	if strings.TrimSpace(v) == "off" {
		c.Routes.Night = route.Window{}
		return nil
	}
	w, err := route.ParseWindow(v)
	c.Routes.Night = w
	return err
}

func setPrice(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("not a whole number of đồng, 0 or more: %q", v)
	}
	c.CSPrice = n
	return nil
}

func setRate(c *Config, v string) error {
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 {
		return fmt.Errorf("not a number, 0 or more: %q", v)
	}
	c.SendRate = r
	return nil
}
