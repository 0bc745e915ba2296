package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// SendOwnerNotice tells an integration's owner one thing (a member left
// or cannot be reached, an account fell silent, the day's summary), by the
// owner's route. Outcome deferred says when the night lets the route open.
func (a *Activities) SendOwnerNotice(ctx context.Context, n contract.OwnerNotice) (Outcome, error) {
	q := db.New(a.Pool)
	o, err := q.IntegrationOwnerAndBusiness(ctx, n.IntegrationID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return Outcome{Status: StatusSkipped, Reason: "integration_gone", Recorded: true}, nil
	case err != nil:
		return Outcome{}, err
	case o.OAUserID == nil:
		return Outcome{Status: StatusSkipped, Reason: "owner_not_following", Recorded: true}, nil
	}
	text, err := a.noticeText(ctx, q, n, o.Business)
	if err != nil {
		return Outcome{}, err
	}
	who, err := a.believe(ctx, q, *o.OAUserID)
	if err != nil {
		return Outcome{}, err
	}
	var routes []route.Route // a ZNS template carries an alert, not a notice
	for _, rt := range a.Reach.Policy.Routes(who, a.Now()) {
		if rt != route.ZNS {
			routes = append(routes, rt)
		}
	}
	card := message.Card{Header: "Thông báo cho chủ tích hợp", Rows: []message.Row{{Key: "Nội dung", Value: text}}}
	res, err := a.reach(ctx, q, routes, letter{To: *o.OAUserID, Text: text, Card: card})
	switch {
	case err != nil:
		// A notice has no delivery row to look in: one whose answer was
		// lost is sent again, as any retryable error is.
		skip, typed := typeSendError(err)
		if skip != "" {
			return Outcome{Status: StatusSkipped, Reason: skip, Route: string(res.Route), Recorded: true}, nil
		}
		return Outcome{}, typed
	case !res.Until.IsZero():
		until := res.Until
		return Outcome{Status: StatusDeferred, Route: string(res.Route), DeferredUntil: &until, Recorded: true}, nil
	case res.Route == route.None:
		return Outcome{Status: StatusSkipped, Reason: refusedReason(res), Recorded: true}, nil
	}
	return Outcome{Status: StatusSent, MessageID: res.Sent.MessageID, Route: string(res.Route), Recorded: true}, nil
}

func (a *Activities) noticeText(ctx context.Context, q *db.Queries, n contract.OwnerNotice, business string) (string, error) {
	switch n.Kind {
	case contract.NoticeMemberUnfollowed:
		return message.MemberUnfollowed(n.About), nil
	case contract.NoticeMemberBlocked:
		return message.MemberBlocked(n.About), nil
	case contract.NoticeMemberUnreachable:
		return message.MemberUnreachable(n.About), nil
	case contract.NoticeMemberLeft:
		return message.MemberLeft(n.About), nil
	case contract.NoticeSilence:
		return message.Silence(n.About, n.Hours, n.Since), nil
	case contract.NoticeResumed:
		return message.Resumed(n.About), nil
	case contract.NoticeCassoKeyRefused:
		return message.CassoKeyRefused(n.About), nil
	case contract.NoticeDailySummary:
		t, err := q.IntegrationTotals(ctx, db.IntegrationTotalsParams{IntegrationID: n.IntegrationID, FromAt: startOfDay(n.DueAt), UntilAt: n.DueAt})
		if err != nil {
			return "", err
		}
		return message.DailySummary(n.DueAt, message.Totals{Business: business, Count: t.Count, In: t.TotalIn, Out: t.TotalOut}), nil
	}
	return "", fmt.Errorf("unknown notice %q", n.Kind)
}

// startOfDay is midnight, Vietnam time, of t's day there.
func startOfDay(t time.Time) time.Time {
	l := t.In(vntime.Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, vntime.Zone)
}

// DueNotices is what the maintenance schedule finds to tell owners: the
// accounts silent for their integration's silence_alert_hours (told once
// per silence), and the daily summaries that fall due before its next run
// (each waits in its workflow until its minute).
func (a *Activities) DueNotices(ctx context.Context, within time.Duration) ([]contract.OwnerNotice, error) {
	q := db.New(a.Pool)
	silent, err := q.TellSilences(ctx)
	if err != nil {
		return nil, fmt.Errorf("silences: %w", err)
	}
	var out []contract.OwnerNotice
	for _, s := range silent {
		out = append(out, contract.OwnerNotice{
			IntegrationID: s.IntegrationID, Kind: contract.NoticeSilence, About: s.AccountNumber, Since: s.Since, Hours: int(s.Hours),
			Key: s.AccountNumber + ":" + s.Since.UTC().Format(time.RFC3339),
		})
	}
	now := a.Now()
	for _, day := range []time.Time{startOfDay(now), startOfDay(now).AddDate(0, 0, 1)} { // until may cross midnight
		due, err := q.PlanSummaries(ctx, db.PlanSummariesParams{Today: day, Until: now.Add(within)})
		if err != nil {
			return nil, fmt.Errorf("summaries: %w", err)
		}
		for _, d := range due {
			out = append(out, contract.OwnerNotice{
				IntegrationID: d.ID, Kind: contract.NoticeDailySummary, DueAt: d.DueAt, Key: d.DueAt.In(vntime.Zone).Format("2006-01-02"),
			})
		}
	}
	return out, nil
}
