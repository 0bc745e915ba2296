package keeper_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/activities/keeper"
	"github.com/tingting-vn/tingting/harness/scene"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// lossy is a transport whose answers can be lost: with forward set, the
// request reaches Zalo and its answer is dropped; without, the request is
// read and never forwarded. Either way the client times out after sending.
type lossy struct {
	losing, forward atomic.Bool
	calls           atomic.Int32
}

func (l *lossy) RoundTrip(r *http.Request) (*http.Response, error) {
	l.calls.Add(1)
	if !l.losing.Load() {
		return http.DefaultTransport.RoundTrip(r)
	}
	if l.forward.Load() {
		if res, err := http.DefaultTransport.RoundTrip(r); err == nil {
			res.Body.Close()
		}
	} else {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		if trace := httptrace.ContextClientTrace(r.Context()); trace != nil && trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{}) // as sent as a request gets; Zalo just never saw it
		}
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// acts names the activities for ExecuteActivity; the registered instance
// does the work.
var acts *keeper.Activities

// world is a scene.
type world struct{ *scene.Scene }

func (w *world) refresh(t *testing.T, version int64) (contract.OATokenState, error) {
	t.Helper()
	v, err := w.Env.ExecuteActivity(acts.RefreshOAToken, keeper.RefreshInput{Version: version})
	if err != nil {
		return contract.OATokenState{}, err
	}
	var st contract.OATokenState
	require.NoError(t, v.Get(&st))
	return st, nil
}

func refreshState(t *testing.T, w *world) string {
	var s string
	require.NoError(t, w.Pool.QueryRow(context.Background(), "SELECT refresh_state FROM oa_tokens").Scan(&s))
	return s
}

// TestAnOATokenRefreshWhoseAnswerWasLostIsSettledByOneMoreCall: Zalo's
// refresh tokens are single use, so a refresh whose answer was lost is
// never retried blindly. It is recorded as uncertain, and the keeper's next
// attempt is one deliberate call: if the lost one had reached Zalo, that
// call gets -14014 and the OA must be re-authorized (and no call is made
// after that); if it had not, it gets the new pair.
func TestAnOATokenRefreshWhoseAnswerWasLostIsSettledByOneMoreCall(t *testing.T) {
	t.Parallel()
	for _, reached := range []bool{true, false} {
		name := map[bool]string{true: "the lost call had reached Zalo", false: "the lost call never reached Zalo"}[reached]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := &world{Scene: scene.New(t, scene.Options{})}
			l := &lossy{}
			w.Deps.Zalo = w.Zalo(zalo.Config{TokenTimeout: 300 * time.Millisecond, HTTPClient: &http.Client{Transport: l}})
			w.Rewire()
			st, err := w.Tokens.State(context.Background())
			require.NoError(t, err)

			l.losing.Store(true)
			l.forward.Store(reached)
			_, err = w.refresh(t, st.Version)
			var appErr *temporal.ApplicationError
			require.ErrorAs(t, err, &appErr)
			require.Equal(t, string(contract.FailRefreshUncertain), appErr.Type())
			require.True(t, appErr.NonRetryable(), "never retried blindly")
			require.Equal(t, "uncertain", refreshState(t, w))
			require.EqualValues(t, 1, l.calls.Load())

			l.losing.Store(false)
			next, err := w.refresh(t, st.Version)
			require.EqualValues(t, 2, l.calls.Load(), "one deliberate call settles it")
			if !reached {
				require.NoError(t, err)
				require.Equal(t, st.Version+1, next.Version)
				require.Equal(t, "", refreshState(t, w))
				require.False(t, w.Sim.RevokedByReuse())
				return
			}
			require.ErrorAs(t, err, &appErr)
			require.Equal(t, string(contract.FailReauthorize), appErr.Type())
			require.Contains(t, appErr.Message(), "authorize the OA again")
			require.Equal(t, "reauthorize", refreshState(t, w))
			_, err = w.refresh(t, st.Version)
			require.ErrorAs(t, err, &appErr)
			require.Equal(t, string(contract.FailReauthorize), appErr.Type())
			require.EqualValues(t, 2, l.calls.Load(), "no call once the OA must be re-authorized")
		})
	}
}
