package bench

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBalancerTakesTurnsAndPassesOverADeadAPI(t *testing.T) {
	var got []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.RequestURI()+" "+string(body)+" "+r.Header.Get("Authorization"))
		w.Header().Set("X-Api", "alive")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer api.Close()
	// A port nothing listens on: connections to it are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	ln.Close()

	b, err := startBalancer([]string{api.URL, dead})
	require.NoError(t, err)
	defer b.Close()
	for i := range 4 {
		req, _ := http.NewRequest(http.MethodPost, b.URL()+"/v1/transactions?x=1", strings.NewReader("body"))
		req.Header.Set("Authorization", "Bearer k")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "post %d", i)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusCreated, res.StatusCode)
		assert.Equal(t, "alive", res.Header.Get("X-Api"))
		assert.JSONEq(t, `{"ok":true}`, string(body))
	}
	assert.Len(t, got, 4, "every request reached the live API once")
	assert.Equal(t, "POST /v1/transactions?x=1 body Bearer k", got[0], "method, path, query, body and headers passed on")
	assert.EqualValues(t, 2, b.rerouted.Load(), "half the turns fell on the dead API and were passed on")
}

func TestBalancerAnswers502WhenNoAPIAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	ln.Close()
	b, err := startBalancer([]string{dead})
	require.NoError(t, err)
	defer b.Close()
	res, err := http.Post(b.URL()+"/v1/transactions", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadGateway, res.StatusCode, "the client sees the failure and retries")
}
