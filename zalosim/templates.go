package zalosim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Template is a ZBS template as Zalo's console holds it: approved (or
// not) by Zalo, and priced per message by user id and by phone.
type Template struct {
	ID            string          `json:"template_id"`
	Name          string          `json:"name"`
	Status        string          `json:"status"`  // ENABLE | PENDING_REVIEW | REJECT | DISABLE
	Tag           string          `json:"tag"`     // TRANSACTION | CUSTOMER_CARE | PROMOTION
	Quality       string          `json:"quality"` // HIGH | MEDIUM | LOW | UNDEFINED
	Params        []TemplateParam `json:"params"`
	PriceUID      int64           `json:"price_uid"` // đồng a message by user id
	PriceSDT      int64           `json:"price_sdt"` // đồng a message by phone
	SendableByUID bool            `json:"sendable_by_uid"`
}

// TemplateParam is one parameter of a template.
type TemplateParam struct {
	Name      string `json:"name"`
	MaxLength int    `json:"max_length"` // in characters, counted after NFC
	Required  bool   `json:"required"`
}

var (
	templateStatuses  = []string{"ENABLE", "PENDING_REVIEW", "REJECT", "DISABLE"}
	templateTags      = []string{"TRANSACTION", "CUSTOMER_CARE", "PROMOTION"}
	templateQualities = []string{"HIGH", "MEDIUM", "LOW", "UNDEFINED"}
)

// maxTemplateText is the most characters a template's text may hold.
const maxTemplateText = 400

