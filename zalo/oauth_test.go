package zalo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

const (
	appID     = "4321"
	appSecret = "app-secret"
)

type oauthWorld struct {
	sim    *zalosim.Sim
	url    string
	client *zalo.Client
	clock  *atomic.Int64
}

func newOAuthWorld(t *testing.T) oauthWorld {
	clock := &atomic.Int64{}
	sim := zalosim.New(zalosim.Config{
		AppID: appID, AppSecret: appSecret, OAAccessToken: "a0", OARefreshToken: "r0",
		Now: func() time.Time { return time.Now().Add(time.Duration(clock.Load())) },
	})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := zalo.NewClient(zalo.Config{OAuthURL: srv.URL, GraphURL: srv.URL, OpenAPIURL: srv.URL, AppID: appID, AppSecret: appSecret})
	return oauthWorld{sim: sim, url: srv.URL, client: c, clock: clock}
}

// authorize walks the sandbox's consent page for a user and returns the
// code and state from the redirect, as the browser would carry them back.
func (w oauthWorld) authorize(t *testing.T, user zalosim.User, challenge, state string) (code, gotState string) {
	t.Helper()
	u := w.client.AuthorizeURL("http://127.0.0.1:1/callback", challenge, state) + "&sandbox_user=" + user.AppUserID
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(u)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "/callback", loc.Path)
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestLoginWithZalo(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	ctx := context.Background()
	lan := w.sim.CreateUser("Lan", true)

	verifier, challenge := zalo.NewPKCE()
	require.Len(t, verifier, 43)
	code, state := w.authorize(t, lan, challenge, "st-1")
	require.Equal(t, "st-1", state)

	tok, err := w.client.ExchangeCode(ctx, code, verifier)
	require.NoError(t, err)
	me, err := w.client.Me(ctx, tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, zalo.Me{ID: lan.AppUserID, Name: "Lan", PictureURL: me.PictureURL}, me)

	_, err = w.client.ExchangeCode(ctx, code, verifier)
	requireCode(t, err, -14019, "a code is single use")

	t.Run("wrong verifier", func(t *testing.T) {
		_, challenge := zalo.NewPKCE()
		code, _ := w.authorize(t, lan, challenge, "s")
		other, _ := zalo.NewPKCE()
		_, err := w.client.ExchangeCode(ctx, code, other)
		requireCode(t, err, -14021, "PKCE: S256(verifier) must be the challenge")
		require.NotContains(t, err.Error(), other)
		require.NotContains(t, err.Error(), code)
	})
	t.Run("expired code", func(t *testing.T) {
		verifier, challenge := zalo.NewPKCE()
		code, _ := w.authorize(t, lan, challenge, "s")
		w.clock.Add(int64(11 * time.Minute))
		defer w.clock.Add(-int64(11 * time.Minute))
		_, err := w.client.ExchangeCode(ctx, code, verifier)
		requireCode(t, err, -14019, "codes live 10 minutes")
	})
	t.Run("wrong app secret", func(t *testing.T) {
		verifier, challenge := zalo.NewPKCE()
		code, _ := w.authorize(t, lan, challenge, "s")
		bad := zalo.NewClient(zalo.Config{OAuthURL: w.url, AppID: appID, AppSecret: "not-the-secret"})
		_, err := bad.ExchangeCode(ctx, code, verifier)
		requireCode(t, err, -14016, "secret_key is checked")
		require.NotContains(t, err.Error(), "not-the-secret")
	})
	t.Run("a wrong app secret proof is refused", func(t *testing.T) {
		bad := zalo.NewClient(zalo.Config{GraphURL: w.url, AppID: appID, AppSecret: "not-the-secret"})
		_, err := bad.Me(ctx, tok.AccessToken)
		require.Error(t, err)
		require.Equal(t, zalo.ClassPermanent, zalo.Classify(err))
		require.NotContains(t, err.Error(), tok.AccessToken)
	})
	t.Run("user tokens expire after an hour", func(t *testing.T) {
		w.clock.Add(int64(61 * time.Minute))
		defer w.clock.Add(-int64(61 * time.Minute))
		_, err := w.client.Me(ctx, tok.AccessToken)
		require.Error(t, err)
	})
}

