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

// bankTemplate is a template body for PUT /_sandbox/templates/{id}: an
// approved transaction template with a required amount (≤ 20 characters)
// and an optional note (≤ 10).
const bankTemplate = `{"name":"Biến động số dư","status":"ENABLE","tag":"TRANSACTION","quality":"HIGH",
	"params":[{"name":"so_tien","max_length":20,"required":true},{"name":"noi_dung","max_length":10}],
	"price_uid":200,"price_sdt":300}`

// putTemplate creates or replaces a template over HTTP; edits are
// "old" → "new" replacements in bankTemplate.
func (w world) putTemplate(t *testing.T, id string, edits ...string) string {
	t.Helper()
	body := strings.NewReplacer(edits...).Replace(bankTemplate)
	status, ans, _ := w.do(t, http.MethodPut, "/_sandbox/templates/"+id, "application/json", body)
	require.Equal(t, http.StatusOK, status, ans)
	return ans
}

func templateBody(userID, templateID, data string) string {
	return `{"user_id":"` + userID + `","template_id":"` + templateID + `","template_data":` + data + `}`
}

func phoneBody(phone, templateID, data, trackingID string) string {
	return `{"phone":"` + phone + `","template_id":"` + templateID + `","template_data":` + data + `,"tracking_id":"` + trackingID + `"}`
}

// hooks receives the sandbox's webhooks, checking their signature.
type hooks struct {
	url string
	got chan map[string]any
	bad atomic.Int32 // bodies whose signature did not match
}

// newHooks starts a receiver for webhooks signed by app "1" with key "k".
func newHooks(t *testing.T) *hooks {
	t.Helper()
	h := &hooks{got: make(chan map[string]any, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-ZEvent-Signature") != "mac="+zalosim.Sign("1", "k", b) {
			h.bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var event map[string]any
		if json.Unmarshal(b, &event) != nil {
			h.bad.Add(1)
		}
		h.got <- event
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// next waits for the next webhook.
func (h *hooks) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case e := <-h.got:
		require.Zero(t, h.bad.Load(), "every webhook is signed")
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook came")
		return nil
	}
}

// none checks that no webhook came within a moment.
func (h *hooks) none(t *testing.T) {
	t.Helper()
	select {
	case e := <-h.got:
		t.Fatalf("an unexpected webhook: %v", e)
	case <-time.After(100 * time.Millisecond):
	}
}

// hookedWorld is a world whose webhooks h receives.
func hookedWorld(t *testing.T, cfg zalosim.Config) (world, *hooks) {
	t.Helper()
	h := newHooks(t)
	cfg.AppID, cfg.OASecretKey, cfg.WebhookURL = "1", "k", h.url
	if cfg.OAAccessToken == "" {
		cfg.OAAccessToken = "tok"
	}
	return newWorld(t, cfg), h
}
