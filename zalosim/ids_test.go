package zalosim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// run is what one `dev` run sees of the sandbox: the demo user's ids, and
// every id and secret the sandbox made up along the way.
type run struct {
	oaUserID, appUserID string
	msgID, messageID    string
	code, userToken     string
	oaAccess, oaRefresh string
}

func oneRun(t *testing.T) run {
	w := newWorld(t, zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: "tok", OARefreshToken: "r0", Seed: 7})
	var u zalosim.User
	_, body, _ := w.do(t, "POST", "/_sandbox/users", "application/json", `{"name":"Chị Lan","follows":true}`)
	require.NoError(t, json.Unmarshal([]byte(body), &u))
	r := run{oaUserID: u.OAUserID, appUserID: u.AppUserID}

	var sent struct {
		MsgID string `json:"msg_id"`
	}
	_, body, _ = w.do(t, "POST", "/_sandbox/users/"+u.OAUserID+"/messages", "application/json", `{"text":"chào"}`)
	require.NoError(t, json.Unmarshal([]byte(body), &sent))
	r.msgID = sent.MsgID

	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(u.OAUserID, "hi"))
	var ans struct {
		Data struct {
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	r.messageID = ans.Data.MessageID

	c := zalo.NewClient(zalo.Config{OAuthURL: w.url, AppID: "1", AppSecret: "s"})
	verifier, challenge := zalo.NewPKCE()
	status, _, h := w.do(t, "GET", "/v4/permission?"+url.Values{
		"app_id": {"1"}, "redirect_uri": {"http://127.0.0.1/cb"}, "code_challenge": {challenge}, "sandbox_user": {u.AppUserID},
	}.Encode(), "", "")
	require.Equal(t, http.StatusFound, status)
	loc, err := url.Parse(h.Get("Location"))
	require.NoError(t, err)
	r.code = loc.Query().Get("code")
	tok, err := c.ExchangeCode(t.Context(), r.code, verifier)
	require.NoError(t, err)
	r.userToken = tok.AccessToken
	oa, err := c.RefreshOAToken(t.Context(), "r0")
	require.NoError(t, err)
	r.oaAccess, r.oaRefresh = oa.AccessToken, oa.RefreshToken
	return r
}

// TestSeedDecidesOnlyUserIDs: two runs with the same seed give the demo
// user the same ids, and nothing else repeats: a second `dev` run must not
// hand out the first run's msg_ids, message ids, codes or tokens.
func TestSeedDecidesOnlyUserIDs(t *testing.T) {
	t.Parallel()
	a, b := oneRun(t), oneRun(t)
	require.Equal(t, a.oaUserID, b.oaUserID)
	require.Equal(t, a.appUserID, b.appUserID)
	require.Len(t, a.oaUserID, 19)
	require.NotEqual(t, a.oaUserID, a.appUserID)
	for name, pair := range map[string][2]string{
		"msg_id": {a.msgID, b.msgID}, "message_id": {a.messageID, b.messageID}, "code": {a.code, b.code},
		"user token": {a.userToken, b.userToken}, "OA access token": {a.oaAccess, b.oaAccess}, "OA refresh token": {a.oaRefresh, b.oaRefresh},
	} {
		require.NotEmpty(t, pair[0], name)
		require.NotEqual(t, pair[0], pair[1], name)
	}

	other := zalosim.New(zalosim.Config{Seed: 8}).CreateUser("Chị Lan", true)
	require.NotEqual(t, a.oaUserID, other.OAUserID, "another seed, other ids")
}