// check tells what is wrong with t, in words for the control API.
func (t Template) check() error {
	var bad []string
	if strings.TrimSpace(t.ID) == "" || len(t.ID) > 64 {
		bad = append(bad, "template_id: 1 to 64 characters")
	}
	if strings.TrimSpace(t.Name) == "" {
		bad = append(bad, "name: required")
	}
	for field, v := range map[string]struct {
		got  string
		want []string
	}{"status": {t.Status, templateStatuses}, "tag": {t.Tag, templateTags}, "quality": {t.Quality, templateQualities}} {
		if !slices.Contains(v.want, v.got) {
			bad = append(bad, field+": one of "+strings.Join(v.want, ", "))
		}
	}
	seen := map[string]bool{}
	for i, p := range t.Params {
		if strings.TrimSpace(p.Name) == "" || seen[p.Name] {
			bad = append(bad, fmt.Sprintf("params[%d].name: required and unique", i))
		}
		if p.MaxLength < 1 || p.MaxLength > maxTemplateText {
			bad = append(bad, fmt.Sprintf("params[%d].max_length: 1 to %d", i, maxTemplateText))
		}
		seen[p.Name] = true
	}
	if t.PriceUID < 0 || t.PriceSDT < 0 {
		bad = append(bad, "price_uid, price_sdt: 0 or more đồng")
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// dailyTemplateQuota is how many templates the OA, and each template, may
// send a day as the sandbox reports it. The sandbox refuses nothing for
// quota by itself (faults inject -144 and -147).
const dailyTemplateQuota = 100_000

// templates is the OA's templates and what they sent today.
type templates struct {
	byID  map[string]*Template
	order []string       // ids in creation order
	day   string         // the Vietnam day the counts below are for
	sent  map[string]int // templates sent that day, by template id
	total int            // every template sent that day
}

func newTemplates() templates {
	return templates{byID: map[string]*Template{}, sent: map[string]int{}}
}

// list copies the templates, in creation order.
func (ts *templates) list() []Template {
	out := make([]Template, 0, len(ts.order))
	for _, id := range ts.order {
		t := *ts.byID[id]
		t.Params = slices.Clone(t.Params)
		out = append(out, t)
	}
	return out
}

// render checks a send of template id with data as Zalo does and gives
// the message's inbox text: the template's name, then one "param: value"
// line per parameter. A missing template, or one not approved, is -201; a
// disabled one -146; by user id, one that does not support it -249; a
// required parameter missing or empty -201, a value longer than its
// max_length (in characters after NFC) -210. Keys the template does not
// declare are ignored.
func (ts *templates) render(id string, data map[string]any, byUID bool) (string, int, string) {
	t, ok := ts.byID[id]
	switch {
	case !ok:
		return "", codeInvalidParam, "template_id is not a template of this OA"
	case t.Status == "DISABLE":
		return "", codeTemplateDisabled, "Template is disabled for its low quality"
	case t.Status != "ENABLE":
		return "", codeInvalidParam, "Template is not approved (" + t.Status + ")"
	case byUID && !t.SendableByUID:
		return "", codeNotByUID, "Template does not support sending via UID"
	}
	lines := []string{t.Name}
	for _, p := range t.Params {
		v := ""
		if d, ok := data[p.Name]; ok && d != nil {
			v = norm.NFC.String(plain(d))
		}
		switch {
		case p.Required && strings.TrimSpace(v) == "":
			return "", codeInvalidParam, "template_data: " + p.Name + " is required"
		case utf8.RuneCountInString(v) > p.MaxLength:
			return "", codeParamTooLong, fmt.Sprintf("template_data: %s is longer than %d characters", p.Name, p.MaxLength)
		}
		lines = append(lines, p.Name+": "+v)
	}
	return strings.Join(lines, "\n"), 0, ""
}

// spend counts one message of template id sent at now, and answers the
// OA's daily quota and what remains of it.
func (ts *templates) spend(id string, now time.Time) (daily, remain int) {
	ts.roll(now)
	ts.sent[id]++
	ts.total++
	return dailyTemplateQuota, max(0, dailyTemplateQuota-ts.total)
}

// remaining is what template id may still send today.
func (ts *templates) remaining(id string, now time.Time) int {
	ts.roll(now)
	return max(0, dailyTemplateQuota-ts.sent[id])
}

// roll starts the counts afresh on a new Vietnam day.
func (ts *templates) roll(now time.Time) {
	if day := now.In(vntime.Zone).Format(time.DateOnly); day != ts.day {
		ts.day, ts.sent, ts.total = day, map[string]int{}, 0
	}
}

// Templates lists the OA's templates, as GET /_sandbox/templates.
func (s *Sim) Templates() []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tpl.list()
}

// SetTemplate creates or replaces a template, as PUT
// /_sandbox/templates/{id}: a change of status or quality sends the signed
// change_template_status or change_template_quality webhook; creating a
// template sends nothing. It answers the first delivery's HTTP status of
// each webhook sent.
func (s *Sim) SetTemplate(t Template) (map[string]int, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	t.Params = slices.Clone(t.Params)
	s.mu.Lock()
	var events []hook
	if old, ok := s.tpl.byID[t.ID]; ok {
		if old.Status != t.Status {
			events = append(events, s.templateEvent("change_template_status", t))
		}
		if old.Quality != t.Quality {
			events = append(events, s.templateEvent("change_template_quality", t))
		}
	} else {
		s.tpl.order = append(s.tpl.order, t.ID)
	}
	s.tpl.byID[t.ID] = &t
	s.mu.Unlock()
	sent := map[string]int{}
	for _, h := range events {
		sent[h.event] = s.sendWebhook(h)
	}
	return sent, nil
}

// listTemplates is GET /_sandbox/templates.
func (s *Sim) listTemplates(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.Templates()})
}

