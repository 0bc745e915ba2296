package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/zalosim"
)

const (
	demoWorkspace = "Cửa hàng Demo"
	demoAccount   = "0123456789"
	demoPhone     = "84901234567"
)

// demoTemplate is the OA's approved balance-alert template, as a shop's
// would be in Zalo's console.
var demoTemplate = zalosim.Template{
	ID: "356701", Name: "Biến động số dư", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH",
	Params: []zalosim.TemplateParam{
		{Name: "so_tien", MaxLength: 30, Required: true}, {Name: "thoi_gian", MaxLength: 30},
		{Name: "tai_khoan", MaxLength: 30}, {Name: "noi_dung", MaxLength: 90}, {Name: "so_du", MaxLength: 30},
	},
	PriceUID: 200, PriceSDT: 300, SendableByUID: true,
}

type demo struct {
	apiKey   string
	ownerID  string
	ownerApp string
}

// seedDemo makes sure a demo workspace, bank account, followed sandbox user
// (with a phone; the workspace's owner when signing in with Zalo) and
// integration exist, gives the sandbox OA an approved template, and issues
// a fresh API key (old keys are only stored hashed). The sandbox's fixed
// seed gives its first user the same id on every run, so the integration
// made by the first run keeps working.
func seedDemo(ctx context.Context, pool *db.Pool, sim *zalosim.Sim) (demo, error) {
	owner := sim.CreateUser("Chủ cửa hàng", true)
	if err := sim.SetPhone(owner.OAUserID, demoPhone); err != nil {
		return demo{}, err
	}
	if _, err := sim.SetTemplate(demoTemplate); err != nil {
		return demo{}, err
	}
	d := demo{ownerID: owner.OAUserID, ownerApp: owner.AppUserID}
	q := db.New(pool)

	ws, err := q.FindWorkspaceByName(ctx, demoWorkspace)
	if errors.Is(err, db.ErrNotFound) {
		ws, d.apiKey, err = apikey.CreateWorkspace(ctx, pool, demoWorkspace)
	} else if err == nil {
		d.apiKey, err = apikey.Issue(ctx, q, ws.ID, "dev")
	}
	if err != nil {
		return d, fmt.Errorf("seed workspace: %w", err)
	}
	// The demo owner signs in with Zalo as the workspace's owner.
	user, err := q.UpsertUser(ctx, db.UpsertUserParams{ZaloAppUserID: owner.AppUserID, Name: owner.Name})
	if err == nil {
		err = q.AddTeamMember(ctx, db.AddTeamMemberParams{WorkspaceID: ws.ID, UserID: user.ID, Role: db.TeamRoleOwner})
	}
	if err != nil && !errors.Is(err, db.ErrConflict) {
		return d, fmt.Errorf("seed the demo owner's seat: %w", err)
	}

	acct, err := q.GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: ws.ID, AccountNumber: demoAccount})
	if errors.Is(err, db.ErrNotFound) {
		acct, err = q.CreateBankAccount(ctx, db.CreateBankAccountParams{
			WorkspaceID: ws.ID, BankCode: "VCB", BankName: "Vietcombank", AccountNumber: demoAccount, AccountName: "CONG TY DEMO",
		})
	}
	if err != nil {
		return d, fmt.Errorf("seed bank account: %w", err)
	}

	existing, err := q.ListIntegrations(ctx, ws.ID)
	if err != nil || len(existing) > 0 {
		return d, err
	}
	integ, err := seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID:    ws.ID,
		BankAccountIDs: []uuid.UUID{acct.ID},
		Owner:          seed.Person{OAUserID: owner.OAUserID, AppUserID: owner.AppUserID, Name: owner.Name},
	})
	if err != nil {
		return d, err
	}
	return d, seed.UseTemplate(ctx, pool, integ.ID, demoTemplate, map[string]string{
		"so_tien": "amount", "thoi_gian": "time", "tai_khoan": "account", "noi_dung": "description", "so_du": "balance",
	})
}

func printBanner(w io.Writer, cfg config.Config, sandboxURL, consentURL string, d demo) {
	apiURL := "http://" + loopback(cfg.HTTPAddr)
	fmt.Fprintf(w, `
tingting is running. Ctrl-C stops everything.

  API              %[1]s
  Temporal web UI  http://127.0.0.1:8233
  Zalo sandbox     %[2]s/_sandbox
  Owner's inbox    %[2]s/_sandbox/users/%[3]s/inbox
  OA consent link  %[8]s

Open the API's address and "Đăng nhập bằng Zalo": pick "Chủ cửa hàng" to
sign in as the demo workspace's owner, or create a sandbox user and pick
them for a workspace of their own (SIGNUP=open).

Post a transaction; the owner's sandbox inbox gets the message (post it
again: "duplicate":true and no second message):

  curl -sS -X POST %[1]s/v1/transactions \
    -H 'Authorization: Bearer %[4]s' \
    -H 'Content-Type: application/json' \
    -d '{"account_number":"%[5]s","external_id":"demo-%[6]d","amount":599000,"description":"Thanh toan don hang 1234","occurred_at":"%[7]s"}'

Demo workspace API key (shown once):
%[4]s
`, apiURL, sandboxURL, d.ownerID, d.apiKey, demoAccount, time.Now().Unix(), time.Now().Format(time.RFC3339), consentURL)
}

func printFeeds(w io.Writer, sandboxURL string, feeds []seed.Feed) {
	fmt.Fprintln(w, "\nBank feeds: a payment went through each of the sandbox's providers to the owner's inbox.")
	for _, f := range feeds {
		fmt.Fprintf(w, "  %-9s %s\n", f.Provider, f.URL)
	}
	fmt.Fprintf(w, "Make more (or drop a Casso webhook for read-back to find) at %s/_sandbox.\n", sandboxURL)
}
