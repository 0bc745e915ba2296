// Package wizard holds the activities of the setup wizard: the owner's
// Zalo login, the account they choose, the test call and the save.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/referral"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool   *db.Pool
	Zalo   Zalo
	Box    *secret.Box // opens what the API sealed (login verifiers and codes)
	Sender *send.Core
	Now    func() time.Time
}

// Zalo is the part of the Zalo client a login needs.
type Zalo interface {
	ExchangeCode(ctx context.Context, code, codeVerifier string) (zalo.UserToken, error)
	Me(ctx context.Context, userAccessToken string) (zalo.Me, error)
}

// LoginInput is a finished "log in with Zalo": the state the wizard issued
// and the code Zalo sent back.
type LoginInput struct {
	WorkspaceID uuid.UUID
	State, Code string
}

// CompleteZaloLogin exchanges the code (with the PKCE verifier stored for
// this state, used once), reads the user's app-scoped id and name, and
// finds their OA-scoped id and follow state in the follower table. The
// user's tokens live only inside this call: no history, log or table.
func (a *Activities) CompleteZaloLogin(ctx context.Context, in LoginInput) (contract.WizardAccount, error) {
	q := db.New(a.Pool)
	login, err := q.UseOAuthLogin(ctx, in.State)
	if errors.Is(err, db.ErrNotFound) {
		return contract.WizardAccount{}, contract.FailLoginExpired.Final("this login link was used or has expired; start the login again")
	} else if err != nil {
		return contract.WizardAccount{}, err
	}
	verifier, err := a.Box.Open(login.CodeVerifier, secret.CodeVerifier)
	if err != nil {
		return contract.WizardAccount{}, contract.FailSealed.Final("the login's verifier cannot be opened")
	}
	code := in.Code // runs started before codes stayed out of history carry it
	if code == "" && login.Code != nil {
		if code, err = a.Box.Open(login.Code, secret.OAuthCode); err != nil {
			return contract.WizardAccount{}, contract.FailSealed.Final("the login's code cannot be opened")
		}
	}
	tok, err := a.Zalo.ExchangeCode(ctx, code, verifier)
	if err != nil {
		return contract.WizardAccount{}, zaloRefusal("Zalo refused the login", err)
	}
	me, err := a.Zalo.Me(ctx, tok.AccessToken)
	if err != nil {
		return contract.WizardAccount{}, zaloRefusal("Zalo did not tell who logged in", err)
	}
	var oaID *string
	follows := false
	f, err := q.FollowerByAppID(ctx, &me.ID)
	if err == nil {
		oaID, follows = &f.OAUserID, f.Following
	} else if !errors.Is(err, db.ErrNotFound) {
		return contract.WizardAccount{}, err
	}
	acct, err := q.UpsertZaloAccount(ctx, db.UpsertZaloAccountParams{WorkspaceID: in.WorkspaceID, AppUserID: me.ID, OAUserID: oaID, Name: message.Clean(me.Name)})
	if err != nil {
		return contract.WizardAccount{}, fmt.Errorf("store zalo account: %w", err)
	}
	return contract.WizardAccount{ID: acct.ID, Name: acct.Name, FollowsOA: follows}, nil
}

// AccountInput names a workspace's Zalo account.
type AccountInput struct {
	WorkspaceID, AccountID uuid.UUID
}

// LookupZaloAccount reads an account and whether it follows the OA now.
func (a *Activities) LookupZaloAccount(ctx context.Context, in AccountInput) (contract.WizardAccount, error) {
	acct, err := db.New(a.Pool).GetZaloAccount(ctx, db.GetZaloAccountParams{WorkspaceID: in.WorkspaceID, ID: in.AccountID})
	if errors.Is(err, db.ErrNotFound) {
		return contract.WizardAccount{}, contract.FailNotFound.Final("no such Zalo account in this workspace")
	} else if err != nil {
		return contract.WizardAccount{}, err
	}
	return contract.WizardAccount{ID: acct.ID, Name: acct.Name, FollowsOA: acct.FollowsOA && acct.OAUserID != nil}, nil
}

// TestCallInput is what the wizard's test call sends.
type TestCallInput struct {
	WorkspaceID, AccountID uuid.UUID
	Fields                 []string
}

