package zalo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

const token = "oa-token-7f3a"

type sandbox struct {
	url    string
	sim    *zalosim.Sim
	client *zalo.Client
}

func newSandbox(t *testing.T) sandbox {
	sim := zalosim.New(zalosim.Config{AppID: "1", AppSecret: "s", OAAccessToken: token})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sandbox{url: srv.URL, sim: sim, client: zalo.NewClient(zalo.Config{OpenAPIURL: srv.URL})}
}

func (s sandbox) faults(t *testing.T, body string) {
	req, _ := http.NewRequest(http.MethodPut, s.url+"/_sandbox/faults", strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

func TestSendTextReachesTheInbox(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	u := s.sim.CreateUser("Lan", true)

	res, err := s.client.SendText(context.Background(), token, u.OAUserID, "Biến động số dư\nSố tiền: +599.000 VND")
	require.NoError(t, err)
	require.NotEmpty(t, res.MessageID)
	require.Equal(t, u.OAUserID, res.UserID)

	// Read the inbox the way a person's tools would: over HTTP.
	httpRes, err := http.Get(s.url + "/_sandbox/users/" + u.OAUserID + "/inbox")
	require.NoError(t, err)
	defer httpRes.Body.Close()
	var inbox struct {
		Items []struct {
			MessageID string `json:"message_id"`
			Text      string `json:"text"`
		} `json:"items"`
	}
	require.NoError(t, json.NewDecoder(httpRes.Body).Decode(&inbox))
	require.Len(t, inbox.Items, 1)
	require.Equal(t, res.MessageID, inbox.Items[0].MessageID)
	require.Equal(t, "Biến động số dư\nSố tiền: +599.000 VND", inbox.Items[0].Text)
}

func TestSendTextErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		faults string // sandbox faults, if any
		token  string
		follow bool
		text   string
		class  zalo.Class
	}{
		{name: "non-follower", token: token, text: "hi", class: zalo.ClassNotFollowing},
		{name: "wrong token", token: "stale", follow: true, text: "hi", class: zalo.ClassToken},
		{name: "rate limited", faults: `{"error_code":-32}`, token: token, follow: true, text: "hi", class: zalo.ClassRetryable},
		{name: "blocked", faults: `{"error_code":-217}`, token: token, follow: true, text: "hi", class: zalo.ClassBlocked},
		{name: "bad parameter", faults: `{"error_code":-201}`, token: token, follow: true, text: "hi", class: zalo.ClassPermanent},
		{name: "HTTP 503", faults: `{"http_status":503}`, token: token, follow: true, text: "hi", class: zalo.ClassRetryable},
		{name: "too long", token: token, follow: true, text: strings.Repeat("á", 2001), class: zalo.ClassPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSandbox(t)
			if tc.faults != "" {
				s.faults(t, tc.faults)
			}
			u := s.sim.CreateUser("Minh", tc.follow)
			_, err := s.client.SendText(ctx, tc.token, u.OAUserID, tc.text)
			require.Error(t, err)
			require.Equal(t, tc.class, zalo.Classify(err), "error: %v", err)
			require.NotContains(t, err.Error(), token, "errors never carry the token")
			require.Empty(t, s.sim.Inbox(u.OAUserID), "a failed send delivers nothing")
		})
	}
}

func TestSendTextTimesOutAsRetryable(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	s.faults(t, `{"latency_ms":300}`)
	u := s.sim.CreateUser("Hoa", true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.client.SendText(ctx, token, u.OAUserID, "hi")
	require.Error(t, err)
	require.Equal(t, zalo.ClassRetryable, zalo.Classify(err))
}

func TestClassify(t *testing.T) {
	for code, want := range map[int]zalo.Class{
		-32: zalo.ClassRetryable, -201: zalo.ClassPermanent, -211: zalo.ClassQuota, -213: zalo.ClassNotFollowing,
		-216: zalo.ClassToken, -217: zalo.ClassBlocked, -220: zalo.ClassToken, -227: zalo.ClassPermanent,
		-230: zalo.ClassNoInteraction, -232: zalo.ClassNoInteraction, -234: zalo.ClassNightBlock,
		-240: zalo.ClassPermanent, -244: zalo.ClassPermanent, -999: zalo.ClassPermanent,
	} {
		require.Equal(t, want, zalo.Classify(&zalo.Error{Code: code}), "code %d", code)
	}
	require.Equal(t, zalo.ClassRetryable, zalo.Classify(context.DeadlineExceeded))
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(errors.New("something else")))
	for _, c := range []zalo.Class{zalo.ClassRetryable, zalo.ClassToken, zalo.ClassQuota, zalo.ClassNightBlock} {
		require.True(t, c.Retryable(), c.String())
	}
	for _, c := range []zalo.Class{zalo.ClassPermanent, zalo.ClassNotFollowing, zalo.ClassBlocked, zalo.ClassNoInteraction} {
		require.False(t, c.Retryable(), c.String())
	}
}
