package zalo

import (
	"context"
	"errors"
	"fmt"
)

// Zalo's error codes (HTTP 200 with a non-zero "error" field), by the
// class of ZALO.md §5 that says what to do about each.
const (
	// transient
	CodeRateLimit = -32
	// token
	CodeTokenInvalid = -216
	CodeTokenExpired = -220
	// quota: wait for the next quota window
	CodeQuota              = -211 // the OA is out of quota
	CodeRecipientQuota     = -218 // the recipient's receive quota
	CodeOATemplateLimit    = -144 // the OA's daily template limit
	CodeTemplateDailyLimit = -147 // the template's daily limit
	// night: only promotion is refused at night
	CodeNightBlock = -234
	// needs a person: an operator must act; the route stops for the OA
	CodeAppNotActivated    = -209
	CodeAPINotRegistered   = -212
	CodeAppRemoved         = -219
	CodeOANotVerified      = -221
	CodeAPINotAuthorized   = -223
	CodeOAWrongTier        = -224
	CodeNoPaymentAccount   = -320 // no Zalo Cloud Account linked (paid messages)
	CodePaymentRefused     = -321
	CodeCannotCharge       = -115
	CodeChargeFailed       = -137
	CodeTemplateLowQuality = -146 // the template was disabled for low quality
	// recipient gone: this route cannot reach this person
	CodeNotFollower         = -213
	CodeBlocked             = -217
	CodeUserBanned          = -227
	CodeNoInteraction       = -230
	CodeInteractionGone     = -232
	CodeRestricted          = -244
	CodeTemplateNotByUserID = -249
	// permanent: never succeeds as sent
	CodeInvalidParam = -201
	CodeParamTooLong = -210
	CodeTypeInvalid  = -233
	CodeAPIShutDown  = -240
	CodeViolation    = -248
	CodeTextTooLong  = -1121
	CodeInvalidURI   = -14003 // OAuth: a redirect uri other than the console's
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

// TransportError is a call that got no Zalo answer it could read: a
// network failure, a timeout, an HTTP 5xx or 429 without a Zalo body, or a
// body that is not Zalo's JSON.
type TransportError struct {
	Op     string
	Status int // the HTTP status of an answer without a Zalo body; 0: no answer
	// Sent: a request that changes something at Zalo (a POST: a message, a
	// token call) was written whole to the connection, and no answer
	// saying what became of it could be read: a timeout or a lost
	// connection while waiting, a 5xx without Zalo's body (a proxy in front
	// of Zalo may have timed out while Zalo went on), or an unreadable 200.
	// Zalo may have acted on it: the call is in doubt. Reads are never in
	// doubt, nor is a 429 (refused before anything was done).
	Sent bool
	Err  error
}

func (e *TransportError) Error() string {
	switch {
	case e.Sent && e.Status == 0:
		return fmt.Sprintf("zalo: %s: sent, but no answer (Zalo may have acted on it): %v", e.Op, e.Err)
	case e.Sent:
		return fmt.Sprintf("zalo: %s: sent, but HTTP %d without Zalo's answer (Zalo may have acted on it)", e.Op, e.Status)
	case e.Err != nil:
		return fmt.Sprintf("zalo: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("zalo: %s: HTTP %d", e.Op, e.Status)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Class says what a caller must do about an error: ZALO.md §5's classes,
// with "recipient gone" told apart by why (an owner is told which).
type Class int

// The classes.
const (
	ClassRetryable   Class = iota + 1 // transient: try again with backoff
	ClassRateLimited                  // transient, -32: slow every sender down, then retry
	// ClassInDoubt: the request was sent whole but what became of it is
	// unknown (TransportError.Sent). Zalo may have accepted it: look for
	// evidence before sending again, or accept a duplicate.
	ClassInDoubt
	ClassToken      // refresh the OA token once, retry once
	ClassQuota      // wait for the next quota window; tell the owner
	ClassNightBlock // promotion at night: try again at 06:00
	// ClassNeedsPerson: the OA or the app lacks something only a person
	// can give (verification, a tier, a paying account, an API grant):
	// stop that route for the whole OA until it is fixed.
	ClassNeedsPerson
	ClassNotFollowing  // recipient gone: the user does not follow the OA
	ClassBlocked       // recipient gone: the user blocked the OA
	ClassNoInteraction // recipient gone: chat refused, no interaction within 7 days
	ClassGone          // recipient gone: banned, inactive, restricted, or the template cannot go by user id
	ClassPermanent     // never succeeds as sent
	ClassAuth          // the OA's authorization is gone: an operator must authorize the OA again
)

var classNames = map[Class]string{
	ClassRetryable: "retryable", ClassRateLimited: "rate_limited", ClassInDoubt: "in_doubt", ClassToken: "token",
	ClassQuota: "quota", ClassNightBlock: "night_block", ClassNeedsPerson: "needs_person",
	ClassNotFollowing: "not_following", ClassBlocked: "blocked", ClassNoInteraction: "no_interaction", ClassGone: "gone",
	ClassPermanent: "permanent", ClassAuth: "auth",
}

// String is the class's stable snake_case name.
func (c Class) String() string { return classNames[c] }

// Retryable tells whether waiting and trying again can succeed.
func (c Class) Retryable() bool {
	switch c {
	case ClassRetryable, ClassRateLimited, ClassInDoubt, ClassToken, ClassQuota, ClassNightBlock:
		return true
	}
	return false
}

// Gone tells the classes of "this route cannot reach this person".
func (c Class) Gone() bool {
	switch c {
	case ClassNotFollowing, ClassBlocked, ClassNoInteraction, ClassGone:
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
		if terr.Sent {
			return ClassInDoubt
		}
		return ClassRetryable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ClassRetryable
	}
	return ClassPermanent
}

// classes is ZALO.md §5's table.
var classes = map[int]Class{
	CodeRateLimit:    ClassRateLimited,
	CodeTokenInvalid: ClassToken, CodeTokenExpired: ClassToken,
	CodeQuota: ClassQuota, CodeRecipientQuota: ClassQuota, CodeOATemplateLimit: ClassQuota, CodeTemplateDailyLimit: ClassQuota,
	CodeNightBlock:      ClassNightBlock,
	CodeAppNotActivated: ClassNeedsPerson, CodeAPINotRegistered: ClassNeedsPerson, CodeAppRemoved: ClassNeedsPerson,
	CodeOANotVerified: ClassNeedsPerson, CodeAPINotAuthorized: ClassNeedsPerson, CodeOAWrongTier: ClassNeedsPerson,
	CodeNoPaymentAccount: ClassNeedsPerson, CodePaymentRefused: ClassNeedsPerson, CodeCannotCharge: ClassNeedsPerson,
	CodeChargeFailed: ClassNeedsPerson, CodeTemplateLowQuality: ClassNeedsPerson,
	CodeNotFollower: ClassNotFollowing, CodeBlocked: ClassBlocked,
	CodeNoInteraction: ClassNoInteraction, CodeInteractionGone: ClassNoInteraction,
	CodeUserBanned: ClassGone, CodeRestricted: ClassGone, CodeTemplateNotByUserID: ClassGone,
	CodeInvalidParam: ClassPermanent, CodeParamTooLong: ClassPermanent, CodeTypeInvalid: ClassPermanent,
	CodeAPIShutDown: ClassPermanent, CodeViolation: ClassPermanent, CodeTextTooLong: ClassPermanent,
	CodeInvalidRefreshToken: ClassAuth,
}

func classOf(code, httpStatus int) Class {
	if c, ok := classes[code]; ok {
		return c
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