// TestCallResult is how the test call went. A Zalo refusal is a result,
// not an error: the wizard shows it. Route is the route the owner's alerts
// would take, and the test message took.
type TestCallResult struct {
	FollowsOA bool
	MessageID string
	Route     string
	ZaloCode  int
	Error     string
}

// SendTestMessage sends the sample message, marked as a test, to the
// chosen account, if it follows the OA, by the route its alerts would take
// (through the send core; a test keeps no doubt: one whose answer was lost
// is sent again).
func (a *Activities) SendTestMessage(ctx context.Context, in TestCallInput) (TestCallResult, error) {
	acct, err := db.New(a.Pool).GetZaloAccount(ctx, db.GetZaloAccountParams{WorkspaceID: in.WorkspaceID, ID: in.AccountID})
	if err != nil {
		return TestCallResult{}, fmt.Errorf("zalo account: %w", err)
	}
	if !acct.FollowsOA || acct.OAUserID == nil {
		return TestCallResult{}, nil
	}
	fields, err := message.ParseFields(in.Fields)
	if err != nil {
		return TestCallResult{}, contract.FailInvalid.Final("%v", err)
	}
	who, err := a.Sender.Believe(ctx, *acct.OAUserID)
	if err != nil {
		return TestCallResult{}, err
	}
	card := message.AlertTest(message.SampleTransaction(a.Now()), fields)
	out, err := a.Sender.Send(ctx, send.Message{To: *acct.OAUserID, Belief: who, Card: card})
	switch {
	case err != nil:
		return TestCallResult{}, err // transient: Temporal retries, briefly
	case out.Status == send.Sent:
		return TestCallResult{FollowsOA: true, MessageID: out.MessageID, Route: out.Route}, nil
	case out.Status == send.Deferred && out.Reason == send.Quota:
		return TestCallResult{FollowsOA: true, Route: out.Route, ZaloCode: out.ZaloCode,
			Error: "the OA has used up today's Zalo quota for this route; write any message to the OA and the test goes by chat"}, nil
	case out.Status == send.Deferred:
		return TestCallResult{FollowsOA: true, Route: out.Route, ZaloCode: out.ZaloCode,
			Error: "Zalo holds this message until 06:00; write any message to the OA and the test goes by chat"}, nil
	}
	res := TestCallResult{FollowsOA: out.Reason != send.NotFollowing, Route: out.Route, ZaloCode: out.ZaloCode, Error: out.Detail}
	if out.Route == "" {
		res.Route = string(route.None)
		res.Error = "no Zalo route reaches this account now: " + out.Detail
	}
	return res, nil
}

// SaveInput is a finished wizard.
type SaveInput struct {
	WizardID       string
	WorkspaceID    uuid.UUID
	OwnerAccountID uuid.UUID
	BankAccountIDs []uuid.UUID
	Direction      string
	MinAmount      int64
	Fields         []string
}

// SaveResult is the integration a wizard created. Its referral code is
// not here: it would be in history, and it is what admits people to the
// integration's alerts.
type SaveResult struct {
	IntegrationID uuid.UUID
}

// SaveIntegration creates the integration, its bank accounts and its
// referral code in one transaction. Saving the same wizard again returns
// the integration it made.
func (a *Activities) SaveIntegration(ctx context.Context, in SaveInput) (SaveResult, error) {
	var res SaveResult
	err := db.InTx(ctx, a.Pool, func(q *db.Queries) error {
		integ, err := q.CreateIntegration(ctx, db.CreateIntegrationParams{
			WorkspaceID: in.WorkspaceID, OwnerAccountID: in.OwnerAccountID, Direction: db.Direction(in.Direction),
			MinAmount: in.MinAmount, Fields: in.Fields, MessageKind: db.MessageKindCs, ReferralCode: referral.New(),
			WizardID: &in.WizardID,
		})
		if err != nil {
			return err
		}
		res = SaveResult{IntegrationID: integ.ID}
		if !integ.Inserted {
			return nil // saved by an earlier attempt
		}
		for _, b := range in.BankAccountIDs {
			if err := q.AddIntegrationBankAccount(ctx, db.AddIntegrationBankAccountParams{IntegrationID: integ.ID, BankAccountID: b}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save integration: %w", err)
	}
	return res, nil
}

// zaloRefusal makes a Zalo error final for a login: its code is single use,
// so a retry cannot succeed.
func zaloRefusal(what string, err error) error {
	return contract.FailZaloPermanent.Final("%s: %v", what, err)
}