// requireCode asserts err is Zalo's refusal with code; every OAuth refusal
// but -14014 is permanent.
func requireCode(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var zerr *zalo.Error
	require.ErrorAs(t, err, &zerr, msg)
	require.Equal(t, code, zerr.Code, msg)
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(err), msg)
}

func TestOATokenRefreshIsSingleUse(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	ctx := context.Background()
	u := w.sim.CreateUser("Minh", true)

	next, err := w.client.RefreshOAToken(ctx, "r0")
	require.NoError(t, err)
	require.Equal(t, 25*time.Hour, next.ExpiresIn)
	require.Equal(t, 1, w.sim.RefreshCount())
	access, refresh := w.sim.OATokens()
	require.Equal(t, [2]string{next.AccessToken, next.RefreshToken}, [2]string{access, refresh})
	_, err = w.client.SendText(ctx, next.AccessToken, u.OAUserID, "hi")
	require.NoError(t, err)
	_, err = w.client.SendText(ctx, "a0", u.OAUserID, "hi")
	require.NoError(t, err, "the old access token lives until its own expiry")
	require.False(t, w.sim.RevokedByReuse())

	_, err = w.client.RefreshOAToken(ctx, "r0")
	var zerr *zalo.Error
	require.ErrorAs(t, err, &zerr)
	require.Equal(t, zalo.CodeInvalidRefreshToken, zerr.Code)
	require.Equal(t, zalo.ClassAuth, zalo.Classify(err), "reusing a refresh token: %v", err)
	require.False(t, zalo.Classify(err).Retryable())
	require.NotContains(t, err.Error(), "r0")
	require.True(t, w.sim.RevokedByReuse())
	require.Equal(t, 1, w.sim.RefreshCount())

	// The OA is broken until authorized again: the current pair is revoked.
	_, err = w.client.SendText(ctx, next.AccessToken, u.OAUserID, "hi")
	require.Equal(t, zalo.ClassToken, zalo.Classify(err), "reuse revokes the current access token")
	_, err = w.client.RefreshOAToken(ctx, next.RefreshToken)
	require.Equal(t, zalo.ClassAuth, zalo.Classify(err), "and the current refresh token")
	access, refresh = w.sim.OATokens()
	require.Empty(t, access+refresh)
}

func TestExpiredAccessTokenIsATokenError(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	ctx := context.Background()
	u := w.sim.CreateUser("Hoa", true)
	w.clock.Store(int64(25*time.Hour + time.Second))
	_, err := w.client.SendText(ctx, "a0", u.OAUserID, "hi")
	require.Equal(t, zalo.ClassToken, zalo.Classify(err))

	next, err := w.client.RefreshOAToken(ctx, "r0")
	require.NoError(t, err, "an expired access token does not stop a refresh")
	_, err = w.client.SendText(ctx, next.AccessToken, u.OAUserID, "hi")
	require.NoError(t, err)
}

func TestTinyTokenTTL(t *testing.T) {
	t.Parallel()
	sim := zalosim.New(zalosim.Config{OAAccessToken: "a0", OARefreshToken: "r0", AccessTokenTTL: time.Millisecond})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	u := sim.CreateUser("Lan", true)
	time.Sleep(5 * time.Millisecond)
	_, err := zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL}).SendText(context.Background(), "a0", u.OAUserID, "hi")
	var zerr *zalo.Error
	require.ErrorAs(t, err, &zerr)
	require.Equal(t, zalo.CodeTokenInvalid, zerr.Code, "the sandbox answers -216 for expired tokens")
	require.Equal(t, zalo.ClassToken, zalo.Classify(err))
}

