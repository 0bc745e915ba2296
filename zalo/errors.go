package zalo

import (
	"context"
	"errors"
	"fmt"
)

// Zalo's error codes (HTTP 200 with a non-zero "error" field).
const (
	CodeRateLimit       = -32
	CodeInvalidParam    = -201
	CodeQuota           = -211
	CodeNotFollower     = -213
	CodeTokenInvalid    = -216
	CodeBlocked         = -217
	CodeTokenExpired    = -220
	CodeUserBanned      = -227
	CodeNoInteraction   = -230
	CodeInteractionGone = -232
	CodeNightBlock      = -234
	CodeAPIShutDown     = -240
	CodeRestricted      = -244
	// Refusals of ZALO.md §5's routes (transaction messages and ZNS).
	CodeOANotVerified       = -221 // the OA is not verified for this message type
	CodeOAWrongTier         = -224 // the OA's tier does not allow this message type
	CodeTemplateNotByUserID = -249 // this ZNS template cannot be sent by user id
	CodeNoPaymentAccount    = -320 // no paying account linked (ZNS is paid per message)
	CodePaymentRefused      = -321 // the linked paying account cannot pay
	// CodeInvalidRefreshToken: the OA's refresh token was used before or
	// revoked; the OA must be authorized again. The other OAuth refusals
	// (-14000 to -14999: bad code, verifier, app id or secret) are permanent.
	CodeInvalidRefreshToken = -14014
	// CodeUnknown marks an answer we could not read.
	CodeUnknown = 0
)

// Error is an error Zalo answered with.
type Error struct {
	Code       int
	Message    string
	HTTPStatus int
}

func (e *Error) Error() string { return fmt.Sprintf("zalo: error %d: %s", e.Code, e.Message) }

// TransportError is a call that got no Zalo answer: network failure,
// timeout or an HTTP 5xx/429 without a Zalo body.
type TransportError struct {
	Op     string
	Status int // the HTTP status of an answer without a Zalo body; 0: no answer
	// Sent: a request that changes something at Zalo (a POST: a message, a
	// token call) was written whole to the connection, and then no answer
	// could be read (a timeout, a lost connection). Zalo may have acted on
	// it: the call is in doubt. Reads are never in doubt.
	Sent bool
	Err  error
}

func (e *TransportError) Error() string {
	switch {
	case e.Sent && e.Status == 0:
		return fmt.Sprintf("zalo: %s: sent, but no answer (Zalo may have acted on it): %v", e.Op, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("zalo: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("zalo: %s: HTTP %d", e.Op, e.Status)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Class says what a caller must do about an error.
type Class int

// The classes of ZALO.md's error table.
const (
	ClassRetryable     Class = iota + 1 // try again with backoff
	ClassPermanent                      // never succeeds as sent
	ClassToken                          // refresh the OA token once, then retry
	ClassNotFollowing                   // the user does not follow the OA
	ClassBlocked                        // the user blocked the OA
	ClassNoInteraction                  // cs refused: no interaction within 7 days
	ClassQuota                          // OA out of quota: retry much later
	ClassNightBlock                     // retry after 06:00
	ClassAuth                           // the OA's authorization is gone: an operator must re-authorize
	ClassRateLimited                    // -32: over Zalo's rate limit; slow down, then retry
	// ClassInDoubt: the request was sent whole but no answer came back (a
	// timeout or a lost connection while waiting). Zalo may have accepted
	// it: look (Conversation) before sending again, or accept a duplicate.
	ClassInDoubt
)

var classNames = map[Class]string{
	ClassRetryable: "retryable", ClassPermanent: "permanent", ClassToken: "token",
	ClassNotFollowing: "not_following", ClassBlocked: "blocked", ClassNoInteraction: "no_interaction",
	ClassQuota: "quota", ClassNightBlock: "night_block", ClassAuth: "auth",
	ClassRateLimited: "rate_limited", ClassInDoubt: "in_doubt",
}

// String is the class's stable snake_case name, used as a delivery's skip
// reason and as a Temporal error type.
func (c Class) String() string { return classNames[c] }

// Retryable tells whether waiting and trying again can succeed.
func (c Class) Retryable() bool {
	switch c {
	case ClassRetryable, ClassToken, ClassQuota, ClassNightBlock, ClassRateLimited, ClassInDoubt:
		return true
	}
	return false
}

// Classify sorts any error from this package.
func Classify(err error) Class {
	var zerr *Error
	var terr *TransportError
	switch {
	case errors.As(err, &zerr):
		return classOf(zerr.Code, zerr.HTTPStatus)
	case errors.As(err, &terr):
		if terr.Sent && terr.Status == 0 {
			return ClassInDoubt
		}
		return ClassRetryable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ClassRetryable
	}
	return ClassPermanent
}

func classOf(code, httpStatus int) Class {
	switch code {
	case CodeRateLimit:
		return ClassRateLimited
	case CodeQuota:
		return ClassQuota
	case CodeNotFollower:
		return ClassNotFollowing
	case CodeTokenInvalid, CodeTokenExpired:
		return ClassToken
	case CodeBlocked:
		return ClassBlocked
	case CodeNoInteraction, CodeInteractionGone:
		return ClassNoInteraction
	case CodeNightBlock:
		return ClassNightBlock
	case CodeInvalidRefreshToken:
		return ClassAuth
	case CodeInvalidParam, CodeUserBanned, CodeAPIShutDown, CodeRestricted,
		CodeOANotVerified, CodeOAWrongTier, CodeTemplateNotByUserID, CodeNoPaymentAccount, CodePaymentRefused:
		return ClassPermanent
	}
	if isOAuthCode(code) {
		// A refused code or credential stays refused whatever the status.
		return ClassPermanent
	}
	// A code we do not know is permanent: retrying an unknown refusal for a
	// day helps nobody, and the delivery log shows the code. Unless it came
	// with an HTTP 5xx: then Zalo itself was failing, and waiting is safer.
	if httpStatus >= 500 {
		return ClassRetryable
	}
	return ClassPermanent
}

func isOAuthCode(code int) bool { return code <= -14000 && code > -15000 }
