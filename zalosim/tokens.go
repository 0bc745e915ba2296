package zalosim

import (
	"fmt"
	"net/http"
	"time"
)

// Zalo's OAuth error codes the sandbox answers with.
const (
	codeInvalidApp          = -14001
	codeInvalidRefreshToken = -14014
	codeInvalidCode         = -14019
	codeInvalidVerifier     = -14021
	codeInvalidSecret       = -14022
)

// oaTokens is the OA's token state. Refresh tokens are single use, and,
// like Zalo, reusing a spent one revokes the current pair.
type oaTokens struct {
	access    map[string]time.Time // access token → expiry
	refresh   map[string]bool      // refresh token → spent
	current   string               // the refresh token now valid
	refreshes int
	revoked   bool // a spent refresh token was reused
}

func newOATokens(access, refresh string, expires time.Time) oaTokens {
	t := oaTokens{access: map[string]time.Time{}, refresh: map[string]bool{}}
	if access != "" {
		t.access[access] = expires
	}
	if refresh != "" {
		t.refresh[refresh] = false
		t.current = refresh
	}
	return t
}

// validOAToken tells whether token may call the OA API now. Expired and
// unknown tokens both answer -216, as Zalo documents for invalid tokens.
func (s *Sim) validOAToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens.access[token]
	return ok && !s.tokens.revoked && s.cfg.Now().Before(exp)
}

// refreshOA is POST /v4/oa/access_token.
func (s *Sim) refreshOA(w http.ResponseWriter, r *http.Request) {
	if !s.appAuthorized(w, r) {
		return
	}
	if r.PostForm.Get("grant_type") != "refresh_token" {
		oauthError(w, codeInvalidRefreshToken, "Invalid grant_type")
		return
	}
	old := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	spent, known := s.tokens.refresh[old]
	switch {
	case !known || s.tokens.revoked:
		oauthError(w, codeInvalidRefreshToken, "Invalid refresh token")
		return
	case spent:
		s.tokens.revoked = true
		oauthError(w, codeInvalidRefreshToken, "Invalid refresh token")
		return
	}
	access, refresh := s.token("oa-access"), s.token("oa-refresh")
	s.tokens.refresh[old] = true
	s.tokens.refresh[refresh] = false
	s.tokens.current = refresh
	s.tokens.access[access] = s.cfg.Now().Add(s.cfg.AccessTokenTTL)
	s.tokens.refreshes++
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": access, "refresh_token": refresh,
		"expires_in": fmt.Sprint(int(s.cfg.AccessTokenTTL.Seconds())),
	})
}

// appAuthorized checks the secret_key header and app_id form field that
// every OAuth token call carries.
func (s *Sim) appAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		oauthError(w, codeInvalidApp, "Invalid request")
		return false
	}
	if r.PostForm.Get("app_id") != s.cfg.AppID {
		oauthError(w, codeInvalidApp, "Invalid app_id")
		return false
	}
	if r.Header.Get("secret_key") != s.cfg.AppSecret {
		oauthError(w, codeInvalidSecret, "Invalid secret_key")
		return false
	}
	return true
}

// token makes a random token; the caller holds s.mu.
func (s *Sim) token(kind string) string {
	return fmt.Sprintf("%s-%016x%016x", kind, s.rnd.Uint64(), s.rnd.Uint64())
}

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
// which breaks the OA until it is authorized again.
func (s *Sim) RevokedByReuse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.revoked
}

// OATokens returns the OA's current access and refresh tokens.
func (s *Sim) OATokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var newest time.Time
	for tok, exp := range s.tokens.access {
		if exp.After(newest) {
			access, newest = tok, exp
		}
	}
	return access, s.tokens.current
}
