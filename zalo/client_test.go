package zalo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
		{name: "rate limited", faults: `{"error_code":-32}`, token: token, follow: true, text: "hi", class: zalo.ClassRateLimited},
		{name: "blocked", faults: `{"error_code":-217}`, token: token, follow: true, text: "hi", class: zalo.ClassBlocked},
		{name: "bad parameter", faults: `{"error_code":-201}`, token: token, follow: true, text: "hi", class: zalo.ClassPermanent},
		{name: "HTTP 503", faults: `{"http_status":503}`, token: token, follow: true, text: "hi", class: zalo.ClassInDoubt},
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

// TestASendWhoseAnswerIsLateIsInDoubt: the sandbox got the message, the
// caller stopped waiting: Zalo may have accepted it, and it did.
func TestASendWhoseAnswerIsLateIsInDoubt(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	s.faults(t, `{"latency_ms":300}`)
	u := s.sim.CreateUser("Hoa", true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.client.SendText(ctx, token, u.OAUserID, "hi")
	require.Error(t, err)
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(err), "error: %v", err)
	require.NotContains(t, err.Error(), token)
	require.Eventually(t, func() bool { return len(s.sim.Inbox(u.OAUserID)) == 1 }, 2*time.Second, 20*time.Millisecond,
		"and indeed the message arrived")
}

// TestClassify: every code of ZALO.md's table, the OAuth refusals, and
// what happens to codes nobody documented.
func TestClassify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, status int
		want         zalo.Class
	}{
		{zalo.CodeRateLimit, 200, zalo.ClassRateLimited},
		{zalo.CodeTokenInvalid, 200, zalo.ClassToken},
		{zalo.CodeTokenExpired, 200, zalo.ClassToken},
		{zalo.CodeQuota, 200, zalo.ClassQuota},
		{zalo.CodeRecipientQuota, 200, zalo.ClassQuota},
		{zalo.CodeOATemplateLimit, 200, zalo.ClassQuota},
		{zalo.CodeTemplateDailyLimit, 200, zalo.ClassQuota},
		{zalo.CodeNightBlock, 200, zalo.ClassNightBlock},
		{zalo.CodeAppNotActivated, 200, zalo.ClassNeedsPerson},
		{zalo.CodeAPINotRegistered, 200, zalo.ClassNeedsPerson},
		{zalo.CodeAppRemoved, 200, zalo.ClassNeedsPerson},
		{zalo.CodeOANotVerified, 200, zalo.ClassNeedsPerson},
		{zalo.CodeAPINotAuthorized, 200, zalo.ClassNeedsPerson},
		{zalo.CodeOAWrongTier, 200, zalo.ClassNeedsPerson},
		{zalo.CodeNoPaymentAccount, 200, zalo.ClassNeedsPerson},
		{zalo.CodePaymentRefused, 200, zalo.ClassNeedsPerson},
		{zalo.CodeCannotCharge, 200, zalo.ClassNeedsPerson},
		{zalo.CodeChargeFailed, 200, zalo.ClassNeedsPerson},
		{zalo.CodeTemplateLowQuality, 200, zalo.ClassNeedsPerson},
		{zalo.CodeNotFollower, 200, zalo.ClassNotFollowing},
		{zalo.CodeBlocked, 200, zalo.ClassBlocked},
		{zalo.CodeNoInteraction, 200, zalo.ClassNoInteraction},
		{zalo.CodeInteractionGone, 200, zalo.ClassNoInteraction},
		{zalo.CodeUserBanned, 200, zalo.ClassGone},
		{zalo.CodeRestricted, 200, zalo.ClassGone},
		{zalo.CodeTemplateNotByUserID, 200, zalo.ClassGone},
		{zalo.CodeInvalidParam, 200, zalo.ClassPermanent},
		{zalo.CodeParamTooLong, 200, zalo.ClassPermanent},
		{zalo.CodeTypeInvalid, 200, zalo.ClassPermanent},
		{zalo.CodeAPIShutDown, 200, zalo.ClassPermanent},
		{zalo.CodeViolation, 200, zalo.ClassPermanent},
		{zalo.CodeTextTooLong, 200, zalo.ClassPermanent},
		{zalo.CodeInvalidRefreshToken, 200, zalo.ClassAuth},
		{zalo.CodeInvalidRefreshToken, 500, zalo.ClassAuth},
		{-14003, 200, zalo.ClassPermanent},
		{-14016, 400, zalo.ClassPermanent},
		{-14019, 200, zalo.ClassPermanent},
		{-14021, 503, zalo.ClassPermanent},
		{-124, 200, zalo.ClassPermanent},
		{-999, 200, zalo.ClassPermanent},
		{-999, 502, zalo.ClassRetryable},
		{zalo.CodeUnknown, 200, zalo.ClassPermanent},
	} {
		got := zalo.Classify(&zalo.Error{Code: tc.code, HTTPStatus: tc.status})
		require.Equal(t, tc.want, got, "code %d, HTTP %d: got %v", tc.code, tc.status, got)
	}
	require.Equal(t, zalo.ClassRetryable, zalo.Classify(context.DeadlineExceeded))
	require.Equal(t, zalo.ClassRetryable, zalo.Classify(&zalo.TransportError{Op: "x", Status: 503}))
	require.Equal(t, zalo.ClassRetryable, zalo.Classify(&zalo.TransportError{Op: "x", Err: errors.New("connection refused")}))
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(&zalo.TransportError{Op: "x", Sent: true, Err: context.DeadlineExceeded}))
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(fmt.Errorf("wrapped: %w", &zalo.TransportError{Op: "x", Sent: true})))
	require.Equal(t, zalo.ClassInDoubt, zalo.Classify(&zalo.TransportError{Op: "x", Sent: true, Status: 502}), "a proxy's answer says nothing of Zalo's work")
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(errors.New("something else")))

	retryable := map[zalo.Class]bool{
		zalo.ClassRetryable: true, zalo.ClassToken: true, zalo.ClassQuota: true, zalo.ClassNightBlock: true,
		zalo.ClassRateLimited: true, zalo.ClassInDoubt: true,
		zalo.ClassPermanent: false, zalo.ClassNotFollowing: false, zalo.ClassBlocked: false,
		zalo.ClassNoInteraction: false, zalo.ClassAuth: false, zalo.ClassNeedsPerson: false, zalo.ClassGone: false,
	}
	names := map[string]bool{}
	for c, want := range retryable {
		require.Equal(t, want, c.Retryable(), c.String())
		require.NotEmpty(t, c.String())
		names[c.String()] = true
	}
	require.Len(t, names, len(retryable), "class names are distinct")
	require.Equal(t, "auth", zalo.ClassAuth.String())
	require.Equal(t, "rate_limited", zalo.ClassRateLimited.String())
	require.Equal(t, "in_doubt", zalo.ClassInDoubt.String())
}
