package zalosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// faultable are the kinds a fault may aim at: every kind but the
// transaction route, which refuses everything anyway.
var faultable = slices.DeleteFunc(slices.Clone(kinds), func(k Kind) bool { return k == KindTransaction })

func (f Faults) valid() bool {
	for _, k := range f.Routes {
		if !slices.Contains(faultable, k) {
			return false
		}
	}
	return f.ErrorRate >= 0 && f.ErrorRate <= 1 && f.LatencyMS >= 0 && f.LatencyMS <= 60_000 && f.RateLimitPerMinute >= 0 &&
		(f.HTTPStatus == 0 || f.HTTPStatus >= 400 && f.HTTPStatus <= 599)
}

// normalized applies an error code or HTTP status given without a rate to
// every call.
func (f Faults) normalized() Faults {
	if f.ErrorRate == 0 && (f.ErrorCode != 0 || f.HTTPStatus != 0) {
		f.ErrorRate = 1
	}
	return f
}

// aims tells whether the error, status and latency reach a call of kind
// ("": a read no kind names, such as user/detail). With no routes they
// reach every OA API call, but not the token route: a refresh whose answer
// is lost spends the OA's single-use refresh token, so that is only done
// when asked by name.
func (f Faults) aims(kind Kind) bool {
	if len(f.Routes) == 0 {
		return kind != KindToken
	}
	return slices.Contains(f.Routes, kind)
}

// SetFaults is PUT /_sandbox/faults, for in-process callers.
func (s *Sim) SetFaults(f Faults) {
	f.Routes = slices.Clone(f.Routes)
	s.mu.Lock()
	s.faults = f.normalized()
	s.mu.Unlock()
}

// faultsFor is what a call of kind meets: the faults if they aim at it,
// else none (the rate limit aims at no kind: it is the app's).
func (s *Sim) faultsFor(kind Kind) Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.faults.aims(kind) {
		return Faults{}
	}
	return s.faults
}

// strikes draws whether this call fails by f's error code or HTTP status.
func (s *Sim) strikes(f Faults) bool {
	if f.ErrorCode == 0 && f.HTTPStatus == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < f.ErrorRate
}

// oaAPI wraps a route of the OA API or the ZNS host: it counts the call
// (kind "" is not counted), waits the injected latency, applies the rate
// limit and the injected faults, checks the access token and the OA's
// standing, and only then runs h. The latency comes first and the call
// takes effect even when its caller stopped waiting: that is what a lost
// answer looks like.
func (s *Sim) oaAPI(kind Kind, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(kind)
		f := s.faultsFor(kind)
		time.Sleep(time.Duration(f.LatencyMS) * time.Millisecond)
		if !s.admit(w) {
			s.refuse(w, codeRateLimit, "The application has exceeded the API rate limit")
			return
		}
		struck := s.strikes(f)
		switch {
		case struck && f.HTTPStatus != 0:
			http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
			return
		case struck:
			s.refuse(w, f.ErrorCode, "Injected by the sandbox")
			return
		case !s.validOAToken(r.Header.Get("access_token")):
			s.refuse(w, codeBadToken, "Access token is invalid")
			return
		}
		s.mu.Lock()
		code, why := s.oa.refusal(kind)
		s.mu.Unlock()
		if code != 0 {
			s.refuse(w, code, why)
			return
		}
		h(w, r)
	}
}

// tokenAPI wraps the OA token route as oaAPI does the OA API: counted as
// KindToken, with the faults aimed at it by name, answered as Zalo's OAuth
// server answers (errors not counted in Stats.Refused).
func (s *Sim) tokenAPI(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(KindToken)
		f := s.faultsFor(KindToken)
		time.Sleep(time.Duration(f.LatencyMS) * time.Millisecond)
		if s.strikes(f) {
			if f.HTTPStatus != 0 {
				http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
			} else {
				oauthError(w, f.ErrorCode, "Injected by the sandbox")
			}
			return
		}
		h(w, r)
	}
}

// rateWindow is the span the rate limit counts calls over.
const rateWindow = time.Minute

// admit applies the rate limit, if one is set: it counts the call when
// there is room and sets the X-RateLimit-* headers either way. Only
// admitted calls count; counting starts when the limit is set.
func (s *Sim) admit(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.faults.RateLimitPerMinute
	if limit <= 0 {
		s.calls = nil
		return true
	}
	now := s.Now()
	kept := s.calls[:0]
	for _, t := range s.calls {
		if d := now.Sub(t); d >= 0 && d < rateWindow {
			kept = append(kept, t)
		}
	}
	s.calls = kept
	ok := len(s.calls) < limit
	if ok {
		s.calls = append(s.calls, now)
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remain", strconv.Itoa(limit-len(s.calls)))
	return ok
}

// putFaults is PUT /_sandbox/faults.
func (s *Sim) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil || !f.valid() {
		controlError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf(
			`body must be JSON like {"error_code":-32,"error_rate":0.5,"latency_ms":50,"http_status":503,"rate_limit_per_minute":100,"routes":["cs"]}; `+
				"error_rate in 0..1, latency_ms up to 60000, routes among %s", joinKinds(faultable)))
		return
	}
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, f.normalized())
}

// postFaultsForm is the /_sandbox page's faults form (HTML forms cannot
// PUT); empty fields clear the faults, routes are comma-separated.
func (s *Sim) postFaultsForm(w http.ResponseWriter, r *http.Request) {
	var f Faults
	var bad bool
	atoi := func(name string) int {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		bad = bad || err != nil
		return n
	}
	f.ErrorCode, f.LatencyMS, f.HTTPStatus = atoi("error_code"), atoi("latency_ms"), atoi("http_status")
	f.RateLimitPerMinute = atoi("rate_limit_per_minute")
	if v := strings.TrimSpace(r.PostFormValue("error_rate")); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		f.ErrorRate, bad = rate, bad || err != nil
	}
	for k := range strings.SplitSeq(r.PostFormValue("routes"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			f.Routes = append(f.Routes, Kind(k))
		}
	}
	if bad || !f.valid() {
		http.Error(w, "Lỗi giả lập không hợp lệ: mã lỗi, HTTP status, độ trễ và giới hạn mỗi phút là số nguyên; tỉ lệ từ 0 đến 1; route trong "+
			joinKinds(faultable), http.StatusBadRequest)
		return
	}
	s.SetFaults(f)
	http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
}

func (s *Sim) clearFaults(w http.ResponseWriter, _ *http.Request) {
	s.SetFaults(Faults{})
	w.WriteHeader(http.StatusNoContent)
}

func joinKinds(ks []Kind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return strings.Join(out, ", ")
}
