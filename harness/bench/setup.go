package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

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
	BankAccountID  string
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
	var acct struct {
		ID            string `json:"id"`
		AccountNumber string `json:"account_number"`
	}
	err = jsonhttp.Do(ctx, http.MethodPost, s.APIURL+"/v1/bank-accounts", key, map[string]string{
		"bank_code": "VCB", "bank_name": "Vietcombank", "account_number": fmt.Sprint(1_000_000_000 + ws.ID.ID()%1_000_000_000),
		"account_name": "CUA HANG BENCH",
	}, http.StatusCreated, &acct)
	if err != nil {
		return Shop{}, fmt.Errorf("creating the bank account: %w", err)
	}
	shop.BankAccountID, shop.AccountNumber = acct.ID, acct.AccountNumber
	bankAccountID, err := uuid.Parse(acct.ID)
	if err != nil {
		return Shop{}, err
	}
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
			WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{bankAccountID}, Owner: people[0], Members: people[1:],
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
