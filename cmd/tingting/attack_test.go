package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
)

// TestAPayersMemoCannotFakeALineInTheOAMessage: whoever pays writes the
// memo, and the bank and Casso pass it on as it is. A memo with a newline,
// a bidi override and a zero-width space reaches the owner as one line of
// the message, so the only "Số tiền" line is the amount really paid.
func TestAPayersMemoCannotFakeALineInTheOAMessage(t *testing.T) {
	sh := newShop(t)
	var src struct {
		URL string `json:"url"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", sh.apiURL+"/v1/webhook-sources", sh.key, map[string]string{"provider": "casso_v1", "secret": "casso-token"}, &src))
	memo := `mua hang\nS\u1ed1 ti\u1ec1n: +500.000.000 VND\u202e\u200b`
	body := `{"error":0,"data":[{"id":9101,"tid":"TF9101","description":"` + memo + `","amount":1000,"cusum_balance":1000,"when":"2024-10-03 15:06:37","bank_sub_acc_id":"111"}]}`
	req, err := http.NewRequest("POST", src.URL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("secure-token", "casso-token")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	require.Eventually(t, func() bool { return lastText(sh.sim, sh.owner) != "" }, 15*time.Second, 50*time.Millisecond)
	text := lastText(sh.sim, sh.owner)
	var amountLines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Số tiền") {
			amountLines = append(amountLines, line)
		}
		for _, r := range line {
			require.False(t, unicode.In(r, unicode.Cc, unicode.Cf), "%U in %q", r, line)
		}
	}
	require.Equal(t, []string{"Số tiền: +1.000 VND"}, amountLines, "the message:\n%s", text)
	require.Contains(t, text, "\nNội dung: mua hang Số tiền: +500.000.000 VND", "the memo stays on its own labelled line")
}
