package zalosim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

func TestUnfollowFaultsAndMessageLog(t *testing.T) {
	t.Parallel()
	sim := zalosim.New(zalosim.Config{OAAccessToken: "tok", Seed: 9})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	call := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("access_token", "tok")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}
	sendTo := func(u zalosim.User, text string) string {
		_, body := call("POST", "/v3.0/oa/message/cs", `{"recipient":{"user_id":"`+u.OAUserID+`"},"message":{"text":"`+text+`"}}`)
		return body
	}
	lan, minh := sim.CreateUser("Lan", true), sim.CreateUser("Minh", true)
	_, err := sim.SetTemplate(zalosim.Template{ID: "t1", Name: "Biến động số dư", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH",
		Params: []zalosim.TemplateParam{{Name: "amount", MaxLength: 20}}, SendableByUID: true})
	require.NoError(t, err)

	require.Contains(t, sendTo(lan, "một"), `"error":0`)
	_, body := call("POST", "/v3.0/oa/message/template", `{"user_id":"`+minh.OAUserID+`","template_id":"t1","template_data":{"amount":"+599.000 VND"}}`)
	require.Contains(t, body, `"error":0`)

	status, body := call("POST", "/_sandbox/users/"+lan.OAUserID+"/unfollow", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"follows":false`)
	require.Contains(t, sendTo(lan, "hai"), `"error":-213`)

	call("PUT", "/_sandbox/faults", `{"error_code":-32}`)
	require.Contains(t, sendTo(minh, "ba"), `"error":-32`)
	status, _ = call("DELETE", "/_sandbox/faults", "")
	require.Equal(t, http.StatusNoContent, status)
	require.Contains(t, sendTo(minh, "bốn"), `"error":0`, "DELETE clears the faults")

	_, body = call("GET", "/_sandbox/messages", "")
	var log struct {
		Items []struct {
			UserID string `json:"user_id"`
			Text   string `json:"text"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &log))
	require.Len(t, log.Items, 3, "refused calls deliver nothing")
	require.Equal(t, lan.OAUserID, log.Items[0].UserID)
	require.Equal(t, "một", log.Items[0].Text)
	require.Contains(t, log.Items[1].Text, "+599.000 VND")
	require.Equal(t, "bốn", log.Items[2].Text)

	_, body = call("GET", "/_sandbox/messages?offset=2", "")
	require.NoError(t, json.Unmarshal([]byte(body), &log))
	require.Len(t, log.Items, 1, "offset skips what a poller has read")
	require.Equal(t, "bốn", log.Items[0].Text)
	_, body = call("GET", "/_sandbox/messages?offset=99", "")
	require.JSONEq(t, `{"items":[]}`, body)
	status, _ = call("GET", "/_sandbox/messages?offset=-1", "")
	require.Equal(t, http.StatusBadRequest, status)
}
