package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tingting-vn/tingting/harness/testenv"
)

// TestBadInputNeverBreaksTheContract throws malformed, mistyped, oversized,
// control-character and SQL-ish input, and other workspaces' ids, at every
// route: each answer is a success or the contract's error, never a 5xx.
func TestBadInputNeverBreaksTheContract(t *testing.T) {
	t.Parallel()
	testenv.SkipShort(t, "a Temporal dev server (the wizard's routes)")
	f := newFixture(t)
	_, other := f.do(t, "POST", "/v1/bank-accounts", f.other, `{"account_number":"999"}`)
	otherID := other["id"].(string)

	ids := []string{otherID, "00000000-0000-0000-0000-000000000000", "'; DROP TABLE transactions;--", "%00", "..%2F..%2Fetc", "Tiệm%20bánh", strings.Repeat("9", 300)}
	bodies := []string{
		``, `{`, `[]`, `null`, `"text"`, `{"amount":"x","external_id":7}`, `{"fields":"amount"}`,
		`{"bank_account_ids":["` + otherID + `"],"direction":"in"}`,
		`{"account_number":"' OR 1=1 --","external_id":"\u0000","amount":1,"occurred_at":"2024-01-01T00:00:00Z"}`,
		`{"description":"` + strings.Repeat("ệ", 5000) + `","amount":9223372036854775807}`,
		`{"provider":"casso_v2","secret":"\u202e\u0007\u0000"}`,
		`{"status":"deleted","message_kind":"sms"}`,
		`{"x":"` + strings.Repeat("a", 2<<20) + `"}`,
	}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	routes := documentedRoutes(t)
	for _, r := range routes {
		for _, id := range ids {
			path := param.ReplaceAllString(r.path, id)
			for _, body := range bodies {
				status, res := f.raw(t, r.method, path, body)
				require.Less(t, status, 500, "%s %s with %.60q answered %d: %v", r.method, path, body, status, res)
				if status >= 400 {
					e, ok := res["error"].(map[string]any)
					require.True(t, ok, "%s %s: no error body: %v", r.method, path, res)
					require.NotEmpty(t, e["code"])
					require.NotEmpty(t, e["message"])
				}
			}
		}
	}
	// Nothing of the other workspace was touched through this one's key.
	_, list := f.do(t, "GET", "/v1/bank-accounts", f.other, "")
	require.Len(t, list["items"], 1)
}

type endpoint struct{ method, path string }

func documentedRoutes(t *testing.T) []endpoint {
	var out []endpoint
	for _, r := range documented(t) {
		method, path, _ := strings.Cut(r, " ")
		out = append(out, endpoint{method, path})
	}
	return out
}

// noRedirects answers a redirect (to Zalo's login page) as it is.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// raw sends body as is with the fixture's key; the answer may be anything.
func (f fixture) raw(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	u, err := url.Parse(f.url + path)
	if err != nil {
		return http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "unparsable", "message": "test url"}}
	}
	req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.key)
	res, err := noRedirects.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	if res.StatusCode >= 400 {
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out), "%s %s: error body is not JSON", method, path)
	}
	return res.StatusCode, out
}
