package zalosim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestTheSandboxClock: PUT sets it and it keeps ticking from there, it
// stamps what happens, DELETE puts it back on real time, and moving it
// never expires the OA's token (token lifetimes follow the real clock).
func TestTheSandboxClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	lan := w.sim.CreateUser("Lan", true)
	read := func(body string) (time.Time, bool) {
		var v struct {
			Now     string `json:"now"`
			Shifted bool   `json:"shifted"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &v), body)
		at, err := time.Parse(time.RFC3339, v.Now)
		require.NoError(t, err)
		return at, v.Shifted
	}

	status, body, _ := w.do(t, "PUT", "/_sandbox/clock", "application/json", `{"now":"2026-03-10T21:30:00+07:00"}`)
	require.Equal(t, http.StatusOK, status)
	at, shifted := read(body)
	set := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	require.WithinDuration(t, set, at, time.Second)
	require.True(t, shifted)

	w.clock.Store(int64(time.Hour)) // an hour of real time passes
	require.WithinDuration(t, set.Add(time.Hour), w.sim.Now(), time.Second, "the clock keeps ticking")
	_, body, _ = w.do(t, "GET", "/_sandbox/clock", "", "")
	at, _ = read(body)
	require.WithinDuration(t, set.Add(time.Hour), at, time.Second)

	body, _ = w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
	require.Zero(t, zaloCode(t, body), "a day ahead of the token's birth, the token still works")
	require.WithinDuration(t, set.Add(time.Hour), w.sim.Inbox(lan.OAUserID)[0].ReceivedAt, time.Second, "messages carry the sandbox time")

	status, _, _ = w.do(t, "DELETE", "/_sandbox/clock", "", "")
	require.Equal(t, http.StatusNoContent, status)
	_, body, _ = w.do(t, "GET", "/_sandbox/clock", "", "")
	at, shifted = read(body)
	require.WithinDuration(t, time.Now().Add(time.Hour), at, time.Second, "back on Config.Now")
	require.False(t, shifted)

	for _, bad := range []string{`{"now":"tomorrow"}`, `{}`, `{"now":`} {
		status, _, _ = w.do(t, "PUT", "/_sandbox/clock", "application/json", bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}

	// In process.
	w.sim.SetClock(set)
	require.WithinDuration(t, set, w.sim.Now(), time.Second)
	w.sim.ResetClock()
	require.WithinDuration(t, time.Now().Add(time.Hour), w.sim.Now(), time.Second)
}
