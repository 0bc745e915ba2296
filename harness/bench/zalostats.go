package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tingting-vn/tingting/harness/jsonhttp"
)

// ZaloStats is what the sandbox counted during a run (GET /_sandbox/stats):
// calls to each message route by kind (cs, template, template_phone),
// refused or not, and refusals by Zalo error code (message routes and the
// OA API's reads, user/detail among them).
type ZaloStats struct {
	Calls   map[string]int `json:"calls"`
	Refused map[string]int `json:"refused"`
}

// MessageCalls is the calls to every message route (not the reads: a
// conversation, a chat window, the OA's standing, a token).
func (z ZaloStats) MessageCalls() int {
	n := 0
	for _, k := range zaloKinds {
		n += z.Calls[k]
	}
	return n
}

// CallsPer is message calls per delivered message; 0 when none was.
func (z ZaloStats) CallsPer(delivered int) float64 {
	if delivered == 0 {
		return 0
	}
	return float64(z.MessageCalls()) / float64(delivered)
}

// zaloKinds are the sandbox's message routes, in the order it shows them
// (transaction: Zalo switched it off; a call is a bug).
var zaloKinds = []string{"cs", "template", "template_phone"}

// kinds lists the kinds counted, the sandbox's first, then any other.
func (z ZaloStats) kinds() []string {
	out := slices.Clone(zaloKinds)
	others := mapKeys(z.Calls)
	slices.Sort(others)
	for _, k := range others {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// refusals is the refusals by code as "-230: 12, -32: 1", or "none".
func (z ZaloStats) refusals() string {
	codes := mapKeys(z.Refused)
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		if z.Refused[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", c, z.Refused[c]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// ResetZaloStats sets the sandbox's counts back to zero (DELETE /_sandbox/stats).
func (s *Stack) ResetZaloStats(ctx context.Context) error {
	return jsonhttp.Do(ctx, http.MethodDelete, s.SandboxURL+"/_sandbox/stats", "", nil, http.StatusNoContent, nil)
}

// ZaloStats reads the sandbox's counts (GET /_sandbox/stats).
func (s *Stack) ZaloStats(ctx context.Context) (ZaloStats, error) {
	var z ZaloStats
	err := jsonhttp.Do(ctx, http.MethodGet, s.SandboxURL+"/_sandbox/stats", "", nil, http.StatusOK, &z)
	return z, err
}
