package zalo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// NewPKCE returns a PKCE verifier (base64url of 32 random bytes, 43
// characters) and its S256 challenge.
func NewPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, PKCEChallenge(verifier)
}

// PKCEChallenge is base64url(SHA-256(verifier)), without padding.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthorizeURL is where a browser goes to "log in with Zalo".
func (c *Client) AuthorizeURL(redirectURI, codeChallenge, state string) string {
	q := url.Values{
		"app_id":         {c.cfg.AppID},
		"redirect_uri":   {redirectURI},
		"code_challenge": {codeChallenge},
		"state":          {state},
	}
	return c.cfg.LoginURL + "/v4/permission?" + q.Encode()
}

// UserToken is a Zalo user's token pair; used once for /me, never stored.
type UserToken struct {
	AccessToken, RefreshToken string
	ExpiresIn                 time.Duration
}

// ExchangeCode trades an authorization code and its PKCE verifier for the
// user's tokens.
func (c *Client) ExchangeCode(ctx context.Context, code, codeVerifier string) (UserToken, error) {
	tok, err := c.postToken(ctx, "/v4/access_token", url.Values{
		"code": {code}, "app_id": {c.cfg.AppID}, "grant_type": {"authorization_code"}, "code_verifier": {codeVerifier},
	})
	return UserToken(tok), err
}

// Identify completes a login: it trades the code and its PKCE verifier for
// the user's token, reads who logged in with it, and drops the token.
func (c *Client) Identify(ctx context.Context, code, codeVerifier string) (Me, error) {
	tok, err := c.ExchangeCode(ctx, code, codeVerifier)
	if err != nil {
		return Me{}, err
	}
	return c.Me(ctx, tok.AccessToken)
}

// OAToken is the OA's token pair. Refresh tokens are single use.
type OAToken struct {
	AccessToken, RefreshToken string
	ExpiresIn                 time.Duration
}

// RefreshOAToken trades the OA's refresh token for a new pair; the old
// refresh token stops working. Call it from one place only: reusing a
// spent refresh token answers CodeInvalidRefreshToken (ClassAuth) and
// revokes the OA's tokens until an operator authorizes the OA again.
func (c *Client) RefreshOAToken(ctx context.Context, refreshToken string) (OAToken, error) {
	tok, err := c.postToken(ctx, "/v4/oa/access_token", url.Values{
		"refresh_token": {refreshToken}, "app_id": {c.cfg.AppID}, "grant_type": {"refresh_token"},
	})
	if err == nil && tok.RefreshToken == "" {
		// The old refresh token is spent; a pair without its successor
		// cannot be kept alive, so do not pretend it was a success.
		return OAToken{}, &Error{Code: CodeUnknown, Message: "token answer without refresh_token"}
	}
	return tok, err
}

// ExchangeOACode trades the code of an OA admin's consent (the link Zalo's
// console generated, ZALO.md §5) and the one code verifier whose challenge
// the console holds for the OA's pair.
func (c *Client) ExchangeOACode(ctx context.Context, code, codeVerifier string) (OAToken, error) {
	tok, err := c.postToken(ctx, "/v4/oa/access_token", url.Values{
		"code": {code}, "app_id": {c.cfg.AppID}, "grant_type": {"authorization_code"}, "code_verifier": {codeVerifier},
	})
	if err == nil && tok.RefreshToken == "" {
		return OAToken{}, &Error{Code: CodeUnknown, Message: "token answer without refresh_token"}
	}
	return tok, err
}

// tokenAnswer is Zalo's token response; expires_in is a string in Zalo's
// docs and a number in some answers.
type tokenAnswer struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    flexInt `json:"expires_in"`
}

