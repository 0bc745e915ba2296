package contract

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Failure is the type of every temporal.ApplicationError tingting raises:
// callers switch on these constants (FailureOf), never on a string's shape.
// The values are what running workflows have in their histories already:
// never change one.
type Failure string

// What a caller of a workflow acts on; api/errors.go gives each its status.
const (
	// FailInvalid: a value is wrong (a direction of "sideways", an unknown
	// field); the caller must change it.
	FailInvalid Failure = "invalid_input"
	// FailStepOutOfOrder: the value may be fine, but not now.
	FailStepOutOfOrder Failure = "step_out_of_order"
	// FailWizardClosed: the wizard was saved, cancelled or has expired.
	FailWizardClosed Failure = "wizard_closed"
	FailNotFollowing Failure = "not_following"
	// FailZaloRefused: Zalo refused what the owner asked for (the test
	// call); its details are Zalo's error code (ZaloCodeOf).
	FailZaloRefused Failure = "zalo_refused"
	FailLoginFailed Failure = "login_failed"
	FailNotFound    Failure = "not_found"
)

// What a send tells the workflow that runs it: how to retry it.
const (
	// FailTokenRefused: a local attempt met a refused OA token; it ends at
	// once so that a regular attempt waits for the keeper's new one.
	FailTokenRefused Failure = "oa_token_refused"
	// FailInDoubt: a send's answer was lost and Zalo may have delivered it;
	// the retry, after a wait, looks for the message before sending.
	FailInDoubt Failure = "zalo_in_doubt"
	// FailPaced: the send would wait too long for the OA's send budget; it
	// is tried again when its turn comes.
	FailPaced Failure = "zalo_paced"
	// FailRateLimited: Zalo said -32; every worker holds its sends a moment.
	FailRateLimited Failure = "zalo_rate_limited"
	// FailNightBlock: Zalo's night is not over; tried again at its end.
	FailNightBlock Failure = "zalo_night_block"
	// FailRoutePaused: the route is stopped for the whole OA until a
	// person acts (Zalo's "needs a person" codes); the send waits for the
	// route's next probe.
	FailRoutePaused Failure = "zalo_route_paused"
	// FailZaloRetryable: Zalo did not answer, or answered that waiting
	// helps (its own trouble, an expired token, a quota).
	FailZaloRetryable Failure = "zalo_retryable"
	// FailZaloPermanent: Zalo refused for good; never retried.
	FailZaloPermanent Failure = "zalo_permanent"
	// FailUnreadable: what was recorded cannot be read back (a bug, or a
	// row from a newer version); never retried.
	FailUnreadable Failure = "unreadable"
)

// The Zalo logins' (the wizard's "log in with Zalo").
const (
	// FailLoginExpired: the login's state was used or has expired.
	FailLoginExpired Failure = "login_expired"
	// FailSealed: a stored secret cannot be opened: is
	// TINGTING_ENCRYPTION_KEY the one it was sealed with?
	FailSealed Failure = "sealed"
)

// The OA token keeper's; none is retried by Temporal, since retrying would
// call Zalo again with the same single-use refresh token.
const (
	// FailRefreshUncertain: the refresh's answer was lost; the refresh
	// token may be spent.
	FailRefreshUncertain Failure = "oa_refresh_uncertain"
	// FailReauthorize: Zalo refused the refresh token; an operator must
	// authorize the OA again.
	FailReauthorize Failure = "oa_reauthorize"
	// FailTokenLost: Zalo issued a new pair that could not be stored.
	FailTokenLost Failure = "oa_token_lost"
	// FailRefreshFailed: the keeper's refresh failed; the send that asked
	// for it retries.
	FailRefreshFailed Failure = "oa_refresh_failed"
)

// New is a failure Temporal retries by its policy (and an update
// validator's refusal).
func (f Failure) New(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), string(f))
}

// After is a failure Temporal retries after wait.
func (f Failure) After(wait time.Duration, format string, args ...any) error {
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf(format, args...), string(f),
		temporal.ApplicationErrorOptions{NextRetryDelay: wait})
}

// Final is a failure Temporal never retries.
func (f Failure) Final(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), string(f), nil)
}

// ZaloRefused is FailZaloRefused with Zalo's error code, for the API to
// show (api/errors.go).
func ZaloRefused(code int, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), string(FailZaloRefused), nil, code)
}

// FailureOf is the type of err's ApplicationError, and its message; ""
// when err is none.
func FailureOf(err error) (Failure, string) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", ""
	}
	return Failure(appErr.Type()), appErr.Message()
}

// ZaloCodeOf is the Zalo error code a FailZaloRefused carries (0: none).
func ZaloCodeOf(err error) int {
	var appErr *temporal.ApplicationError
	code := 0
	if errors.As(err, &appErr) && Failure(appErr.Type()) == FailZaloRefused {
		_ = appErr.Details(&code)
	}
	return code
}

// IsFinal tells a failure that retrying cannot fix.
func IsFinal(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable()
}

// ForOwner tells the failures whose message is written for the owner (a
// login refused by Zalo, a login link expired): others may name hosts and
// SQL, and only our own words are shown.
func (f Failure) ForOwner() bool {
	switch f {
	case FailZaloPermanent, FailZaloRetryable, FailLoginExpired:
		return true
	}
	return false
}

// Zalo tells the failures of a call to Zalo, whose message is Zalo's.
func (f Failure) Zalo() bool {
	switch f {
	case FailZaloPermanent, FailZaloRetryable, FailRateLimited, FailNightBlock, FailInDoubt, FailRoutePaused:
		return true
	}
	return false
}
