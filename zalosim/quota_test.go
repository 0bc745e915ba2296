package zalosim_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestQuotaMessage: quota/message gives the user's last interaction to the
// millisecond, and cs_reply -1/-1 (no cap) while cs would reach them, 0/0
// once it would not.
func TestQuotaMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	lan, tu, hoa := w.sim.CreateUser("Lan", true), w.sim.CreateUser("Tú", false), w.sim.CreateUser("Hoa", false)
	_, ok := w.sim.UserSendsText(hoa.OAUserID, "chào")
	require.True(t, ok)
	type quota struct {
		Error int `json:"error"`
		Data  struct {
			UserID          string `json:"user_id"`
			LastInteraction string `json:"last_interaction"`
			CSReply         struct {
				Remain int `json:"remain"`
				Total  int `json:"total"`
			} `json:"cs_reply"`
		} `json:"data"`
	}
	ask := func(body string) quota {
		ans, _ := w.oa(t, "POST", "/v3.0/oa/quota/message", body)
		var q quota
		require.NoError(t, json.Unmarshal([]byte(ans), &q), ans)
		return q
	}
	at := time.Date(2026, 3, 4, 9, 30, 0, 123e6, time.UTC)
	require.True(t, w.sim.SetLastInteraction(lan.OAUserID, at))
	q := ask(`{"user_id":"` + lan.OAUserID + `"}`)
	require.Zero(t, q.Error)
	require.Equal(t, lan.OAUserID, q.Data.UserID)
	require.Equal(t, strconv.FormatInt(at.UnixMilli(), 10), q.Data.LastInteraction)
	require.Equal(t, -1, q.Data.CSReply.Remain)
	require.Equal(t, -1, q.Data.CSReply.Total)

	require.True(t, w.sim.SetLastInteraction(lan.OAUserID, w.sim.Now().Add(-7*24*time.Hour-time.Minute)))
	q = ask(`{"user_id":"` + lan.OAUserID + `"}`)
	require.Zero(t, q.Data.CSReply.Remain, "past 7 days cs is refused")
	require.Zero(t, q.Data.CSReply.Total)

	q = ask(`{"user_id":"` + tu.OAUserID + `"}`)
	require.Empty(t, q.Data.LastInteraction, "never interacted")
	require.Zero(t, q.Data.CSReply.Remain)
	require.Equal(t, -1, ask(`{"user_id":"`+hoa.OAUserID+`"}`).Data.CSReply.Remain, "a non-follower who wrote may be answered")

	for _, bad := range []string{`{"user_id":"nobody"}`, `{}`, `{`} {
		require.Equal(t, -201, ask(bad).Error, bad)
	}
	require.Equal(t, 7, w.sim.Stats().Calls[zalosim.KindQuota])
}
