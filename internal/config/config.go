// Package config reads the product's settings from the environment, once,
// at start-up. Every variable is listed in vars with its default and meaning;
// the README's configuration table is checked against that list by a test.
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
)

// Config is every setting of the product's processes. The harness
// (tingting-dev) reads a few of its own besides.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TemporalUIOrigin  string
	HTTPAddr          string
	MetricsAddr       string
	DebugAddr         string
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
	// ZaloWebhookSecret is the key webhook signatures are checked with:
	// ZaloOASecretKey or ZaloAppSecret, as ZALO_WEBHOOK_KEY says.
	ZaloWebhookSecret string
	// ZaloWebhookSecretVar names the variable it comes from.
	ZaloWebhookSecretVar string
	zaloWebhookKey       string
	ZaloWebhookMaxAge    time.Duration
	zaloInsecureHosts    []string

	EncryptionKey        []byte
	CassoSignatureMaxAge time.Duration
	CassoAPIURL          string
	CassoReadBackEvery   time.Duration
	CassoReadBackDays    int
	InDoubtCheck         bool
	InDoubtWait          time.Duration

	// Routes is how a recipient is reached (ZALO_ROUTES, the windows, the
	// night); TransactionTemplate and ZNSParams shape those messages.
	Routes              route.Policy
	TransactionTemplate string
	ZNSParams           map[message.Field]string
	SendRate            float64

	PublicRateLimit      int
	TrustedProxies       []*net.IPNet
	RetainWebhookBodies  time.Duration
	RetainOAuthLogins    time.Duration
	RetainInviteFailures time.Duration

	LogLevel  slog.Level
	LogFormat string
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
		"PostgreSQL connection URL; each process keeps up to 16 connections unless it sets `pool_max_conns`. `dev` creates the database if it is missing.", setURL(func(c *Config) *string { return &c.DatabaseURL })},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port.", setString(func(c *Config) *string { return &c.TemporalAddress })},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace.", setString(func(c *Config) *string { return &c.TemporalNamespace })},
	{"TEMPORAL_UI_ORIGIN", "http://127.0.0.1:8233", "The Temporal web UI's origin, allowed to call the codec endpoint (/codec/*) with its cookie.", setString(func(c *Config) *string { return &c.TemporalUIOrigin })},
	{"HTTP_ADDR", ":8080", "Where the API listens.", setString(func(c *Config) *string { return &c.HTTPAddr })},
	{"METRICS_ADDR", ":9091", "Where the API and the worker serve Prometheus metrics (/metrics); never on the API's public address. Keep it private.", setString(func(c *Config) *string { return &c.MetricsAddr })},
	{"DEBUG_ADDR", "", "Where the API and the worker serve Go's profiles (/debug/pprof/); empty turns them off. Keep it private.", setString(func(c *Config) *string { return &c.DebugAddr })},
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
	{"ZALO_WEBHOOK_KEY", "oa_secret_key", "Which secret signs the OA's webhooks: oa_secret_key or app_secret (Zalo's docs disagree).", setWebhookKey},
	{"ZALO_WEBHOOK_MAX_AGE", "24h", "How old a Zalo webhook's timestamp may be (Zalo redelivers for hours); older ones are refused as replays. 0: no limit.", setDuration(func(c *Config) *time.Duration { return &c.ZaloWebhookMaxAge })},
	{"ZALO_INSECURE_HOSTS", "", "Hosts the ZALO_*_URL settings and CASSO_API_URL may reach over plain http besides the loopback (comma-separated; docker-compose's sandbox). Everything else must be https.", setHosts},
	{"TINGTING_ENCRYPTION_KEY", "", "Base64 of 32 random bytes; seals stored secrets and every payload in Temporal (`dev` makes one). Keep it: what was sealed needs it.", setKey},
	{"CASSO_SIGNATURE_MAX_AGE", "10m", "How old a Casso v2 signature's timestamp may be; 0 turns the check off.", setDuration(func(c *Config) *time.Duration { return &c.CassoSignatureMaxAge })},
	{"CASSO_API_URL", "https://oauth.casso.vn", "Casso's API, where read-back reads the sources' transactions (the sandbox in `dev`); plain http only to the loopback or a host in ZALO_INSECURE_HOSTS.", setURL(func(c *Config) *string { return &c.CassoAPIURL })},
	{"CASSO_READ_BACK_EVERY", "15m", "How often the sources holding a Casso API key are read back, to record what their webhooks missed; 0 turns it off.", setDuration(func(c *Config) *time.Duration { return &c.CassoReadBackEvery })},
	{"CASSO_READ_BACK_DAYS", "3", "How many days before today each read-back reads (and today).", setDays},
	{"ZALO_IN_DOUBT_CHECK", "true", "Before sending again a message whose answer was lost, look for it in the recipient's conversation (false: send again).", setBool(func(c *Config) *bool { return &c.InDoubtCheck })},
	{"ZALO_IN_DOUBT_WAIT", "30s", "How long after a lost answer to look for the message, so that one Zalo was still delivering has arrived.", setDuration(func(c *Config) *time.Duration { return &c.InDoubtWait })},
	{"ZALO_ROUTES", "cs,transaction,zns", "The routes tried for each recipient, best first: cs (chat; free within its window), transaction (a transaction message; followers, not at night), zns (paid; needs the integration's ZNS template).", setRoutes},
	{"ZALO_CS_WINDOW", "48h", "Chat (cs) goes to a recipient who interacted with the OA this recently: free within 48 h since 2026 (Zalo refuses it after 7 days and charges it after 48 h).", setDuration(func(c *Config) *time.Duration { return &c.Routes.CSWindow })},
	{"ZALO_TRANSACTION_WINDOW", "8760h", "Transaction messages go to a follower whose last known interaction is this recent (reported: a year).", setDuration(func(c *Config) *time.Duration { return &c.Routes.TransactionWindow })},
	{"ZALO_NIGHT", "22:00-06:00", "When Zalo refuses the night routes, Vietnam time (-234); alerts they would carry are held to its end and sent as one morning message. off: no night.", setNight},
	{"ZALO_NIGHT_ROUTES", "transaction", "The routes Zalo refuses at night (comma-separated; none: no route).", setNightRoutes},
	{"ZALO_TRANSACTION_TEMPLATE", "transaction_transaction", "The transaction message's template_type.", setString(func(c *Config) *string { return &c.TransactionTemplate })},
	{"ZALO_ZNS_PARAMS", "", "The ZNS template's parameter for each field, e.g. amount=so_tien,time=thoi_gian (a field not named goes under its own name: amount, time, account, sub_account, description, payment_code, balance, reference, counter_account).", setZNSParams},
	{"ZALO_SEND_RATE", "60", "Messages a second the OA sends at most, every worker together (Zalo allows about 4,000 calls a minute; -32 beyond). 0: no limit.", setRate},
	{"PUBLIC_RATE_LIMIT", "1200", "Requests a minute one client address may make to the routes without an API key (the Casso and Zalo webhooks, the OAuth callback); 429 with Retry-After beyond. 0: no limit.", setCount(func(c *Config) *int { return &c.PublicRateLimit })},
	{"TRUSTED_PROXIES", "", "Comma-separated CIDRs of the reverse proxies in front of the API, whose X-Forwarded-For is believed; empty: the client is the connection's peer.", setCIDRs},
	{"RETAIN_WEBHOOK_BODIES", "720h", "How long raw Zalo and Casso webhook bodies are kept (what was parsed from them stays); 0 keeps them.", setDuration(func(c *Config) *time.Duration { return &c.RetainWebhookBodies })},
	{"RETAIN_OAUTH_LOGINS", "24h", "How long finished or abandoned Zalo logins (state, sealed PKCE verifier) are kept; 0 keeps them.", setDuration(func(c *Config) *time.Duration { return &c.RetainOAuthLogins })},
	{"RETAIN_INVITE_FAILURES", "168h", "How long the invite guard's log of invalid codes is kept; 0 keeps it.", setDuration(func(c *Config) *time.Duration { return &c.RetainInviteFailures })},
	{"LOG_LEVEL", "info", "debug, info, warn or error.", setLevel},
	{"LOG_FORMAT", "json", "json or text.", setFormat},
}

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
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != 32 {
		return fmt.Errorf("must be the base64 of exactly 32 bytes")
	}
	c.EncryptionKey = key
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

