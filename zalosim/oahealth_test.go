package zalosim_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestGetOA: getoa answers the OA's standing as PUT /_sandbox/oa leaves
// it: partly replaced, linked_zca by id or by a boolean.
func TestGetOA(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	w.sim.CreateUser("Lan", true)
	w.sim.CreateUser("Tú", false)
	read := func() map[string]any {
		body, _ := w.oa(t, "GET", "/v2.0/oa/getoa", "")
		var a struct {
			Error int            `json:"error"`
			Data  map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &a), body)
		require.Zero(t, a.Error)
		return a.Data
	}
	got := read()
	require.Regexp(t, `^\d\d/\d\d/\d{4}$`, got["package_valid_through_date"], "a year from the sandbox's start")
	delete(got, "package_valid_through_date")
	require.Equal(t, map[string]any{
		"oaid": "579745863508352884", "name": "tingting (sandbox)", "is_verified": true, "package_name": "Premium",
		"linked_ZCA": "7401122334455667788", "num_follower": 1.0,
	}, got, "a healthy OA at start")

	put := func(body string) (int, string) {
		status, ans, _ := w.do(t, "PUT", "/_sandbox/oa", "application/json", body)
		return status, ans
	}
	status, body := put(`{"is_verified":false}`)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"is_verified":false,"package_name":"Premium","linked_zca":"7401122334455667788"}`, body, "the rest kept")
	_, body = put(`{"package_name":"","linked_zca":false}`)
	require.JSONEq(t, `{"is_verified":false,"package_name":"","linked_zca":""}`, body)
	got = read()
	require.Equal(t, "", got["package_valid_through_date"], "no package, no date")
	require.Equal(t, "", got["linked_ZCA"])
	_, body = put(`{"is_verified":true,"package_name":"Nâng cao","linked_zca":"123"}`)
	require.JSONEq(t, `{"is_verified":true,"package_name":"Nâng cao","linked_zca":"123"}`, body)
	require.Equal(t, "10/03/2027", read()["package_valid_through_date"], "a package taken anew runs a year from the sandbox clock")
	_, body = put(`{"linked_zca":true}`)
	require.Contains(t, body, `"linked_zca":"7401122334455667788"`)
	_, body, _ = w.do(t, "GET", "/_sandbox/oa", "", "")
	require.JSONEq(t, `{"is_verified":true,"package_name":"Nâng cao","linked_zca":"7401122334455667788"}`, body)
	require.Equal(t, zalosim.OA{IsVerified: true, PackageName: "Nâng cao", LinkedZCA: "7401122334455667788"}, w.sim.OA())
	for _, bad := range []string{`{"is_verified":"yes"}`, `{"linked_zca":1}`, `{`} {
		status, _ = put(bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}
	require.Equal(t, 3, w.sim.Stats().Calls[zalosim.KindGetOA])
}

// TestOAStandingGatesSends: a missing piece of the OA's standing refuses
// the sends Zalo gates on it, and nothing else.
func TestOAStandingGatesSends(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		oa                 zalosim.OA
		cs, byUID, byPhone int
	}{
		{"healthy", zalosim.OA{IsVerified: true, PackageName: "Premium", LinkedZCA: "1"}, 0, 0, 0},
		{"not verified", zalosim.OA{PackageName: "Premium", LinkedZCA: "1"}, -221, -221, -221},
		{"no package", zalosim.OA{IsVerified: true, LinkedZCA: "1"}, -224, -224, 0},
		{"no Zalo Cloud Account", zalosim.OA{IsVerified: true, PackageName: "Premium"}, 0, -320, -320},
		{"nothing: not verified comes first", zalosim.OA{}, -221, -221, -221},
		{"no package nor ZCA", zalosim.OA{IsVerified: true}, -224, -224, -320},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
			w.putTemplate(t, "tpl")
			lan := w.sim.CreateUser("Lan", true)
			w.sim.SetOA(tc.oa)
			body, _ := w.oa(t, "POST", "/v3.0/oa/message/cs", csBody(lan.OAUserID, "hi"))
			require.Equal(t, tc.cs, zaloCode(t, body), "cs")
			body, _ = w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "tpl", `{"so_tien":"1"}`))
			require.Equal(t, tc.byUID, zaloCode(t, body), "template")
			body, _ = w.oa(t, "POST", "/message/template", phoneBody("84901234567", "tpl", `{"so_tien":"1"}`, "t"))
			require.Equal(t, tc.byPhone, zaloCode(t, body), "template_phone")
			for _, read := range []string{
				"/v2.0/oa/getoa", `/v3.0/oa/user/detail?data={"user_id":"` + lan.OAUserID + `"}`, "/template/all?limit=1",
				`/v2.0/oa/conversation?data={"user_id":"` + lan.OAUserID + `","offset":0,"count":1}`,
			} {
				body, _ = w.oa(t, "GET", read, "")
				require.Zero(t, zaloCode(t, body), "reads are not gated: %s", read)
			}
		})
	}
}
