// Package notices holds the activities of what the OA tells an
// integration's owner of its own accord: a member who left or cannot be
// reached, an account fallen silent, the day's summary, and the welcome
// of a new integration. Each goes through the send core as a note, once.
package notices

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool   *db.Pool
	Sender *send.Core
	Now    func() time.Time
}

// SendOwnerNotice tells an integration's owner one thing, by the owner's
// route. Outcome deferred says when the night lets the route open.
func (a *Activities) SendOwnerNotice(ctx context.Context, n contract.OwnerNotice) (send.Outcome, error) {
	q := db.New(a.Pool)
	o, err := q.IntegrationOwnerAndBusiness(ctx, n.IntegrationID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return send.Outcome{Status: send.Skipped, Reason: send.IntegrationGone, Recorded: true}, nil
	case err != nil:
		return send.Outcome{}, err
	case o.OAUserID == nil:
		return send.Outcome{Status: send.Skipped, Reason: send.OwnerNotFollowing, Recorded: true}, nil
	}
	text, err := a.text(ctx, q, n, o.Business)
	if err != nil {
		return send.Outcome{}, err
	}
	card := message.Card{Header: "Thông báo cho chủ tích hợp", Rows: []message.Row{{Key: "Nội dung", Value: text}}}
	out, err := a.tell(ctx, contract.NoticeWorkflowID(n), *o.OAUserID, text, card)
	if err == nil && n.Kind == contract.NoticeTemplate && out.Status != send.Deferred {
		err = q.TellTemplate(ctx, n.Template) // told: maintenance finds it no more
	}
	return out, err
}

// tell sends an owner a notice, as a note named by key.
func (a *Activities) tell(ctx context.Context, key, owner, text string, card message.Card) (send.Outcome, error) {
	who, err := a.Sender.Believe(ctx, owner)
	if err != nil {
		return send.Outcome{}, err
	}
	return a.Sender.SendNote(ctx, key, send.Message{To: owner, Belief: who, Text: text, Card: card})
}

func (a *Activities) text(ctx context.Context, q *db.Queries, n contract.OwnerNotice, business string) (string, error) {
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
	case contract.NoticeQuota:
		return message.Quota(), nil
	case contract.NoticeTemplate:
		if n.Fit {
			return message.TemplateFit(n.About), nil
		}
		t, err := q.GetTemplate(ctx, n.Template)
		if err != nil {
			return "", err
		}
		return message.TemplateUnfit(n.About, t.Status, t.Quality), nil
	case contract.NoticeDailySummary:
		t, err := q.IntegrationTotals(ctx, db.IntegrationTotalsParams{IntegrationID: n.IntegrationID, FromAt: vntime.Midnight(n.DueAt), UntilAt: n.DueAt})
		if err != nil {
			return "", err
		}
		return message.DailySummary(n.DueAt, message.Totals{Business: business, Count: t.Count, In: t.TotalIn, Out: t.TotalOut}), nil
	}
	return "", contract.FailUnreadable.Final("unknown notice %q", n.Kind)
}

// WelcomeInput names an integration just saved.
type WelcomeInput struct {
	IntegrationID uuid.UUID
}

// TellOwner tells the integration's owner, through the OA, which business
// now sends them alerts and how to stop them: a Zalo account bound to
// someone else's integration learns of it at once. It goes by the owner's
// route, as the test call a moment ago did; one the night closes, or that
// Zalo refuses, is logged and not sent: the integration is saved anyway.
func (a *Activities) TellOwner(ctx context.Context, in WelcomeInput) error {
	o, err := db.New(a.Pool).IntegrationOwnerAndBusiness(ctx, in.IntegrationID)
	if err != nil || o.OAUserID == nil {
		return err // an owner not yet following cannot be written to
	}
	out, err := a.tell(ctx, "welcome:"+in.IntegrationID.String(), *o.OAUserID, message.OwnerWelcome(o.Business), message.OwnerWelcomeCard(o.Business))
	if err == nil && out.Status != send.Sent {
		activity.GetLogger(ctx).Warn("the owner cannot be told of the new integration now", "status", out.Status, "route", out.Route, "why", out.Log())
	}
	return err
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
	templates, err := a.templateNotices(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	out = append(out, templates...)
	now := a.Now()
	for _, day := range []time.Time{vntime.Midnight(now), vntime.Midnight(now).AddDate(0, 0, 1)} { // until may cross midnight
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

// templateNotices are the notices owed to owners whose template changed
// since they were told: it became unfit (rejected, disabled, of low
// quality), or fit again after being unfit. A template fit as first read
// is marked told without a word. Each notice's id is the template and its
// state, so asking again before it is sent tells nothing twice; the send
// marks it told (SendOwnerNotice).
func (a *Activities) templateNotices(ctx context.Context, q *db.Queries) ([]contract.OwnerNotice, error) {
	rows, err := q.UntoldTemplates(ctx)
	if err != nil {
		return nil, err
	}
	var out []contract.OwnerNotice
	for _, r := range rows {
		fit := zalo.TemplateInfo{Status: r.Status, Tag: r.Tag, Quality: r.Quality}.FitForAlerts()
		toldStatus, toldQuality, _ := strings.Cut(r.ToldKey, "/")
		wasUnfit := r.ToldKey != "" && !zalo.TemplateInfo{Status: toldStatus, Tag: r.Tag, Quality: toldQuality}.FitForAlerts()
		if fit && !wasUnfit {
			if err := q.TellTemplate(ctx, r.TemplateID); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, contract.OwnerNotice{
			IntegrationID: r.IntegrationID, Kind: contract.NoticeTemplate, About: r.Name, Template: r.TemplateID, Fit: fit,
			Key: r.TemplateID + ":" + r.Status + ":" + r.Quality,
		})
	}
	return out, nil
}
