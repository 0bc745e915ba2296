package send

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// What a send's error leaves in the log a tenant reads: Zalo's code and
// words, or the kind of trouble; never our own error text.
func TestTheLogKeepsInternalTextOut(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&zalo.Error{Code: -213, Message: "user has not followed\nthe OA"}, "zalo_not_following: Zalo refused (-213): user has not followed the OA"},
		{&zalo.TransportError{Op: "send", Status: 503}, "zalo_retryable: Zalo answered HTTP 503"},
		{&zalo.TransportError{Op: "send", Err: errors.New("dial tcp 10.0.0.9:443: connection refused")}, "zalo_retryable: Zalo did not answer"},
		{&zalo.TransportError{Op: "send", Sent: true, Err: errors.New("read tcp 10.0.0.9:443: i/o timeout")},
			"zalo_in_doubt: Zalo's answer was lost; the next attempt looks for the message before sending"},
		{contract.FailPaced.After(0, "taken for 3s"), "zalo_paced: waiting for its turn in the OA's send rate"},
		{fmt.Errorf("recording: %w", errors.New(`failed to connect to host=10.0.0.5 user=tingting database=tingting: password authentication failed`)),
			"internal: retrying (the worker's log has the details)"},
	} {
		require.Equal(t, tc.want, label(tc.err)+": "+describe(tc.err))
	}
}

// An outcome's log is its reason, then its words; a sent message's is only
// the routes refused on the way.
func TestAnOutcomesLog(t *testing.T) {
	require.Equal(t, "muted: paused with /tamdung", Skip(Muted, "paused with /tamdung").Log())
	require.Equal(t, "member_removed", Skip(MemberRemoved, "").Log())
	require.Equal(t, "cs refused (-230)", Outcome{Status: Sent, Detail: "cs refused (-230)"}.Log())
}

// A failure Temporal stopped retrying becomes a failed outcome: Zalo's
// refusal in its words, retries that ran out with the last refusal, and
// our own trouble without its words.
func TestFailedBy(t *testing.T) {
	out, ok := FailedBy(contract.FailZaloPermanent.Final("Zalo refused (-201): bad param"))
	require.True(t, ok)
	require.Equal(t, "zalo_permanent: Zalo refused (-201): bad param", out.Log())
	out, ok = FailedBy(errors.New("pq: connection refused to 10.0.0.5"))
	require.False(t, ok)
	require.Equal(t, "internal: failed (the worker's log has the details)", out.Log())
}
