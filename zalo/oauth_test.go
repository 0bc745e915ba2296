package zalo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	require.Error(t, err, "a code is single use")

	t.Run("wrong verifier", func(t *testing.T) {
		_, challenge := zalo.NewPKCE()
		code, _ := w.authorize(t, lan, challenge, "s")
		other, _ := zalo.NewPKCE()
		_, err := w.client.ExchangeCode(ctx, code, other)
		require.Error(t, err)
	})
	t.Run("expired code", func(t *testing.T) {
		verifier, challenge := zalo.NewPKCE()
		code, _ := w.authorize(t, lan, challenge, "s")
		w.clock.Add(int64(11 * time.Minute))
		defer w.clock.Add(-int64(11 * time.Minute))
		_, err := w.client.ExchangeCode(ctx, code, verifier)
		require.Error(t, err)
	})
	t.Run("a wrong app secret proof is refused", func(t *testing.T) {
		bad := zalo.NewClient(zalo.Config{GraphURL: w.url, AppID: appID, AppSecret: "not-the-secret"})
		_, err := bad.Me(ctx, tok.AccessToken)
		require.Error(t, err)
		require.NotContains(t, err.Error(), tok.AccessToken)
	})
}

func TestOATokenRefreshIsSingleUse(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	ctx := context.Background()
	u := w.sim.CreateUser("Minh", true)

	next, err := w.client.RefreshOAToken(ctx, "r0")
	require.NoError(t, err)
	require.Equal(t, 25*time.Hour, next.ExpiresIn)
	_, err = w.client.SendText(ctx, next.AccessToken, u.OAUserID, "hi")
	require.NoError(t, err)

	_, err = w.client.RefreshOAToken(ctx, "r0")
	require.Equal(t, zalo.ClassAuth, zalo.Classify(err), "reusing a refresh token: %v", err)
	require.True(t, w.sim.RevokedByReuse())
	_, err = w.client.SendText(ctx, next.AccessToken, u.OAUserID, "hi")
	require.Equal(t, zalo.ClassToken, zalo.Classify(err), "reuse revokes the current pair")
}

func TestExpiredAccessTokenIsATokenError(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	u := w.sim.CreateUser("Hoa", true)
	w.clock.Store(int64(26 * time.Hour))
	_, err := w.client.SendText(context.Background(), "a0", u.OAUserID, "hi")
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

func TestSendTemplate(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	u := w.sim.CreateUser("Lan", true)
	res, err := w.client.SendTemplate(context.Background(), "a0", u.OAUserID, "tpl-1", map[string]string{"amount": "+599.000 VND"})
	require.NoError(t, err)
	inbox := w.sim.Inbox(u.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, res.MessageID, inbox[0].MessageID)
	require.Contains(t, inbox[0].Text, "+599.000 VND")
}

// TestExpiresInAsANumber: Zalo documents expires_in as a string; some
// answers carry a number. Both must work.
func TestExpiresInAsANumber(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"access_token":"a","refresh_token":"r","expires_in":90000}`)
	}))
	defer srv.Close()
	tok, err := zalo.NewClient(zalo.Config{OAuthURL: srv.URL}).RefreshOAToken(context.Background(), "r0")
	require.NoError(t, err)
	require.Equal(t, 25*time.Hour, tok.ExpiresIn)
}
