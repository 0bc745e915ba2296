package zalosim_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalosim"
)

// TestTemplateControlAPI: PUT creates or replaces a template (quality
// UNDEFINED and sendable_by_uid true unless said), GET lists them in
// creation order, and a bad template is a 400 naming what is wrong.
func TestTemplateControlAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	body := w.putTemplate(t, "356701")
	require.Contains(t, body, `"template_id":"356701"`)
	require.Contains(t, body, `"sendable_by_uid":true`)
	require.Contains(t, body, `"webhooks":{}`, "creating sends nothing")
	w.putTemplate(t, "100", `"quality":"HIGH",`, "", `"ENABLE"`, `"PENDING_REVIEW"`)
	w.putTemplate(t, "356701", `"price_uid":200`, `"price_uid":250`)

	_, body, _ = w.do(t, "GET", "/_sandbox/templates", "", "")
	var list struct {
		Items []zalosim.Template `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Equal(t, []zalosim.Template{
		{ID: "356701", Name: "Biến động số dư", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH",
			Params:   []zalosim.TemplateParam{{Name: "so_tien", MaxLength: 20, Required: true}, {Name: "noi_dung", MaxLength: 10}},
			PriceUID: 250, PriceSDT: 300, SendableByUID: true},
		{ID: "100", Name: "Biến động số dư", Status: "PENDING_REVIEW", Tag: "TRANSACTION", Quality: "UNDEFINED",
			Params:   []zalosim.TemplateParam{{Name: "so_tien", MaxLength: 20, Required: true}, {Name: "noi_dung", MaxLength: 10}},
			PriceUID: 200, PriceSDT: 300, SendableByUID: true},
	}, list.Items, "replaced in place, created in order")
	require.Equal(t, list.Items, w.sim.Templates())

	for name, bad := range map[string]string{
		"not JSON":            `{"name":`,
		"no name":             `{"status":"ENABLE","tag":"TRANSACTION"}`,
		"unknown status":      `{"name":"x","status":"APPROVED","tag":"TRANSACTION"}`,
		"unknown tag":         `{"name":"x","status":"ENABLE","tag":"OTP"}`,
		"unknown quality":     `{"name":"x","status":"ENABLE","tag":"TRANSACTION","quality":"GREEN"}`,
		"param without name":  `{"name":"x","status":"ENABLE","tag":"TRANSACTION","params":[{"max_length":5}]}`,
		"param twice":         `{"name":"x","status":"ENABLE","tag":"TRANSACTION","params":[{"name":"a","max_length":5},{"name":"a","max_length":5}]}`,
		"param max_length 0":  `{"name":"x","status":"ENABLE","tag":"TRANSACTION","params":[{"name":"a"}]}`,
		"max_length over 400": `{"name":"x","status":"ENABLE","tag":"TRANSACTION","params":[{"name":"a","max_length":401}]}`,
		"negative price":      `{"name":"x","status":"ENABLE","tag":"TRANSACTION","price_sdt":-1}`,
	} {
		status, body, _ := w.do(t, "PUT", "/_sandbox/templates/x", "application/json", bad)
		require.Equal(t, http.StatusBadRequest, status, name)
		require.Contains(t, body, `"code":"bad_request"`, name)
	}
	_, body, _ = w.do(t, "PUT", "/_sandbox/templates/x", "application/json", `{"name":"x","status":"ENABLE","tag":"OTP","quality":"GREEN"}`)
	require.Contains(t, body, "quality: one of HIGH, MEDIUM, LOW, UNDEFINED; tag: one of TRANSACTION, CUSTOMER_CARE, PROMOTION")
	_, err := w.sim.SetTemplate(zalosim.Template{ID: "y", Name: "y", Status: "ENABLE", Tag: "TRANSACTION"})
	require.Error(t, err, "in process too: a quality is required")
	require.Len(t, w.sim.Templates(), 2)
}

// TestTemplateWebhooks: a status change sends a signed
// change_template_status, a quality change a change_template_quality, both
// carrying the template's id, status and quality; anything else sends
// nothing.
func TestTemplateWebhooks(t *testing.T) {
	t.Parallel()
	w, h := hookedWorld(t, zalosim.Config{})
	w.setClock(t, "2026-03-10T10:00:00+07:00")
	w.putTemplate(t, "356701", `"ENABLE"`, `"PENDING_REVIEW"`)
	h.none(t)

	body := w.putTemplate(t, "356701")
	require.Contains(t, body, `"webhooks":{"change_template_status":200}`)
	e := h.next(t)
	ms, err := strconv.ParseInt(e["timestamp"].(string), 10, 64)
	require.NoError(t, err)
	require.WithinDuration(t, time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC), time.UnixMilli(ms), time.Second, "by the sandbox clock")
	delete(e, "timestamp")
	require.Equal(t, map[string]any{
		"app_id": "1", "oa_id": "579745863508352884", "event_name": "change_template_status", "template_id": "356701",
		"status": "ENABLE", "quality": "HIGH",
	}, e)

	w.putTemplate(t, "356701", `"HIGH"`, `"LOW"`)
	e = h.next(t)
	require.Equal(t, "change_template_quality", e["event_name"])
	require.Equal(t, "LOW", e["quality"])
	require.Equal(t, "ENABLE", e["status"])

	w.putTemplate(t, "356701", `"HIGH"`, `"MEDIUM"`, `"ENABLE"`, `"DISABLE"`)
	require.Equal(t, "change_template_status", h.next(t)["event_name"])
	require.Equal(t, "change_template_quality", h.next(t)["event_name"])
	w.putTemplate(t, "356701", `"HIGH"`, `"MEDIUM"`, `"ENABLE"`, `"DISABLE"`, `"price_sdt":300`, `"price_sdt":350`)
	h.none(t)
}

// TestZaloTemplateReads: template/all lists summaries in pages, filtered by
// status (by name or ZNS's number); template/info/v2 gives one template in
// Zalo's names, with its parameters, prices and today's quota.
func TestZaloTemplateReads(t *testing.T) {
	t.Parallel()
	w := newWorld(t, zalosim.Config{OAAccessToken: "tok"})
	w.putTemplate(t, "a")
	w.putTemplate(t, "b", `"ENABLE"`, `"REJECT"`)
	w.putTemplate(t, "c", `"TRANSACTION"`, `"CUSTOMER_CARE"`)
	type list struct {
		Error int `json:"error"`
		Data  []struct {
			ID      string `json:"template_id"`
			Name    string `json:"template_name"`
			Status  string `json:"template_status"`
			Tag     string `json:"template_tag"`
			Quality string `json:"template_quality"`
		} `json:"data"`
		Metadata struct {
			Total int `json:"total"`
		} `json:"metadata"`
	}
	read := func(query string) list {
		body, _ := w.oa(t, "GET", "/template/all?"+query, "")
		var l list
		require.NoError(t, json.Unmarshal([]byte(body), &l), body)
		return l
	}
	l := read("offset=0&limit=2")
	require.Zero(t, l.Error)
	require.Equal(t, 3, l.Metadata.Total)
	require.Len(t, l.Data, 2)
	require.Equal(t, "a", l.Data[0].ID)
	require.Equal(t, "Biến động số dư", l.Data[0].Name)
	require.Equal(t, "ENABLE", l.Data[0].Status)
	require.Equal(t, "TRANSACTION", l.Data[0].Tag)
	require.Equal(t, "HIGH", l.Data[0].Quality)
	l = read("offset=2&limit=2")
	require.Len(t, l.Data, 1)
	require.Equal(t, "c", l.Data[0].ID)
	for _, q := range []string{"limit=10&status=ENABLE", "limit=10&status=1"} {
		l = read(q)
		require.Equal(t, 2, l.Metadata.Total, q)
		require.Equal(t, "c", l.Data[1].ID, q)
	}
	require.Equal(t, "b", read("limit=10&status=3").Data[0].ID)
	for _, bad := range []string{"limit=0", "limit=101", "offset=-1&limit=1", "limit=x", "limit=1&status=APPROVED", ""} {
		require.Equal(t, -201, read(bad).Error, bad)
	}

	lan := w.sim.CreateUser("Lan", true)
	w.oa(t, "POST", "/v3.0/oa/message/template", templateBody(lan.OAUserID, "a", `{"so_tien":"1"}`))
	body, _ := w.oa(t, "GET", "/template/info/v2?template_id=a", "")
	var info struct {
		Error int            `json:"error"`
		Data  map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &info), body)
	require.Zero(t, info.Error)
	require.Contains(t, info.Data["preview_url"], "/_sandbox#template-a")
	delete(info.Data, "preview_url")
	require.Equal(t, map[string]any{
		"template_id": "a", "template_name": "Biến động số dư", "template_status": "ENABLE", "template_tag": "TRANSACTION",
		"template_quality": "HIGH", "price_uid": 200.0, "price_sdt": 300.0, "sendable_by_uid": true,
		"template_daily_quota": 100000.0, "template_remaining_quota": 99999.0,
		"listParams": []any{
			map[string]any{"name": "so_tien", "require": true, "type": "STRING", "maxLength": 20.0, "minLength": 1.0, "acceptNull": false},
			map[string]any{"name": "noi_dung", "require": false, "type": "STRING", "maxLength": 10.0, "minLength": 0.0, "acceptNull": true},
		},
	}, info.Data)
	body, _ = w.oa(t, "GET", "/template/info/v2?template_id=nope", "")
	require.Equal(t, -201, zaloCode(t, body))
	_, body, _ = w.do(t, "GET", "/template/all?limit=10", "", "")
	require.Equal(t, -216, zaloCode(t, body), "reads need the OA's token")
}
