package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/tingting-vn/tingting/harness/jsonhttp"
	"github.com/tingting-vn/tingting/internal/vntime"
)

// QuietFor is how long ago a quiet recipient (-quiet) last interacted with
// the OA: past tingting's chat window (ZALO_CS_WINDOW, 48 h) and past
// Zalo's 7 days, so chat is refused (-230) and the template message is
// the way to reach them.
const QuietFor = 10 * 24 * time.Hour

// NoonInVietnam is the latest noon in Vietnam at or before now: a daytime
// instant for the sandbox clock (outside 06:00-22:00 Zalo holds a
// template's push, and it arrives silently), never in tingting's future, so nothing the sandbox
// stamps is later than what tingting's clock says.
func NoonInVietnam(now time.Time) time.Time {
	local := now.In(vntime.Zone)
	noon := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, vntime.Zone)
	if noon.After(now) {
		noon = noon.AddDate(0, 0, -1)
	}
	return noon
}

// QuietRecipients picks, of each integration's perIntegration recipients
// (recipients lists them integration by integration, the owner first),
// the last round(share × perIntegration): the owner is among them only
// when all are.
func QuietRecipients(recipients []string, perIntegration int, share float64) []string {
	n := quietOf(perIntegration, share)
	if n == 0 {
		return nil
	}
	var out []string
	for i := 0; i+perIntegration <= len(recipients); i += perIntegration {
		out = append(out, recipients[i+perIntegration-n:i+perIntegration]...)
	}
	return out
}

// quietOf is how many of an integration's recipients are quiet.
func quietOf(perIntegration int, share float64) int {
	return max(0, min(int(math.Round(share*float64(perIntegration))), perIntegration))
}

// PinClock sets the sandbox clock to t (it keeps ticking from there) and
// notes its offset from the real clock, read back from the sandbox, so
// that the runs' latencies can be taken from the messages' received_at.
func (s *Stack) PinClock(ctx context.Context, t time.Time) error {
	if err := jsonhttp.Do(ctx, http.MethodPut, s.SandboxURL+"/_sandbox/clock", "", map[string]string{"now": t.Format(time.RFC3339)},
		http.StatusOK, nil); err != nil {
		return fmt.Errorf("pinning the sandbox clock: %w", err)
	}
	var clock struct {
		Now time.Time `json:"now"`
	}
	before := time.Now()
	if err := jsonhttp.Do(ctx, http.MethodGet, s.SandboxURL+"/_sandbox/clock", "", nil, http.StatusOK, &clock); err != nil {
		return err
	}
	mid := before.Add(time.Since(before) / 2)
	s.mu.Lock()
	s.clockOffset = clock.Now.Sub(mid)
	s.mu.Unlock()
	return nil
}

// ClockOffset is the sandbox clock minus the real clock: 0 unless pinned.
func (s *Stack) ClockOffset() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clockOffset
}

// Quieten makes the users last interact QuietFor ago, in the sandbox (by
// its clock) and in tingting's belief (zalo_followers.last_interaction_at,
// by tingting's), and forgets any chat Zalo refused them: what tingting
// would know of followers who went quiet.
func (e *Env) Quieten(ctx context.Context, users []string) error {
	at := time.Now().Add(e.Stack.ClockOffset()).Add(-QuietFor).Format(time.RFC3339)
	for _, u := range users {
		if err := jsonhttp.Do(ctx, http.MethodPut, e.Stack.SandboxURL+"/_sandbox/users/"+url.PathEscape(u), "",
			map[string]string{"last_interaction_at": at}, http.StatusOK, nil); err != nil {
			return fmt.Errorf("quietening a sandbox user: %w", err)
		}
	}
	tag, err := e.Pool.Exec(ctx, `UPDATE zalo_followers SET last_interaction_at = now() - make_interval(secs => $2),
		cs_refused_at = NULL, updated_at = now() WHERE oa_user_id = ANY($1)`, users, QuietFor.Seconds())
	if err != nil {
		return err
	}
	if n := tag.RowsAffected(); n != int64(len(users)) {
		return fmt.Errorf("quietening followers: %d of %d rows", n, len(users))
	}
	return nil
}

// stillQuiet checks that nothing told tingting of a newer interaction by
// the quiet users during a run (a late follow webhook would): the run
// measured what it says it did.
func (e *Env) stillQuiet(ctx context.Context, users []string) error {
	var n int
	err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM zalo_followers WHERE oa_user_id = ANY($1)
		AND last_interaction_at > now() - make_interval(secs => $2)`, users, (QuietFor - time.Hour).Seconds()).Scan(&n)
	if err == nil && n > 0 {
		err = fmt.Errorf("%d of the %d quiet recipients interacted again during the run, by tingting's belief", n, len(users))
	}
	return err
}
