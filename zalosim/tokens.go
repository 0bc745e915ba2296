package zalosim

import (
	"fmt"
	"net/http"
	"time"
)

// Zalo's OAuth error codes as the sandbox answers them. Zalo documents
// few of them; these are plausible and stable, and clients need only know
// that -14014 means "authorize again" and the rest "do not retry".
const (
	codeInvalidRequest      = -14003 // a field is missing or wrong: a redirect_uri not the console's among them
	codeInvalidRefreshToken = -14014
	codeInvalidApp          = -14016 // unknown app_id or wrong secret_key
	codeInvalidCode         = -14019 // unknown, used or expired authorization code
	codeInvalidVerifier     = -14021 // S256(code_verifier) is not the code's challenge
)

// refreshTTL is how long an OA refresh token lives at Zalo.
const refreshTTL = 90 * 24 * time.Hour

type refreshToken struct {
	spent   bool
	expires time.Time
}

// oaTokens is the OA's token state. Refresh tokens are single use; as at
// Zalo, reusing a spent one revokes every token of the OA, which stays
// broken until its admin consents again: the product must never refresh
// twice.
type oaTokens struct {
	access         map[string]time.Time // access token → expiry
	refresh        map[string]refreshToken
	currentAccess  string
	currentRefresh string
	refreshes      int
	revoked        bool // a spent refresh token was reused
}

func newOATokens(access, refresh string, now time.Time, ttl time.Duration) oaTokens {
	t := oaTokens{access: map[string]time.Time{}, refresh: map[string]refreshToken{}}
	if access != "" {
		t.access[access] = now.Add(ttl)
		t.currentAccess = access
	}
	if refresh != "" {
		t.refresh[refresh] = refreshToken{expires: now.Add(refreshTTL)}
		t.currentRefresh = refresh
	}
	return t
}

// validOAToken tells whether token may call the OA API now. Expired,
// revoked and unknown tokens all answer -216: DESIGN.md's sandbox contract
// says "expired tokens -216", and the client treats -216 and -220 alike.
func (s *Sim) validOAToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens.access[token]
	return ok && !s.tokens.revoked && s.cfg.Now().Before(exp)
}

// refreshOA is POST /v4/oa/access_token's grant_type=refresh_token.
func (s *Sim) refreshOA(w http.ResponseWriter, r *http.Request) {
	old := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	rt, known := s.tokens.refresh[old]
	if rt.spent && !s.tokens.revoked {
		s.tokens.revoked = true
		s.tokens.currentAccess, s.tokens.currentRefresh = "", ""
	}
	if !known || rt.spent || s.tokens.revoked || !now.Before(rt.expires) {
		oauthError(w, codeInvalidRefreshToken, "Invalid refresh token")
		return
	}
	access, refresh := s.token("oa-access"), s.token("oa-refresh")
	s.tokens.refresh[old] = refreshToken{spent: true, expires: rt.expires}
	s.tokens.refresh[refresh] = refreshToken{expires: now.Add(refreshTTL)}
	// The old access token stays valid until its own expiry, as at Zalo.
	s.tokens.access[access] = now.Add(s.cfg.AccessTokenTTL)
	s.tokens.currentAccess, s.tokens.currentRefresh = access, refresh
	s.tokens.refreshes++
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": access, "refresh_token": refresh,
		"expires_in": expiresIn(s.cfg.AccessTokenTTL),
	})
}

// appAuthorized checks the secret_key header and app_id form field that
// every OAuth token call carries.
func (s *Sim) appAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		oauthError(w, codeInvalidRequest, "Invalid request")
		return false
	}
	if r.PostForm.Get("app_id") != s.cfg.AppID || r.Header.Get("secret_key") != s.cfg.AppSecret {
		oauthError(w, codeInvalidApp, "Invalid app_id or secret_key")
		return false
	}
	return true
}

// token makes a random token; the caller holds s.mu.
func (s *Sim) token(kind string) string {
	return fmt.Sprintf("%s-%016x%016x", kind, s.rnd.Uint64(), s.rnd.Uint64())
}

// oauthError answers like Zalo's OAuth server: HTTP 200, error fields.
func oauthError(w http.ResponseWriter, code int, name string) {
	writeJSON(w, http.StatusOK, map[string]any{"error": code, "error_name": name, "error_description": name})
}

// RefreshCount is how many OA token refreshes succeeded.
func (s *Sim) RefreshCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.refreshes
}

// RevokedByReuse tells whether a spent refresh token was ever reused,
// which broke the OA until it is authorized again.
func (s *Sim) RevokedByReuse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.revoked
}

// OATokens returns the OA's current token pair: the one the last refresh
// issued, else the configured one; both are empty once reuse revoked them.
// The access token may have expired.
func (s *Sim) OATokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.currentAccess, s.tokens.currentRefresh
}
