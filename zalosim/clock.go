package zalosim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Now is the sandbox clock, which every rule reads (the interaction window,
// the silent night, the rate limit, the day of the template quota) and
// which stamps messages, interactions and webhooks: the real clock
// (Config.Now), shifted by SetClock.
func (s *Sim) Now() time.Time {
	return s.cfg.Now().Add(time.Duration(s.offset.Load()))
}

// SetClock sets the sandbox clock to t; it keeps ticking from there.
func (s *Sim) SetClock(t time.Time) {
	s.offset.Store(int64(t.Sub(s.cfg.Now())))
	s.shifted.Store(true)
}

// ResetClock puts the sandbox clock back on real time.
func (s *Sim) ResetClock() {
	s.offset.Store(0)
	s.shifted.Store(false)
}

// atNight tells whether t falls in Zalo's night: 22:00 to 05:59 Vietnam
// time, when templates are delivered without the phone's push (silent).
// Nothing is refused at night: -234 comes only from a fault.
func atNight(t time.Time) bool {
	h := t.In(vntime.Zone).Hour()
	return h >= 22 || h < 6
}

type clockView struct {
	Now     string `json:"now"`     // RFC 3339, UTC
	Shifted bool   `json:"shifted"` // false: real time
}

func (s *Sim) clockView() clockView {
	return clockView{Now: s.Now().UTC().Format(time.RFC3339Nano), Shifted: s.shifted.Load()}
}

// getClock is GET /_sandbox/clock.
func (s *Sim) getClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.clockView())
}

// putClock is PUT /_sandbox/clock {"now":"<RFC 3339>"}.
func (s *Sim) putClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Now string `json:"now"`
	}
	err := json.NewDecoder(r.Body).Decode(&req)
	t, perr := time.Parse(time.RFC3339, req.Now)
	if err != nil || perr != nil {
		controlError(w, http.StatusBadRequest, "bad_request", `body must be JSON like {"now":"2026-01-02T22:00:00+07:00"} (RFC 3339)`)
		return
	}
	s.SetClock(t)
	writeJSON(w, http.StatusOK, s.clockView())
}

// deleteClock is DELETE /_sandbox/clock: back to real time.
func (s *Sim) deleteClock(w http.ResponseWriter, _ *http.Request) {
	s.ResetClock()
	w.WriteHeader(http.StatusNoContent)
}

// postClockForm is the /_sandbox page's clock form (HTML forms cannot
// PUT): "now" is a datetime-local value in Vietnam time (or RFC 3339);
// empty puts the clock back on real time.
func (s *Sim) postClockForm(w http.ResponseWriter, r *http.Request) {
	v := strings.TrimSpace(r.PostFormValue("now"))
	if v == "" {
		s.ResetClock()
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04", v, vntime.Zone)
	}
	if err != nil {
		http.Error(w, "Giờ không hợp lệ: dùng dạng 2026-01-02T22:00 (giờ Việt Nam)", http.StatusBadRequest)
		return
	}
	s.SetClock(t)
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}
