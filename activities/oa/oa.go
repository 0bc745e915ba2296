// Package oa holds the activities that keep what tingting knows of the OA
// itself: its templates (read from Zalo on a schedule and when Zalo says
// one changed) and its health (getoa: verification, tier, a linked paying
// account, the three things that silently gate sending).
package oa

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool    *db.Pool
	Zalo    Zalo
	Sender  *send.Core // its Call holds the OA token
	Metrics *metrics.Metrics
}

// Zalo is the part of the Zalo client reading the OA needs.
type Zalo interface {
	Templates(ctx context.Context, accessToken string, offset, limit int) ([]zalo.TemplateInfo, error)
	TemplateDetail(ctx context.Context, accessToken, templateID string) (zalo.TemplateInfo, error)
	OAInfo(ctx context.Context, accessToken string) (zalo.OAInfo, error)
}

// SyncResult counts the templates read.
type SyncResult struct {
	Templates int
}

// SyncTemplates reads every template of the OA, page by page, and each in
// full (the list says little), into zalo_templates.
func (a *Activities) SyncTemplates(ctx context.Context) (SyncResult, error) {
	var res SyncResult
	for offset := 0; ; offset += zalo.MaxTemplatePage {
		page, err := send.Call(ctx, a.Sender, "templates", func(token string) ([]zalo.TemplateInfo, error) {
			return a.Zalo.Templates(ctx, token, offset, zalo.MaxTemplatePage)
		})
		if err != nil {
			return res, fmt.Errorf("templates: %w", err)
		}
		for _, t := range page {
			if err := a.SyncTemplate(ctx, t.ID); err != nil {
				return res, err
			}
			res.Templates++
			activity.RecordHeartbeat(ctx, res.Templates)
		}
		if len(page) < zalo.MaxTemplatePage {
			return res, nil
		}
	}
}

// SyncTemplate reads one template into zalo_templates: Zalo said it
// changed (change_template_status, change_template_quality), or the
// schedule reads them all. Owners whose integration it made unfit are
// told by maintenance (notices.DueNotices).
func (a *Activities) SyncTemplate(ctx context.Context, templateID string) error {
	t, err := send.Call(ctx, a.Sender, "templates", func(token string) (zalo.TemplateInfo, error) {
		return a.Zalo.TemplateDetail(ctx, token, templateID)
	})
	if err != nil {
		return fmt.Errorf("template %s: %w", templateID, err)
	}
	return Keep(ctx, db.New(a.Pool), t)
}

// Keep records a template as Zalo described it.
func Keep(ctx context.Context, q *db.Queries, t zalo.TemplateInfo) error {
	params := make([]message.Param, len(t.Params))
	for i, p := range t.Params {
		params[i] = message.Param{Name: p.Name, MaxLength: p.MaxLength, Required: p.Required}
	}
	specs, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return q.UpsertTemplate(ctx, db.UpsertTemplateParams{
		TemplateID: t.ID, Name: message.Clean(t.Name), Status: t.Status, Tag: t.Tag, Quality: t.Quality, Params: specs,
		PriceUid: t.PriceUID, PriceSdt: t.PricePhone, SendableByUid: t.SendableByUID, PreviewUrl: t.PreviewURL,
	})
}

// Health is the OA as getoa describes it, and whether sending can work.
type Health struct {
	Healthy bool
	Missing []string `json:",omitempty"` // what a person must give: verification, a package, a paying account
}

// CheckOA reads the OA's health into oa_health. Each missing piece is an
// operator alert (the log, tingting_oa_healthy, GET /v1/zalo-oa); a
// healthy OA resumes the routes stopped for causes getoa shows gone
// (-221 not verified, -224 tier, -320/-321/-115/-137 paying account).
func (a *Activities) CheckOA(ctx context.Context) (Health, error) {
	info, err := send.Call(ctx, a.Sender, "getoa", func(token string) (zalo.OAInfo, error) {
		return a.Zalo.OAInfo(ctx, token)
	})
	if err != nil {
		return Health{}, fmt.Errorf("getoa: %w", err)
	}
	q := db.New(a.Pool)
	if err := q.SetOAHealth(ctx, db.SetOAHealthParams{
		OaID: info.OAID, Name: message.Clean(info.Name), IsVerified: info.Verified, PackageName: info.Package, LinkedZca: info.LinkedZCA,
	}); err != nil {
		return Health{}, err
	}
	var h Health
	for _, piece := range []struct {
		ok   bool
		what string
	}{{info.Verified, "verification"}, {info.Package != "", "a package (tier)"}, {info.LinkedZCA, "a linked Zalo Cloud Account (pays for messages)"}} {
		if !piece.ok {
			h.Missing = append(h.Missing, piece.what)
		}
	}
	h.Healthy = len(h.Missing) == 0
	if !h.Healthy {
		a.Metrics.OAHealthy.Set(0)
		activity.GetLogger(ctx).Error("the OA lacks what sending needs: a person must act (README: runbook)", "missing", h.Missing)
		return h, nil
	}
	a.Metrics.OAHealthy.Set(1)
	resumed, err := q.ResumeRoutes(ctx, db.ResumeRoutesParams{Routes: []string{}, Codes: []int32{
		zalo.CodeOANotVerified, zalo.CodeOAWrongTier, zalo.CodeNoPaymentAccount, zalo.CodePaymentRefused, zalo.CodeCannotCharge, zalo.CodeChargeFailed,
	}})
	if err != nil {
		return h, err
	}
	if len(resumed) > 0 {
		activity.GetLogger(ctx).Info("getoa shows the OA whole again: its stopped routes take messages", "routes", resumed)
	}
	return h, nil
}
