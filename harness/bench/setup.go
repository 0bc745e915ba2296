package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/jsonhttp"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/apikey"
)

// Shop is a workspace with one bank account and K integrations of M
// recipients each (the owner and M-1 invited members), every recipient a
// different sandbox user who follows the OA.
type Shop struct {
	WorkspaceID    uuid.UUID
	APIKey         string
	BankAccountID  uuid.UUID
	AccountNumber  string
	IntegrationIDs []string
	Recipients     []string // OA user ids, K×M of them
}

// SetUp creates a shop through the API, the sandbox's control API and,
// for the integrations (which the wizard would make), the seed package.
func SetUp(ctx context.Context, s *Stack, pool *db.Pool, integrations, recipients int) (Shop, error) {
	ws, key, err := apikey.CreateWorkspace(ctx, pool, "Bench "+uuid.NewString()[:8])
	if err != nil {
		return Shop{}, err
	}
	shop := Shop{WorkspaceID: ws.ID, APIKey: key}
	api, err := apiclient.WithAPIKey(s.APIURL, key)
	if err != nil {
		return Shop{}, err
	}
	created, err := api.CreateBankAccountWithResponse(ctx, apiclient.BankAccountRequest{
		BankCode: ptr("VCB"), BankName: ptr("Vietcombank"), AccountNumber: fmt.Sprint(1_000_000_000 + ws.ID.ID()%1_000_000_000),
		AccountName: ptr("CUA HANG BENCH"),
	})
	if err := apiclient.Expect(created, err, http.StatusCreated); err != nil {
		return Shop{}, fmt.Errorf("creating the bank account: %w", err)
	}
	shop.BankAccountID, shop.AccountNumber = created.JSON201.ID, created.JSON201.AccountNumber
	for k := range integrations {
		people := make([]seed.Person, recipients)
		for m := range people {
			p, err := s.sandboxUser(ctx, fmt.Sprintf("Nhân viên %d-%d", k+1, m+1))
			if err != nil {
				return Shop{}, err
			}
			people[m] = p
			shop.Recipients = append(shop.Recipients, p.OAUserID)
		}
		in, err := seed.CreateIntegration(ctx, pool, seed.Integration{
			WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{shop.BankAccountID}, Owner: people[0], Members: people[1:],
		})
		if err != nil {
			return Shop{}, fmt.Errorf("creating an integration: %w", err)
		}
		shop.IntegrationIDs = append(shop.IntegrationIDs, in.ID.String())
		// The route for recipients chat no longer reaches (-quiet).
		if err := seed.UseTemplate(ctx, pool, in.ID, seed.AlertTemplate(), seed.AlertMapping); err != nil {
			return Shop{}, fmt.Errorf("the integration's template: %w", err)
		}
	}
	if err := jsonhttp.Do(ctx, http.MethodPut, s.SandboxURL+"/_sandbox/templates/"+seed.AlertTemplate().ID, "", seed.AlertTemplate(), http.StatusOK, nil); err != nil {
		return Shop{}, fmt.Errorf("the sandbox's template: %w", err)
	}
	return shop, nil
}

func ptr[T any](v T) *T { return &v }