// putTemplate is PUT /_sandbox/templates/{id}: the whole template but its
// id. quality defaults to UNDEFINED and sendable_by_uid to true.
func (s *Sim) putTemplate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Template
		SendableByUID *bool `json:"sendable_by_uid"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", `body must be JSON like {"name":"Biến động số dư","status":"ENABLE","tag":"TRANSACTION",`+
			`"quality":"HIGH","params":[{"name":"so_tien","max_length":30,"required":true}],"price_uid":200,"price_sdt":300,"sendable_by_uid":true}`)
		return
	}
	t := req.Template
	t.ID, t.SendableByUID = r.PathValue("id"), req.SendableByUID == nil || *req.SendableByUID
	if t.Quality == "" {
		t.Quality = "UNDEFINED"
	}
	sent, err := s.SetTemplate(t)
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Template
		Webhooks map[string]int `json:"webhooks"`
	}{t, sent})
}

// postTemplateStatusForm is the /_sandbox page's status picker.
func (s *Sim) postTemplateStatusForm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, ok := s.tpl.byID[r.PathValue("id")]
	var changed Template
	if ok {
		changed = *t
		changed.Status = r.PostFormValue("status")
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "Không có mẫu tin này", http.StatusNotFound)
		return
	}
	if _, err := s.SetTemplate(changed); err != nil {
		http.Error(w, "Trạng thái không hợp lệ: "+err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}

// templateSummary is one item of GET /template/all, in Zalo's names.
type templateSummary struct {
	ID      string `json:"template_id"`
	Name    string `json:"template_name"`
	Status  string `json:"template_status"`
	Tag     string `json:"template_tag"`
	Quality string `json:"template_quality"`
}

func summary(t Template) templateSummary {
	return templateSummary{ID: t.ID, Name: t.Name, Status: t.Status, Tag: t.Tag, Quality: t.Quality}
}

// zaloStatusNumbers are ZNS's numbers for the status filter of
// template/all, taken besides the names.
var zaloStatusNumbers = map[string]string{"1": "ENABLE", "2": "PENDING_REVIEW", "3": "REJECT", "4": "DISABLE"}

// templateList is GET /template/all?offset&limit&status: a page of the
// OA's templates in creation order, and how many match in metadata.total.
func (s *Sim) templateList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, err1 := strconv.Atoi(orDefault(q.Get("offset"), "0"))
	limit, err2 := strconv.Atoi(q.Get("limit"))
	status := q.Get("status")
	if n, ok := zaloStatusNumbers[status]; ok {
		status = n
	}
	if err1 != nil || err2 != nil || offset < 0 || limit < 1 || limit > 100 || status != "" && !slices.Contains(templateStatuses, status) {
		s.refuse(w, codeInvalidParam, "Parameters are invalid: offset ≥ 0, limit 1 to 100, status a template status")
		return
	}
	var match []templateSummary
	for _, t := range s.Templates() {
		if status == "" || t.Status == status {
			match = append(match, summary(t))
		}
	}
	page := []templateSummary{}
	for i := offset; i < len(match) && i < offset+limit; i++ {
		page = append(page, match[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"error": 0, "message": "Success", "data": page, "metadata": map[string]int{"total": len(match)},
	})
}

// templateParamInfo is one of template/info's listParams.
type templateParamInfo struct {
	Name       string `json:"name"`
	Require    bool   `json:"require"`
	Type       string `json:"type"`
	MaxLength  int    `json:"maxLength"`
	MinLength  int    `json:"minLength"`
	AcceptNull bool   `json:"acceptNull"`
}

// templateInfo is GET /template/info/v2?template_id: one template in
// Zalo's names, with its parameters, prices and today's quota.
func (s *Sim) templateInfo(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("template_id")
	s.mu.Lock()
	t, ok := s.tpl.byID[id]
	var info map[string]any
	if ok {
		params := []templateParamInfo{}
		for _, p := range t.Params {
			pi := templateParamInfo{Name: p.Name, Require: p.Required, Type: "STRING", MaxLength: p.MaxLength, AcceptNull: !p.Required}
			if p.Required {
				pi.MinLength = 1
			}
			params = append(params, pi)
		}
		info = map[string]any{
			"template_id": t.ID, "template_name": t.Name, "template_status": t.Status, "template_tag": t.Tag,
			"template_quality": t.Quality, "listParams": params, "price_uid": t.PriceUID, "price_sdt": t.PriceSDT,
			"sendable_by_uid": t.SendableByUID, "template_daily_quota": dailyTemplateQuota,
			"template_remaining_quota": s.tpl.remaining(id, s.Now()),
			"preview_url":              "http://" + r.Host + "/_sandbox#template-" + t.ID,
		}
	}
	s.mu.Unlock()
	if !ok {
		s.refuse(w, codeInvalidParam, "template_id is not a template of this OA")
		return
	}
	zaloOK(w, info)
}

// orDefault is v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
