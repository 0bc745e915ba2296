package zalosim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestRedeliveriesStopOnClose: a receiver that always fails gets retries
// in the background until the sandbox closes, and none after.
func TestRedeliveriesStopOnClose(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	sim := zalosim.New(zalosim.Config{AppID: "1", OASecretKey: "k", WebhookURL: recv.URL})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	res, err := http.Post(srv.URL+"/_sandbox/users", "application/json", strings.NewReader(`{"name":"Lan","follows":true}`))
	require.NoError(t, err)
	var created struct {
		zalosim.User
		WebhookStatus int `json:"webhook_status"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&created))
	res.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, created.WebhookStatus, "the first attempt is made before the answer")
	require.True(t, created.Follows)
	require.EqualValues(t, 1, calls.Load())

	require.Eventually(t, func() bool { return calls.Load() == 2 }, 3*time.Second, 10*time.Millisecond, "retried after a second")
	res, err = http.Get(srv.URL + "/_sandbox")
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(page), "HTTP 503", "the page shows the failed deliveries")

	closed := time.Now()
	sim.Close()
	require.Less(t, time.Since(closed), time.Second, "Close does not wait out the back-off")
	time.Sleep(2500 * time.Millisecond) // the next retry would have come by now
	require.EqualValues(t, 2, calls.Load())
	sim.Close() // twice is fine
	_, status, ok := sim.Follow(created.OAUserID, false)
	require.True(t, ok)
	require.Zero(t, status, "a closed sandbox sends nothing")
}

// TestFollowOnlyTellsOfChanges: like Zalo, following twice is one event.
func TestFollowOnlyTellsOfChanges(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer recv.Close()
	sim := zalosim.New(zalosim.Config{AppID: "1", WebhookURL: recv.URL})
	defer sim.Close()

	u := sim.CreateUser("Lan", true)
	_, status, ok := sim.Follow(u.OAUserID, true)
	require.True(t, ok)
	require.Zero(t, status)
	u, status, _ = sim.Follow(u.OAUserID, false)
	require.Equal(t, http.StatusOK, status)
	require.False(t, u.Follows)
	require.EqualValues(t, 2, calls.Load())
	_, _, ok = sim.Follow("nobody", true)
	require.False(t, ok)
	_, ok = sim.UserSendsText("nobody", "hi")
	require.False(t, ok)
}
