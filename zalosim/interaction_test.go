package zalosim_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestCSNeedsARecentInteraction: Zalo refuses cs messages to a user who
// has not followed or written to the OA in 7 days (-230); templates pass.
func TestCSNeedsARecentInteraction(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok", AccessTokenTTL: 30 * 24 * time.Hour})
	w.putTemplate(t, "t1")
	lan := w.sim.CreateUser("Lan", true)
	cs := func() string {
		_, body, _ := w.do(t, "POST", "/v3.0/oa/message/cs", "application/json",
			`{"recipient":{"user_id":"`+lan.OAUserID+`"},"message":{"text":"hi"}}`, "access_token: tok")
		return body
	}
	detail := func() map[string]any {
		data, _ := json.Marshal(map[string]string{"user_id": lan.OAUserID})
		_, body, _ := w.do(t, "GET", "/v3.0/oa/user/detail?data="+url.QueryEscape(string(data)), "", "", "access_token: tok")
		var ans struct {
			Error int            `json:"error"`
			Data  map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &ans))
		require.Zero(t, ans.Error, body)
		return ans.Data
	}
	require.Contains(t, cs(), `"error":0`)
	require.Equal(t, time.Now().Format("02/01/2006"), detail()["user_last_interaction_date"])
	require.Equal(t, lan.AppUserID, detail()["user_id_by_app"])

	w.clock.Store(int64(8 * 24 * time.Hour))
	require.Contains(t, cs(), `"error":-230`)
	_, body, _ := w.do(t, "POST", "/v3.0/oa/message/template", "application/json",
		templateBody(lan.OAUserID, "t1", `{"so_tien":"+1.000 VND"}`), "access_token: tok")
	require.Contains(t, body, `"error":0`, "templates need no recent interaction")

	_, ok := w.sim.UserSendsText(lan.OAUserID, "chào shop")
	require.True(t, ok)
	require.Contains(t, cs(), `"error":0`, "writing to the OA opens the window again")
	require.Len(t, w.sim.Inbox(lan.OAUserID), 3)
}