// setNight reads "HH:MM-HH:MM".
func setNight(c *Config, v string) error {
	if strings.TrimSpace(v) == "off" {
		c.Routes.NightStart, c.Routes.NightEnd = 0, 0
		return nil
	}
	from, to, ok := strings.Cut(v, "-")
	start, err1 := clock(from)
	end, err2 := clock(to)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("not HH:MM-HH:MM (or with seconds): %q", v)
	}
	c.Routes.NightStart, c.Routes.NightEnd = start, end
	return nil
}

// clock reads a time of day, HH:MM or HH:MM:SS.
func clock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("15:04", s)
	if err != nil {
		t, err = time.Parse("15:04:05", s)
	}
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
}

func setZNSParams(c *Config, v string) error {
	c.ZNSParams = map[message.Field]string{}
	for _, pair := range strings.Split(v, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		field, param, ok := strings.Cut(pair, "=")
		f := message.Field(strings.TrimSpace(field))
		if _, err := message.ParseFields([]string{string(f)}); !ok || err != nil || strings.TrimSpace(param) == "" {
			return fmt.Errorf("not field=param with a field of amount, time, account, sub_account, description, payment_code, balance, reference, counter_account: %q", pair)
		}
		c.ZNSParams[f] = strings.TrimSpace(param)
	}
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
