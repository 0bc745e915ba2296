package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/referral"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

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
		return contract.WizardAccount{}, temporal.NewNonRetryableApplicationError("this login link was used or has expired; start the login again", "login_expired", nil)
	} else if err != nil {
		return contract.WizardAccount{}, err
	}
	verifier, err := a.Box.Open(login.CodeVerifier, secret.CodeVerifier)
	if err != nil {
		return contract.WizardAccount{}, temporal.NewNonRetryableApplicationError("login verifier cannot be opened", "login_sealed", nil)
	}
	code := in.Code // runs started before codes stayed out of history carry it
	if code == "" && login.Code != nil {
		if code, err = a.Box.Open(login.Code, secret.OAuthCode); err != nil {
			return contract.WizardAccount{}, temporal.NewNonRetryableApplicationError("login code cannot be opened", "login_sealed", nil)
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
		return contract.WizardAccount{}, temporal.NewNonRetryableApplicationError("no such Zalo account in this workspace", contract.ErrNotFound, nil)
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
// chosen account, if it follows the OA, by the route its alerts would take.
func (a *Activities) SendTestMessage(ctx context.Context, in TestCallInput) (TestCallResult, error) {
	q := db.New(a.Pool)
	acct, err := q.GetZaloAccount(ctx, db.GetZaloAccountParams{WorkspaceID: in.WorkspaceID, ID: in.AccountID})
	if err != nil {
		return TestCallResult{}, fmt.Errorf("zalo account: %w", err)
	}
	if !acct.FollowsOA || acct.OAUserID == nil {
		return TestCallResult{}, nil
	}
	fields, err := message.ParseFields(in.Fields)
	if err != nil {
		return TestCallResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_fields", nil)
	}
	who, err := a.believe(ctx, q, *acct.OAUserID)
	if err != nil {
		return TestCallResult{}, err
	}
	routes := a.Reach.Policy.Routes(who, a.Now())
	res, err := a.reach(ctx, q, routes, letter{To: *acct.OAUserID, Card: message.AlertTest(message.SampleTransaction(a.Now()), fields)})
	var zerr *zalo.Error
	switch {
	case err != nil && (!errors.As(err, &zerr) || zalo.Classify(err).Retryable()):
		return TestCallResult{}, err // transient: Temporal retries, briefly
	case err != nil:
		return TestCallResult{FollowsOA: zalo.Classify(err) != zalo.ClassNotFollowing, Route: string(res.Route), ZaloCode: zerr.Code, Error: zerr.Message}, nil
	case !res.Until.IsZero():
		return TestCallResult{FollowsOA: true, Route: string(res.Route), ZaloCode: zalo.CodeNightBlock,
			Error: "Zalo sends transaction messages only from 06:00 to 22:00; write any message to the OA first and the test goes by chat"}, nil
	case res.Route == route.None:
		return TestCallResult{FollowsOA: res.Last != zalo.ClassNotFollowing, Route: string(route.None), ZaloCode: res.LastCode,
			Error: "no Zalo route reaches this account now: " + res.why()}, nil
	}
	return TestCallResult{FollowsOA: true, MessageID: res.Sent.MessageID, Route: string(res.Route)}, nil
}

// believe is what the follower table says of a user, for routes: someone
// it does not know yet is taken as a follower (Zalo will say).
func (a *Activities) believe(ctx context.Context, q *db.Queries, oaUserID string) (route.Recipient, error) {
	f, err := q.GetZaloFollower(ctx, oaUserID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return route.Recipient{Following: true}, nil
	case err != nil:
		return route.Recipient{}, err
	}
	return route.Recipient{Following: f.Following, LastInteraction: f.LastInteractionAt, CSRefusedAt: f.CSRefusedAt}, nil
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
	return temporal.NewNonRetryableApplicationError(what+": "+err.Error(), "zalo_"+zalo.Classify(err).String(), nil)
}

// OwnerNoticeInput names an integration just saved.
type OwnerNoticeInput struct {
	IntegrationID uuid.UUID
}

// TellOwner tells the integration's owner, through the OA, which business
// now sends them alerts and how to stop them: a Zalo account bound to
// someone else's integration learns of it at once.
// It goes by the owner's route, as the test call a moment ago did; one the
// night closes (a transaction message at 23:00) is logged and not sent.
func (a *Activities) TellOwner(ctx context.Context, in OwnerNoticeInput) error {
	q := db.New(a.Pool)
	o, err := q.IntegrationOwnerAndBusiness(ctx, in.IntegrationID)
	if err != nil || o.OAUserID == nil {
		return err // an owner not yet following cannot be written to
	}
	who, err := a.believe(ctx, q, *o.OAUserID)
	if err != nil {
		return err
	}
	l := letter{To: *o.OAUserID, Text: message.OwnerWelcome(o.Business), Card: message.OwnerWelcomeCard(o.Business)}
	res, err := a.reach(ctx, q, a.Reach.Policy.Routes(who, a.Now()), l)
	skip := ""
	if err != nil {
		if skip, err = typeSendError(err); err != nil {
			return err
		}
	}
	if skip != "" || res.Route == route.None || !res.Until.IsZero() {
		activity.GetLogger(ctx).Warn("the owner cannot be told of the new integration now", "route", res.Route, "refused", res.why(), "reason", skip)
	}
	return nil
}
