package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAnOAIsConnectedAgainThroughItsAdminsConsent: `tingting oa connect`
// prints the console's consent link; the admin's consent comes back to
// the API, which stores the new pair and has the keeper use it. Zalo's
// consent ends the old pair, so the next alert arrives only if the new one
// is what the sends use.
func TestAnOAIsConnectedAgainThroughItsAdminsConsent(t *testing.T) {
	sh := newShop(t)
	first := sh.post(t, 10_000)
	require.Eventually(t, func() bool { return sh.deliveryOf(t, first).Status == "sent" }, 20*time.Second, 50*time.Millisecond)
	// The worker reads getoa as it starts: the OA tingting sends as.
	require.Eventually(t, func() bool {
		var oa struct {
			OAID string `json:"oa_id"`
		}
		call(t, "GET", sh.apiURL+"/v1/zalo-oa", sh.key, nil, &oa)
		return oa.OAID != ""
	}, 20*time.Second, 100*time.Millisecond)

	var out bytes.Buffer
	require.NoError(t, sh.run(context.Background(), &out, "oa", "connect"))
	link := strings.TrimSpace(out.String()[strings.LastIndex(strings.TrimSpace(out.String()), "\n")+1:])
	require.Equal(t, sh.env["ZALO_OA_CONSENT_URL"], link, "the console's link, as configured: never one of our own")

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(link + "&sandbox_consent=1")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	back := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(back, sh.apiURL+"/v1/oauth/zalo-oa/callback?"), back)

	res, err = noFollow.Get(back)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/?oa=connected", res.Header.Get("Location"))

	second := sh.post(t, 20_000)
	require.Eventually(t, func() bool { return sh.deliveryOf(t, second).Status == "sent" }, 20*time.Second, 50*time.Millisecond,
		"sent with the pair the consent gave (the old one no longer works)")
	require.Len(t, sh.sim.Inbox(sh.owner.OAUserID), 2)

	res, err = noFollow.Get(back)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadGateway, res.StatusCode, "a consent code is spent by its first use")

	out.Reset()
	require.NoError(t, sh.run(context.Background(), &out, "oa", "status"))
	require.Contains(t, out.String(), "Every route takes messages.")
}