func (c *Client) postToken(ctx context.Context, path string, form url.Values) (OAToken, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.OAuthURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return OAToken{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", c.cfg.AppSecret)
	var ans tokenAnswer
	if err := c.do(c.token, req, path, &ans); err != nil {
		return OAToken{}, err
	}
	if ans.AccessToken == "" {
		return OAToken{}, &Error{Code: CodeUnknown, Message: "token answer without access_token"}
	}
	if ans.ExpiresIn <= 0 {
		return OAToken{}, &Error{Code: CodeUnknown, Message: "token answer without a positive expires_in"}
	}
	return OAToken{AccessToken: ans.AccessToken, RefreshToken: ans.RefreshToken, ExpiresIn: time.Duration(ans.ExpiresIn) * time.Second}, nil
}

// Me is a Zalo user as the Graph API describes them; ID is app-scoped.
type Me struct {
	ID, Name, PictureURL string
}

// Me reads the logged-in user's id and name.
func (c *Client) Me(ctx context.Context, userAccessToken string) (Me, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.GraphURL+"/v2.0/me?fields=id,name,picture", nil)
	if err != nil {
		return Me{}, err
	}
	req.Header.Set("access_token", userAccessToken)
	req.Header.Set("appsecret_proof", AppSecretProof(c.cfg.AppSecret, userAccessToken))
	var ans struct {
		ID      flexID `json:"id"`
		Name    string `json:"name"`
		Picture struct {
			Data struct {
				URL string `json:"url"`
			} `json:"data"`
		} `json:"picture"`
	}
	if err := c.do(c.http, req, "/v2.0/me", &ans); err != nil {
		return Me{}, err
	}
	if ans.ID == "" {
		return Me{}, &Error{Code: CodeUnknown, Message: "/me answer without an id"}
	}
	return Me{ID: string(ans.ID), Name: ans.Name, PictureURL: ans.Picture.Data.URL}, nil
}

// AppSecretProof is hex(HMAC-SHA256(key=app secret, msg=access token)).
func AppSecretProof(appSecret, accessToken string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(accessToken))
	return hex.EncodeToString(m.Sum(nil))
}

// do sends req with hc and decodes a JSON answer into out. Zalo refuses
// with a non-zero "error" in the body whatever the HTTP status, so that
// becomes an *Error here, once for every API; a 5xx or 429 without one is
// a transport error (retryable), never a success. A POST that was written
// whole and then got no answer is a transport error marked Sent (in doubt).
func (c *Client) do(hc *http.Client, req *http.Request, op string, out any) error {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	changes := req.Method != http.MethodGet && req.Method != http.MethodHead
	res, err := hc.Do(req)
	if err != nil {
		return &TransportError{Op: op, Sent: changes && wrote.Load(), Err: scrub(err)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		// The status line came but the answer did not: as good as none.
		return &TransportError{Op: op, Sent: changes, Err: err}
	}
	var refusal struct {
		Error     int    `json:"error"`
		Message   string `json:"message"`
		ErrorName string `json:"error_name"`
		ErrorDesc string `json:"error_description"`
	}
	jerr := json.Unmarshal(raw, &refusal)
	if jerr == nil && refusal.Error != 0 {
		msg := firstNonEmpty(refusal.ErrorName, refusal.ErrorDesc, refusal.Message)
		return &Error{Code: refusal.Error, Message: msg, HTTPStatus: res.StatusCode}
	}
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		return &TransportError{Op: op, Status: res.StatusCode}
	case res.StatusCode >= 500:
		// No Zalo body: a proxy's answer. What it says of Zalo's own work
		// is nothing; a change may have been made.
		return &TransportError{Op: op, Status: res.StatusCode, Sent: changes}
	}
	if jerr == nil {
		jerr = json.Unmarshal(raw, out)
	}
	if jerr != nil {
		return unreadable(op, res.StatusCode, changes)
	}
	return nil
}

// unreadable is an answer that is not Zalo's JSON. A change whose 2xx
// answer cannot be read may have been made: it is in doubt, not refused.
func unreadable(op string, status int, changes bool) error {
	if changes && status < 300 {
		return &TransportError{Op: op, Status: status, Sent: true, Err: errUnreadable}
	}
	return &Error{Code: CodeUnknown, Message: fmt.Sprintf("unreadable answer (HTTP %d)", status), HTTPStatus: status}
}

var errUnreadable = errors.New("unreadable answer")

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
