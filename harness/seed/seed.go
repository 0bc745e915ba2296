// Package seed creates integrations straight through the queries, for `dev`
// and for tests, until an owner can make one with the setup wizard.
package seed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/referral"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// Person is a Zalo user as the sandbox (or a follow webhook) describes them.
type Person struct {
	OAUserID, AppUserID, Name string
}

// Integration describes an integration to create.
type Integration struct {
	WorkspaceID    uuid.UUID
	BankAccountIDs []uuid.UUID
	Owner          Person
	Members        []Person
	Direction      db.Direction // "" means both
	MinAmount      int64
	Fields         []message.Field // nil means all
}

// CreateIntegration records the owner and members as followers who just
// followed (as their follow webhooks would) and creates the integration,
// all in one transaction.
func CreateIntegration(ctx context.Context, pool *db.Pool, in Integration) (db.CreateIntegrationRow, error) {
	if in.Direction == "" {
		in.Direction = db.DirectionBoth
	}
	if in.Fields == nil {
		in.Fields = message.AllFields
	}
	fields := make([]string, len(in.Fields))
	for i, f := range in.Fields {
		fields[i] = string(f)
	}
	var integ db.CreateIntegrationRow
	following, now := true, time.Now()
	// The person's follow webhook may be recorded at the same moment, and
	// ON CONFLICT (oa_user_id) does not arbitrate the app_user_id index: the
	// loser of that race sees a conflict, and tries again.
	err := db.ErrConflict
	for try := 0; try < 3 && errors.Is(err, db.ErrConflict); try++ {
		err = db.InTx(ctx, pool, func(q *db.Queries) error {
			for _, p := range append([]Person{in.Owner}, in.Members...) {
				if err := q.UpsertZaloFollower(ctx, db.UpsertZaloFollowerParams{
					OAUserID: p.OAUserID, AppUserID: &p.AppUserID, DisplayName: p.Name, Following: &following, At: now, InteractedAt: &now,
				}); err != nil {
					return err
				}
			}
			owner, err := q.UpsertZaloAccount(ctx, db.UpsertZaloAccountParams{
				WorkspaceID: in.WorkspaceID, AppUserID: in.Owner.AppUserID, OAUserID: &in.Owner.OAUserID, Name: in.Owner.Name,
			})
			if err != nil {
				return err
			}
			integ, err = q.CreateIntegration(ctx, db.CreateIntegrationParams{
				WorkspaceID: in.WorkspaceID, OwnerAccountID: owner.ID, Direction: in.Direction,
				MinAmount: in.MinAmount, Fields: fields, MessageKind: db.MessageKindCs, ReferralCode: referral.New(),
			})
			if err != nil {
				return err
			}
			for _, b := range in.BankAccountIDs {
				if err := q.AddIntegrationBankAccount(ctx, db.AddIntegrationBankAccountParams{IntegrationID: integ.ID, BankAccountID: b}); err != nil {
					return err
				}
			}
			for _, m := range in.Members {
				if _, err := q.AddIntegrationMember(ctx, db.AddIntegrationMemberParams{IntegrationID: integ.ID, OAUserID: m.OAUserID, Name: m.Name}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return db.CreateIntegrationRow{}, fmt.Errorf("seed integration: %w", err)
	}
	return integ, nil
}

// AlertTemplate is the tests' and the bench's OA template: enabled, TRANSACTION,
// by user id and by phone, its amount and memo in two parameters.
func AlertTemplate() zalosim.Template {
	return zalosim.Template{
		ID: "230918", Name: "Biến động số dư", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH",
		Params:   []zalosim.TemplateParam{{Name: "so_tien", MaxLength: 30, Required: true}, {Name: "noi_dung", MaxLength: 90}},
		PriceUID: 200, PriceSDT: 300, SendableByUID: true,
	}
}

// AlertMapping fills AlertTemplate's parameters.
var AlertMapping = map[string]string{"so_tien": "amount", "noi_dung": "description"}

// UseTemplate records the template as maintenance would read it from Zalo
// (the sandbox's OA holds it too) and makes it the integration's, its
// parameters filled by the fields mapping names (parameter → field).
func UseTemplate(ctx context.Context, pool *db.Pool, integrationID uuid.UUID, t zalosim.Template, mapping map[string]string) error {
	info := zalo.TemplateInfo{ID: t.ID, Name: t.Name, Status: t.Status, Tag: t.Tag, Quality: t.Quality,
		PriceUID: t.PriceUID, PricePhone: t.PriceSDT, SendableByUID: t.SendableByUID}
	for _, p := range t.Params {
		info.Params = append(info.Params, zalo.TemplateParam{Name: p.Name, MaxLength: p.MaxLength, Required: p.Required})
	}
	m, err := json.Marshal(mapping)
	if err != nil {
		return err
	}
	return db.InTx(ctx, pool, func(q *db.Queries) error {
		if err := oa.Keep(ctx, q, info); err != nil {
			return err
		}
		_, err := q.SetIntegrationTemplate(ctx, db.SetIntegrationTemplateParams{ID: integrationID, TemplateID: t.ID, TemplateParams: m})
		return err
	})
}
