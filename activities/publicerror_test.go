package activities

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
)

// What an attempt's error leaves in the delivery log a tenant reads: Zalo's
// code and words, or the kind of trouble; never our own error text.
func TestPublicErrorKeepsInternalTextOut(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&zalo.Error{Code: -213, Message: "user has not followed\nthe OA"}, "zalo_not_following: Zalo refused (-213): user has not followed the OA"},
		{&zalo.TransportError{Op: "send", Status: 503}, "zalo_retryable: Zalo answered HTTP 503"},
		{&zalo.TransportError{Op: "send", Err: errors.New("dial tcp 10.0.0.9:443: connection refused")}, "zalo_retryable: Zalo did not answer"},
		{fmt.Errorf("recording: %w", errors.New(`failed to connect to host=10.0.0.5 user=tingting database=tingting: password authentication failed`)),
			"internal: retrying (the worker's log has the details)"},
	} {
		require.Equal(t, tc.want, publicError(tc.err))
	}
}
