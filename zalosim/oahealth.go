package zalosim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// OA is the OA's standing, the three things that silently gate sending:
// verified by Zalo, on a paid package, linked to a Zalo Cloud Account
// that pays for templates. getoa answers it.
type OA struct {
	IsVerified  bool   `json:"is_verified"`
	PackageName string `json:"package_name"` // "" = no package
	LinkedZCA   string `json:"linked_zca"`   // the ZCA's id; "" = none
}

// The sandbox OA's name and its standing at start.
const (
	oaName         = "tingting (sandbox)"
	defaultPackage = "Premium"
	defaultZCA     = "7401122334455667788"
)

type oaHealth struct {
	OA
	packageUntil time.Time
}

func newOAHealth(now time.Time) oaHealth {
	return oaHealth{OA: OA{IsVerified: true, PackageName: defaultPackage, LinkedZCA: defaultZCA}, packageUntil: now.AddDate(1, 0, 0)}
}

// set replaces the standing; a package taken anew runs a year from now.
func (h *oaHealth) set(oa OA, now time.Time) {
	if oa.PackageName != "" && h.PackageName == "" {
		h.packageUntil = now.AddDate(1, 0, 0)
	}
	h.OA = oa
}

// refusal is how Zalo refuses a send of kind while a piece of the OA's
// standing is missing: an unverified OA sends nothing (-221); without a
// package the OA API's messages (cs, template by user id) are refused
// (-224); without a Zalo Cloud Account nothing charged per message goes,
// templates by user id and by phone (-320). Other kinds pass.
func (h oaHealth) refusal(kind Kind) (int, string) {
	if kind != KindCS && kind != KindTemplate && kind != KindTemplatePhone {
		return 0, ""
	}
	switch {
	case !h.IsVerified:
		return codeNotVerified, "Official Account is not verified"
	case h.PackageName == "" && kind != KindTemplatePhone:
		return codeNoPackage, "Official Account's package does not allow this API"
	case h.LinkedZCA == "" && kind != KindCS:
		return codeNoZCA, "Official Account has no linked Zalo Cloud Account"
	}
	return 0, ""
}

// OA returns the OA's standing.
func (s *Sim) OA() OA {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oa.OA
}

// SetOA replaces the OA's standing, as PUT /_sandbox/oa.
func (s *Sim) SetOA(oa OA) {
	s.mu.Lock()
	s.oa.set(oa, s.Now())
	s.mu.Unlock()
}

// getOA is GET /v2.0/oa/getoa.
func (s *Sim) getOA(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	h := s.oa
	followers := 0
	for _, a := range s.users {
		if a.Follows {
			followers++
		}
	}
	s.mu.Unlock()
	until := ""
	if h.PackageName != "" {
		until = h.packageUntil.In(vntime.Zone).Format("02/01/2006")
	}
	zaloOK(w, map[string]any{
		"oaid": oaID, "name": oaName, "is_verified": h.IsVerified, "package_name": h.PackageName,
		"package_valid_through_date": until, "linked_ZCA": h.LinkedZCA, "num_follower": followers,
	})
}

// getOAControl is GET /_sandbox/oa.
func (s *Sim) getOAControl(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.OA())
}

// putOA is PUT /_sandbox/oa {is_verified?, package_name?, linked_zca?}: the
// fields given replace the OA's; linked_zca is the ZCA's id, or a boolean
// (true links the sandbox's ZCA, false unlinks).
func (s *Sim) putOA(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IsVerified  *bool           `json:"is_verified"`
		PackageName *string         `json:"package_name"`
		LinkedZCA   json.RawMessage `json:"linked_zca"`
	}
	err := json.NewDecoder(r.Body).Decode(&req)
	oa := s.OA()
	if err == nil && len(req.LinkedZCA) > 0 {
		oa.LinkedZCA, err = zcaValue(req.LinkedZCA)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request",
			`body must be JSON like {"is_verified":true,"package_name":"Premium","linked_zca":"7401122334455667788"} (linked_zca may be true or false)`)
		return
	}
	if req.IsVerified != nil {
		oa.IsVerified = *req.IsVerified
	}
	if req.PackageName != nil {
		oa.PackageName = strings.TrimSpace(*req.PackageName)
	}
	s.SetOA(oa)
	writeJSON(w, http.StatusOK, s.OA())
}

// zcaValue reads linked_zca: an id (a string), or a boolean.
func zcaValue(raw json.RawMessage) (string, error) {
	var linked bool
	if err := json.Unmarshal(raw, &linked); err == nil {
		if linked {
			return defaultZCA, nil
		}
		return "", nil
	}
	var id string
	err := json.Unmarshal(raw, &id)
	return strings.TrimSpace(id), err
}

// postOAForm is the /_sandbox page's OA form: unticked boxes and empty
// fields remove the piece.
func (s *Sim) postOAForm(w http.ResponseWriter, r *http.Request) {
	oa := s.OA()
	oa.IsVerified, oa.PackageName = r.PostFormValue("is_verified") != "", strings.TrimSpace(r.PostFormValue("package_name"))
	switch {
	case r.PostFormValue("linked_zca") == "":
		oa.LinkedZCA = ""
	case oa.LinkedZCA == "":
		oa.LinkedZCA = defaultZCA
	}
	s.SetOA(oa)
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}
