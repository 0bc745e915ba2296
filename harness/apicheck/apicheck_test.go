package apicheck_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/apicheck"
)

// TestAnAnswerTheSpecDoesNotDescribeIsReported serves answers as a server
// might, true to the spec or not, and checks which ones are reported.
func TestAnAnswerTheSpecDoesNotDescribeIsReported(t *testing.T) {
	delivery := `{"id":"7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e","integration_id":"7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2f",
		"recipient":"u1","role":"owner","status":"sent","route":null,"attempts":1,"zalo_message_id":"m1","last_error":"",
		"sent_at":"2024-10-03T08:06:37Z","deferred_until":null,"lag_ms":null,"seen_at":null,"received_at":null,
		"cost_vnd":0,"maybe_duplicate":false,"silent":false}`
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
		reported           bool
	}{
		{"health as described", "GET", "/healthz", 200, `{"status":"ok"}`, false},
		{"a status not declared", "GET", "/healthz", 201, `{"status":"ok"}`, true},
		{"an error body as described", "GET", "/v1/transactions/7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e", 404, `{"error":{"code":"not_found","message":"no such resource"}}`, false},
		{"an error body that is not one", "GET", "/v1/transactions/7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e", 404, `{"message":"no such resource"}`, true},
		{"a created bank account", "POST", "/v1/bank-accounts", 201, `{"id":"7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e","bank_code":"","bank_name":"","account_number":"1","account_name":""}`, false},
		{"a bank account without its id", "POST", "/v1/bank-accounts", 201, `{"bank_code":"","bank_name":"","account_number":"1","account_name":""}`, true},
		{"a delivery page with nulls", "GET", "/v1/integrations/7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e/deliveries", 200,
			`{"items":[` + strings.TrimSuffix(delivery, "}") + `,"transaction_id":"7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e","external_id":"x","amount":1,"occurred_at":"2024-10-03T08:06:37Z","created_at":"2024-10-03T08:06:37Z"}],"next_before":null}`, false},
		{"a status outside an enum", "GET", "/v1/integrations/7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e/deliveries", 200,
			`{"items":[` + strings.Replace(strings.TrimSuffix(delivery, "}"), `"sent"`, `"lost"`, 1) + `,"transaction_id":"7d9e1b2c-3a4f-4b5c-9d6e-7f8a9b0c1d2e","external_id":"x","amount":1,"occurred_at":"2024-10-03T08:06:37Z","created_at":"2024-10-03T08:06:37Z"}],"next_before":null}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			var reports []string
			c, err := apicheck.Client(srv.URL, func(format string, args ...any) { reports = append(reports, fmt.Sprintf(format, args...)) })
			require.NoError(t, err)
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			require.NoError(t, err)
			res, err := c.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, tc.reported, len(reports) > 0, "%v", reports)
		})
	}
}
