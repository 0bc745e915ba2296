package zalo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
)

// fakeZalo answers every call with status and body, and counts the calls.
func fakeZalo(t *testing.T, status int, body string) (*zalo.Client, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL}), &calls
}

func TestAnswersAreJudgedByBodyThenStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		class  zalo.Class
	}{
		{"5xx without a refusal is never a success, and a send is in doubt", 503, `{"error":0,"message":"Success"}`, zalo.ClassInDoubt},
		{"5xx with an unknown code", 502, `{"error":-999,"message":"boom"}`, zalo.ClassRetryable},
		{"5xx with a known permanent code", 500, `{"error":-201,"message":"bad"}`, zalo.ClassPermanent},
		{"200 with an unknown code", 200, `{"error":-999,"message":"boom"}`, zalo.ClassPermanent},
		{"429 without a body", 429, ``, zalo.ClassRetryable},
		{"404 page from a wrong base URL", 404, `<html>not found</html>`, zalo.ClassPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := fakeZalo(t, tc.status, tc.body)
			_, err := c.SendText(context.Background(), token, "1", "hi")
			require.Error(t, err)
			require.Equal(t, tc.class, zalo.Classify(err), "error: %v", err)
		})
	}
}

func TestInvalidInputNeverCallsZalo(t *testing.T) {
	t.Parallel()
	c, calls := fakeZalo(t, 200, `{"error":0,"data":{"message_id":"m"}}`)
	zns, znsCalls := fakeZNS(t)
	ctx := context.Background()
	for name, send := range map[string]func() error{
		"text over 2000 runes": func() error {
			_, err := c.SendText(ctx, token, "1", strings.Repeat("á", zalo.MaxTextRunes+1))
			return err
		},
		"empty text": func() error { _, err := c.SendText(ctx, token, "1", ""); return err },
		"empty user": func() error { _, err := c.SendText(ctx, token, "", "hi"); return err },
		"template, no user": func() error {
			_, err := c.SendTemplate(ctx, token, "", zalo.Template{ID: "t"})
			return err
		},
		"template, no template": func() error {
			_, err := c.SendTemplate(ctx, token, "1", zalo.Template{})
			return err
		},
		"by phone, no phone": func() error {
			_, err := zns.SendTemplateByPhone(ctx, token, " ", "d", zalo.Template{ID: "t"})
			return err
		},
		"by phone, no template": func() error {
			_, err := zns.SendTemplateByPhone(ctx, token, "84912345678", "d", zalo.Template{})
			return err
		},
		"by phone, tracking id over 48": func() error {
			_, err := zns.SendTemplateByPhone(ctx, token, "84912345678", strings.Repeat("x", 49), zalo.Template{ID: "t"})
			return err
		},
		"conversation, no user": func() error { _, err := c.Conversation(ctx, token, "", 0, 10); return err },
		"conversation, count 11": func() error {
			_, err := c.Conversation(ctx, token, "1", 0, zalo.MaxConversationCount+1)
			return err
		},
		"conversation, count 0": func() error { _, err := c.Conversation(ctx, token, "1", 0, 0); return err },
	} {
		err := send()
		require.Error(t, err, name)
		require.Equal(t, zalo.ClassPermanent, zalo.Classify(err), name)
	}
	require.Zero(t, calls.Load())
	require.Zero(t, znsCalls.Load())
}

// fakeZNS is a ZNS host that counts calls and accepts them all.
func fakeZNS(t *testing.T) (*zalo.Client, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"error":0,"data":{"msg_id":"z"}}`))
	}))
	t.Cleanup(srv.Close)
	return zalo.NewClient(zalo.Config{ZNSURL: srv.URL}), &calls
}