func TestUserDetailAndFollowerPages(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	ctx := context.Background()
	var followers []string
	for i := range 120 {
		u := w.sim.CreateUser(fmt.Sprint("User ", i), i%6 != 0)
		if u.Follows {
			followers = append(followers, u.OAUserID)
		}
	}
	var got []string
	for offset := 0; ; offset += zalo.MaxFollowerPage {
		page, err := w.client.ListFollowers(ctx, "a0", offset, zalo.MaxFollowerPage)
		require.NoError(t, err)
		require.Equal(t, len(followers), page.Total)
		got = append(got, page.UserIDs...)
		if len(page.UserIDs) < zalo.MaxFollowerPage {
			break
		}
	}
	require.Equal(t, followers, got)
	_, err := w.client.ListFollowers(ctx, "a0", 0, 51)
	require.Error(t, err, "Zalo lists at most 50")

	d, err := w.client.UserDetail(ctx, "a0", followers[0])
	require.NoError(t, err)
	require.Equal(t, followers[0], d.UserID)
	require.NotEmpty(t, d.UserIDByApp)
	require.True(t, d.IsFollower)
}

// TestTokenAnswers: Zalo documents expires_in as a string; some answers
// carry a number. OAuth refusals come with HTTP 200 or 4xx alike.
func TestTokenAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		expires time.Duration
		code    int
		class   zalo.Class
	}{
		{"expires_in as a string", 200, `{"access_token":"a","refresh_token":"r","expires_in":"90000"}`, 25 * time.Hour, 0, 0},
		{"expires_in as a number", 200, `{"access_token":"a","refresh_token":"r","expires_in":90000}`, 25 * time.Hour, 0, 0},
		{"no expires_in", 200, `{"access_token":"a","refresh_token":"r"}`, 0, zalo.CodeUnknown, zalo.ClassPermanent},
		{"no refresh token", 200, `{"access_token":"a","expires_in":"90000"}`, 0, zalo.CodeUnknown, zalo.ClassPermanent},
		{"reused refresh token, HTTP 200", 200, `{"error":-14014,"error_name":"Invalid refresh token"}`, 0, -14014, zalo.ClassAuth},
		{"reused refresh token, HTTP 400", 400, `{"error":-14014,"error_name":"Invalid refresh token"}`, 0, -14014, zalo.ClassAuth},
		{"bad secret, HTTP 401", 401, `{"error":-14016,"error_name":"Invalid secret","error_description":"x"}`, 0, -14016, zalo.ClassPermanent},
		{"OAuth refusal with a 5xx", 502, `{"error":-14019,"error_name":"Invalid code"}`, 0, -14019, zalo.ClassPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			tok, err := zalo.NewClient(zalo.Config{OAuthURL: srv.URL}).RefreshOAToken(context.Background(), "r0")
			if tc.class == 0 {
				require.NoError(t, err)
				require.Equal(t, tc.expires, tok.ExpiresIn)
				return
			}
			var zerr *zalo.Error
			require.ErrorAs(t, err, &zerr)
			require.Equal(t, tc.code, zerr.Code)
			require.Equal(t, tc.class, zalo.Classify(err))
			require.NotContains(t, err.Error(), "r0")
		})
	}
}

// TestFollowerListIsReadLeniently: ids and counts as strings or numbers,
// and the "users" name some answers use.
func TestFollowerListIsReadLeniently(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"error":0,"message":"Success","data":{"total":"3","count":3,"users":[{"user_id":"1"},{"user_id":2},"3",{}]}}`)
	}))
	defer srv.Close()
	page, err := zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL}).ListFollowers(context.Background(), token, 0, 50)
	require.NoError(t, err)
	require.Equal(t, zalo.FollowerPage{Total: 3, UserIDs: []string{"1", "2", "3"}}, page)
}

// TestLoginURL: browsers may reach the login page at another address than
// the service reaches the token endpoint (a sandbox in docker-compose).
func TestLoginURL(t *testing.T) {
	c := zalo.NewClient(zalo.Config{OAuthURL: "http://zalosim:8090", LoginURL: "http://localhost:8090/", AppID: "1"})
	require.True(t, strings.HasPrefix(c.AuthorizeURL("http://localhost:8080/cb", "ch", "st"), "http://localhost:8090/v4/permission?"))
	c = zalo.NewClient(zalo.Config{OAuthURL: "https://oauth.zaloapp.com", AppID: "1"})
	require.True(t, strings.HasPrefix(c.AuthorizeURL("https://x/cb", "ch", "st"), "https://oauth.zaloapp.com/v4/permission?"))
}
