// Package zalo speaks Zalo's APIs: login with Zalo (OAuth v4 + PKCE, Graph
// /me), the OA API (messages, users, token refresh), OA webhooks, and
// Zalo's error codes sorted into what a caller must do. Base URLs are
// configuration, so the same client talks to Zalo or to the local sandbox.
package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Config holds the base URLs and app credentials.
type Config struct {
	OAuthURL string // e.g. https://oauth.zaloapp.com
	// LoginURL is where browsers open the login page, when they reach
	// the OAuth host at another address than the service does (a sandbox
	// in docker-compose); "" means OAuthURL.
	LoginURL   string
	GraphURL   string // e.g. https://graph.zalo.me
	OpenAPIURL string // e.g. https://openapi.zalo.me
	// ZNSURL is the ZNS host (DefaultZNSURL at Zalo); "" makes SendZNS
	// refuse without calling anyone.
	ZNSURL    string
	AppID     string
	AppSecret string
	// HTTPClient makes every call; nil: a client with a 10 s timeout.
	HTTPClient *http.Client
	// TokenTimeout bounds the OAuth token calls (ExchangeCode,
	// RefreshOAToken) instead of HTTPClient's timeout: a refresh whose
	// answer is lost is in doubt and costly, so it gets longer. 0: 30 s.
	TokenTimeout time.Duration
}

// DefaultZNSURL is Zalo's ZNS host.
const DefaultZNSURL = "https://business.openapi.zalo.me"

// Client calls Zalo. It is safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	token *http.Client // http with TokenTimeout, for the OAuth token calls
}

// NewClient returns a client for cfg.
func NewClient(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		// Net/http keeps two idle connections per host by default: a worker
		// sending hundreds of messages at once to one Zalo host would open
		// (and close) a connection for nearly every call.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
		hc = &http.Client{Timeout: 10 * time.Second, Transport: t}
	}
	if cfg.TokenTimeout <= 0 {
		cfg.TokenTimeout = 30 * time.Second
	}
	tc := *hc
	tc.Timeout = cfg.TokenTimeout
	cfg.OAuthURL = strings.TrimSuffix(cfg.OAuthURL, "/")
	cfg.LoginURL = strings.TrimSuffix(cfg.LoginURL, "/")
	if cfg.LoginURL == "" {
		cfg.LoginURL = cfg.OAuthURL
	}
	cfg.GraphURL = strings.TrimSuffix(cfg.GraphURL, "/")
	cfg.OpenAPIURL = strings.TrimSuffix(cfg.OpenAPIURL, "/")
	cfg.ZNSURL = strings.TrimSuffix(cfg.ZNSURL, "/")
	return &Client{cfg: cfg, http: hc, token: &tc}
}

// MaxTextRunes is Zalo's limit on a customer-service text.
const MaxTextRunes = 2000

// SendResult is Zalo's answer to an accepted message.
type SendResult struct {
	MessageID string `json:"message_id"`
	UserID    string `json:"user_id"`
}

// SendText sends a customer-service text to an OA-scoped user id.
func (c *Client) SendText(ctx context.Context, accessToken, userID, text string) (SendResult, error) {
	switch {
	case userID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty recipient user id"}
	case text == "" || utf8.RuneCountInString(text) > MaxTextRunes:
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: fmt.Sprintf("text must be 1 to %d characters", MaxTextRunes)}
	}
	body := map[string]any{
		"recipient": map[string]string{"user_id": userID},
		"message":   map[string]string{"text": text},
	}
	var res SendResult
	err := c.postOA(ctx, "/v3.0/oa/message/cs", accessToken, body, &res)
	return res, err
}

// envelope is the shape of every OA API answer; do has already turned a
// non-zero "error" into an *Error.
type envelope struct {
	Data json.RawMessage `json:"data"`
}

// postOA posts JSON to the OA API and decodes data into out. The token
// travels in the access_token header and never appears in an error.
func (c *Client) postOA(ctx context.Context, path, accessToken string, body, out any) error {
	return c.post(ctx, c.cfg.OpenAPIURL, path, accessToken, body, out)
}

// post posts JSON to base+path with the OA token, as postOA.
func (c *Client) post(ctx context.Context, base, path, accessToken string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.callOA(req, path, accessToken, out)
}

// getOA calls an OA API read whose parameters travel as ?data=<JSON>.
func (c *Client) getOA(ctx context.Context, path, accessToken string, params, out any) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	u := c.cfg.OpenAPIURL + path + "?data=" + url.QueryEscape(string(b))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return c.callOA(req, path, accessToken, out)
}

func (c *Client) callOA(req *http.Request, path, accessToken string, out any) error {
	req.Header.Set("access_token", accessToken)
	var env envelope
	if err := c.do(c.http, req, path, &env); err != nil {
		return err
	}
	if out != nil && len(env.Data) > 0 {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return unreadable(path, http.StatusOK, req.Method != http.MethodGet)
		}
	}
	return nil
}

// scrub drops the URL from a transport error: it may carry parameters
// that do not belong in logs.
func scrub(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
