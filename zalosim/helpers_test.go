package zalosim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// world is a sandbox over HTTP with a clock the test moves.
type world struct {
	sim   *zalosim.Sim
	url   string
	clock *atomic.Int64 // added to the real time, in nanoseconds
}

func newWorld(t *testing.T, cfg zalosim.Config) world {
	t.Helper()
	clock := &atomic.Int64{}
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(clock.Load())) }
	sim := zalosim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return world{sim: sim, url: srv.URL, clock: clock}
}

// do sends a request without following redirects; header is "name: value".
func (w world) do(t *testing.T, method, path, contentType, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, w.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header
}

// form posts an HTML form as the /_sandbox page does.
func (w world) form(t *testing.T, path string, values url.Values) (int, string, http.Header) {
	t.Helper()
	return w.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", values.Encode())
}

// oa calls the OA API with the token every test world uses ("tok").
func (w world) oa(t *testing.T, method, path, body string) (string, http.Header) {
	t.Helper()
	_, b, h := w.do(t, method, path, "application/json", body, "access_token: tok")
	return b, h
}

// zaloCode reads the "error" field of a Zalo answer.
func zaloCode(t *testing.T, body string) int {
	t.Helper()
	var ans struct {
		Error *int `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans), body)
	require.NotNil(t, ans.Error, body)
	return *ans.Error
}

// setClock puts the sandbox clock at an RFC 3339 instant over HTTP.
func (w world) setClock(t *testing.T, rfc3339 string) {
	t.Helper()
	status, body, _ := w.do(t, http.MethodPut, "/_sandbox/clock", "application/json", `{"now":"`+rfc3339+`"}`)
	require.Equal(t, http.StatusOK, status, body)
}

func csBody(userID, text string) string {
	return `{"recipient":{"user_id":"` + userID + `"},"message":{"text":"` + text + `"}}`
}

func transactionBody(userID string) string {
	return `{"recipient":{"user_id":"` + userID + `"},"message":{"attachment":{"type":"template","payload":{
		"template_type":"transaction_transaction","language":"VI",
		"elements":[{"type":"header","content":"Biến động số dư","align":"left"},
		            {"type":"table","content":[{"key":"Số tiền","value":"+599.000 VND"},{"key":"Nội dung","value":"thanh toan don 42"}]}]}}}}`
}
