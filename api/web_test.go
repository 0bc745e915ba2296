package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/api"
	"github.com/tingting-vn/tingting/internal/metrics"
)

// TestTheWebUIIsServedSafely: the page and its files come with their types,
// a content security policy and an ETag; nothing else is served from /ui/,
// and nothing in them reaches outside the site.
func TestTheWebUIIsServedSafely(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(api.New(api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()}))
	t.Cleanup(srv.Close)
	get := func(path, etag string) (*http.Response, string) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(body)
	}

	for path, ctype := range map[string]string{
		"/":             "text/html; charset=utf-8",
		"/ui/app.js":    "text/javascript; charset=utf-8",
		"/ui/style.css": "text/css; charset=utf-8",
		"/ui/icon.svg":  "image/svg+xml",
	} {
		t.Run(path, func(t *testing.T) {
			res, body := get(path, "")
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, ctype, res.Header.Get("Content-Type"))
			require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'self'")
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			require.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
			ns := regexp.MustCompile(`xmlns="http://www.w3.org/2000/svg"`) // a name, not a fetch
			require.NotRegexp(t, `(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`, ns.ReplaceAllString(body, ""), "nothing fetched from elsewhere")

			etag := res.Header.Get("ETag")
			require.NotEmpty(t, etag)
			again, _ := get(path, etag)
			require.Equal(t, http.StatusNotModified, again.StatusCode)
		})
	}

	_, page := get("/", "")
	require.Contains(t, page, `<html lang="vi">`)
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		require.Contains(t, tag, `src="/ui/`, "no inline scripts")
	}

	for _, path := range []string{"/ui/web.go", "/ui/missing.js", "/ui/..%2Fgo.mod", "/ui/", "/wizard"} {
		res, body := get(path, "")
		require.Equal(t, http.StatusNotFound, res.StatusCode, path)
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &e), path)
		require.Equal(t, "not_found", e.Error.Code, path)
	}
}
