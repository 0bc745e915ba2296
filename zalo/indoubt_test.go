package zalo_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
)

// hangingZalo reads each request whole, then never answers until the
// caller hangs up; it counts the requests it read.
func hangingZalo(t *testing.T) (string, *atomic.Int32) {
	var read atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		read.Add(1)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &read
}

// closedPort is an address where nothing listens any more.
func closedPort(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// TestInDoubtOrRetryable: a send whose request left whole and whose answer
// never came, or came as a 5xx without Zalo's body (a proxy's), or as an
// unreadable 200, is in doubt (Zalo may have accepted it); one that never
// left is plainly retryable, and so is a read.
func TestInDoubtOrRetryable(t *testing.T) {
	t.Parallel()
	hanging, read := hangingZalo(t)
	fast := &http.Client{Timeout: 200 * time.Millisecond}
	status503, _ := fakeZalo(t, http.StatusServiceUnavailable, "")
	unreadable200, _ := fakeZalo(t, http.StatusOK, `{"error":0,"data":{"message_id"`)
	for _, tc := range []struct {
		name   string
		client *zalo.Client
		call   func(c *zalo.Client) error
		want   zalo.Class
	}{
		{"send, answer lost", zalo.NewClient(zalo.Config{OpenAPIURL: hanging, HTTPClient: fast}), sendText, zalo.ClassInDoubt},
		{"template, answer lost", zalo.NewClient(zalo.Config{OpenAPIURL: hanging, HTTPClient: fast}), func(c *zalo.Client) error {
			_, err := c.SendTemplate(context.Background(), token, "1", zalo.Template{ID: "t"})
			return err
		}, zalo.ClassInDoubt},
		{"template by phone, answer lost", zalo.NewClient(zalo.Config{ZNSURL: hanging, HTTPClient: fast}), func(c *zalo.Client) error {
			_, err := c.SendTemplateByPhone(context.Background(), token, "84912345678", "d-1", zalo.Template{ID: "1"})
			return err
		}, zalo.ClassInDoubt},
		{"refresh, answer lost", zalo.NewClient(zalo.Config{OAuthURL: hanging, TokenTimeout: 200 * time.Millisecond}), func(c *zalo.Client) error {
			_, err := c.RefreshOAToken(context.Background(), "refresh-secret-9")
			return err
		}, zalo.ClassInDoubt},
		{"read, answer lost", zalo.NewClient(zalo.Config{OpenAPIURL: hanging, HTTPClient: fast}), func(c *zalo.Client) error {
			_, err := c.UserDetail(context.Background(), token, "1")
			return err
		}, zalo.ClassRetryable},
		{"send, nobody listening", zalo.NewClient(zalo.Config{OpenAPIURL: closedPort(t), HTTPClient: fast}), sendText, zalo.ClassRetryable},
		{"refresh, nobody listening", zalo.NewClient(zalo.Config{OAuthURL: closedPort(t)}), func(c *zalo.Client) error {
			_, err := c.RefreshOAToken(context.Background(), "refresh-secret-9")
			return err
		}, zalo.ClassRetryable},
		{"send, HTTP 503 without Zalo's body", status503, sendText, zalo.ClassInDoubt},
		{"send, unreadable 200", unreadable200, sendText, zalo.ClassInDoubt},
		{"read, HTTP 503 without Zalo's body", status503, func(c *zalo.Client) error {
			_, err := c.UserDetail(context.Background(), token, "1")
			return err
		}, zalo.ClassRetryable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(tc.client)
			require.Error(t, err)
			require.Equal(t, tc.want, zalo.Classify(err), "error: %v", err)
			require.NotContains(t, err.Error(), token)
			require.NotContains(t, err.Error(), "refresh-secret-9")
		})
	}
	t.Cleanup(func() { require.GreaterOrEqual(t, read.Load(), int32(5), "the hanging Zalo did read the requests") })
}

// A context that ends while waiting is in doubt too, not only a timeout.
func TestACanceledSendIsInDoubt(t *testing.T) {
	t.Parallel()
	hanging, read := hangingZalo(t)
	c := zalo.NewClient(zalo.Config{OpenAPIURL: hanging})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for read.Load() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.SendText(ctx, token, "1", "hi")
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(err), "error: %v", err)
}

// TestTokenCallsWaitLonger: token calls have their own, longer timeout.
func TestTokenCallsWaitLonger(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		if r.URL.Path == "/v4/oa/access_token" {
			_, _ = w.Write([]byte(`{"access_token":"a1","refresh_token":"r1","expires_in":"90000"}`))
			return
		}
		_, _ = w.Write([]byte(`{"error":0,"data":{"message_id":"m"}}`))
	}))
	t.Cleanup(srv.Close)
	c := zalo.NewClient(zalo.Config{
		OAuthURL: srv.URL, OpenAPIURL: srv.URL,
		HTTPClient: &http.Client{Timeout: 100 * time.Millisecond}, TokenTimeout: 2 * time.Second,
	})
	tok, err := c.RefreshOAToken(context.Background(), "refresh-secret-9")
	require.NoError(t, err)
	require.Equal(t, "r1", tok.RefreshToken)
	_, err = c.SendText(context.Background(), token, "1", "hi")
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(err), "the message call keeps the client's timeout")
}

func sendText(c *zalo.Client) error {
	_, err := c.SendText(context.Background(), token, "1", "hi")
	return err
}
