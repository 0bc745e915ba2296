package send

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// gone is the reason a route cannot reach a person, by Zalo's class.
var gone = map[zalo.Class]Reason{
	zalo.ClassNotFollowing:  NotFollowing,
	zalo.ClassBlocked:       Blocked,
	zalo.ClassNoInteraction: NoInteraction,
	zalo.ClassGone:          Unreachable,
}

// sorted is the one sorter of what a failed send comes to, whatever the
// message, by the classes of ZALO.md §5 (reach has taken the refusals
// that move on to the next route, the night and the quota): Zalo refused
// it for good (failed, in Zalo's words), or an error typed for the
// workflow's retry policy: -32 is tried again after a pause and never
// fails a message; an answer lost is in doubt, and the retry looks for
// evidence before it sends; a route stopped for the OA, or a token Zalo
// refuses even fresh, waits for a person (and a probe); other trouble,
// Zalo's or ours, is retried by the policy. What waits for a retry is
// noted in m's Ledger.
func (c *Core) sorted(ctx context.Context, m Message, rt route.Route, err error) (Outcome, error) {
	if f, _ := contract.FailureOf(err); f != "" {
		c.note(ctx, m, rt, err, true) // typed already: the OA's budget, a refused token
		return Outcome{}, err
	}
	var zerr *zalo.Error
	var terr *zalo.TransportError
	if !errors.As(err, &zerr) && !errors.As(err, &terr) {
		c.note(ctx, m, rt, err, true) // our own trouble: the database, the token store
		return Outcome{}, err
	}
	code := 0
	if zerr != nil {
		code = zerr.Code
	}
	activity.GetLogger(ctx).Info("Zalo refused a send", "route", rt, "error", err)
	switch class := zalo.Classify(err); {
	case gone[class] != "":
		return Outcome{Status: Skipped, Reason: gone[class], Detail: describe(err), Route: string(rt), ZaloCode: code}, nil
	case class == zalo.ClassToken && !local(ctx):
		// Refused even freshly refreshed (Call refreshes once): the OA's
		// authorization is gone. Every route stops until it is connected
		// again (README: runbook).
		if serr := c.stop(ctx, AllRoutes, code, zerr.Message); serr != nil {
			return Outcome{}, serr
		}
		c.note(ctx, m, rt, err, true)
		return Outcome{}, contract.FailRoutePaused.After(c.ProbeEvery, "the OA token is refused even fresh: %s", describe(err))
	case class == zalo.ClassNeedsPerson:
		c.note(ctx, m, rt, err, true)
		return Outcome{}, contract.FailRoutePaused.After(c.ProbeEvery, "%s is stopped for the OA until a person acts: %s", rt, describe(err))
	case class == zalo.ClassInDoubt && m.Ledger != nil:
		// Zalo may have accepted it: the message stays in doubt, and the
		// next attempt looks before it sends.
		c.note(ctx, m, rt, err, false)
		return Outcome{}, contract.FailInDoubt.After(c.Doubt.Wait, "the answer to a send was lost; looking for the message in %s", c.Doubt.Wait)
	case class == zalo.ClassRateLimited:
		c.note(ctx, m, rt, err, true)
		return Outcome{}, contract.FailRateLimited.After(rateLimitPause, "%s", describe(err))
	case !class.Retryable():
		return Outcome{Status: Failed, Reason: ZaloPermanent, Detail: describe(err), Route: string(rt), ZaloCode: code}, nil
	}
	c.note(ctx, m, rt, err, true)
	return Outcome{}, contract.FailZaloRetryable.New("%s", describe(err))
}

// note records in m's Ledger why m waits for a retry.
func (c *Core) note(ctx context.Context, m Message, rt route.Route, err error, settled bool) {
	if m.Ledger == nil {
		return
	}
	if nerr := m.Ledger.Note(ctx, m.ID, rt, label(err)+": "+describe(err), settled); nerr != nil {
		activity.GetLogger(ctx).Warn("noting a send's error", "error", nerr)
	}
}

// label is the stable first word of an error's note in the log.
func label(err error) string {
	if f, _ := contract.FailureOf(err); f != "" {
		return string(f)
	}
	var zerr *zalo.Error
	var terr *zalo.TransportError
	if errors.As(err, &zerr) || errors.As(err, &terr) {
		return "zalo_" + zalo.Classify(err).String()
	}
	return string(Internal)
}

// describe is what the log may show of an error: Zalo's code and message,
// or what kind of trouble it is. Our own errors can name hosts, users and
// SQL; those stay in the worker's log.
func describe(err error) string {
	var zerr *zalo.Error
	var terr *zalo.TransportError
	f, msg := contract.FailureOf(err)
	switch {
	case errors.As(err, &zerr):
		return fmt.Sprintf("Zalo refused (%d): %s", zerr.Code, message.Clean(zerr.Message))
	case errors.As(err, &terr) && zalo.Classify(err) == zalo.ClassInDoubt && terr.Status != 0:
		return fmt.Sprintf("Zalo answered HTTP %d without saying what became of it; the next attempt looks for the message before sending", terr.Status)
	case errors.As(err, &terr) && zalo.Classify(err) == zalo.ClassInDoubt:
		return "Zalo's answer was lost; the next attempt looks for the message before sending"
	case errors.As(err, &terr) && terr.Status != 0:
		return fmt.Sprintf("Zalo answered HTTP %d", terr.Status)
	case errors.As(err, &terr):
		return "Zalo did not answer"
	case f == contract.FailTokenRefused:
		return "the OA token was refused; waiting for a new one"
	case f == contract.FailPaced:
		return "waiting for its turn in the OA's send rate"
	case f.Zalo():
		return msg
	}
	return "retrying (the worker's log has the details)"
}
