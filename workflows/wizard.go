package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/message"
)

// The SetupWizard's contract: one Update per step, one Query.
const (
	SetupWizardName          = "SetupWizard"
	UpdateSelectBankAccounts = "SelectBankAccounts"
	UpdateBeginZaloLogin     = "BeginZaloLogin"
	UpdateCompleteZaloLogin  = "CompleteZaloLogin"
	UpdateChooseZaloAccount  = "ChooseZaloAccount"
	UpdateConfigureFields    = "ConfigureFields"
	UpdateTestCall           = "TestCall"
	UpdateSave               = "Save"
	UpdateCancel             = "Cancel"
	QueryState               = "State"
)

// Error types a step's Update fails with, for the API to map.
const (
	ErrStepOutOfOrder = "step_out_of_order"
	ErrNotFollowing   = "not_following"
	ErrZaloRefused    = "zalo_refused"
	ErrLoginFailed    = "login_failed"
)

// Wizard statuses.
const (
	WizardInProgress = "in_progress"
	WizardSaved      = "saved"
	WizardCancelled  = "cancelled"
	WizardExpired    = "expired"
)

// WizardIdle is how long a wizard waits for its owner before it expires.
const WizardIdle = 7 * 24 * time.Hour

// WizardWorkflowID is a wizard's workflow id.
func WizardWorkflowID(id uuid.UUID) string { return "wizard:" + id.String() }

// WizardInput starts a wizard for a workspace.
type WizardInput struct {
	WizardID    uuid.UUID
	WorkspaceID uuid.UUID
}

// WizardAccount is the chosen Zalo account.
type WizardAccount = activities.WizardAccount

// TestCall is the last test call's outcome.
type TestCall struct {
	OK        bool
	MessageID string
	ZaloCode  int
	Error     string
}

// WizardState is everything the wizard knows; the State query returns it.
type WizardState struct {
	ID             uuid.UUID
	WorkspaceID    uuid.UUID
	Status         string
	BankAccountIDs []uuid.UUID
	Direction      string
	MinAmount      int64
	ZaloAccount    *WizardAccount
	Fields         []string
	Preview        string
	TestCall       *TestCall
	IntegrationID  *uuid.UUID
	ReferralCode   string
	LoginState     string // the state of the login in progress; not shown
}

// Step is what the owner does next.
func (s WizardState) Step() string {
	switch {
	case s.Status != WizardInProgress:
		return "done"
	case len(s.BankAccountIDs) == 0:
		return "bank_accounts"
	case s.ZaloAccount == nil:
		return "zalo_account"
	case len(s.Fields) == 0:
		return "fields"
	case s.TestCall == nil || !s.TestCall.OK:
		return "test_call"
	}
	return "save"
}

// Step inputs.
type (
	SelectBankAccounts struct {
		BankAccountIDs []uuid.UUID
		Direction      string
		MinAmount      int64
	}
	BeginZaloLogin    struct{ State string }
	CompleteZaloLogin struct{ State, Code string }
	ChooseZaloAccount struct{ ZaloAccountID uuid.UUID }
	ConfigureFields   struct{ Fields []string }
)

var wizardActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 500 * time.Millisecond, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
	},
}

// SetupWizard walks an owner through making an integration: choose bank
// accounts → log in with Zalo (or pick an account) → choose fields → test
// call → save. Each step is an Update whose validator enforces the order,
// so the owner's click gets the step's result or a clear refusal.
func SetupWizard(ctx workflow.Context, in WizardInput) (WizardState, error) {
	var a *activities.Activities
	actCtx := workflow.WithActivityOptions(ctx, wizardActivityOptions)
	loginCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1}, // the code is single use
	})
	st := WizardState{ID: in.WizardID, WorkspaceID: in.WorkspaceID, Status: WizardInProgress}
	touched := false // set by every step; resets the idle timer

	if err := workflow.SetQueryHandler(ctx, QueryState, func() (WizardState, error) { return st, nil }); err != nil {
		return st, err
	}
	open := func() error {
		if st.Status != WizardInProgress {
			return outOfOrder("this wizard is %s", st.Status)
		}
		return nil
	}
	// changed invalidates the test call: it no longer shows what would be saved.
	changed := func() { st.TestCall = nil; touched = true }

	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateSelectBankAccounts, func(ctx workflow.Context, in SelectBankAccounts) (WizardState, error) {
			st.BankAccountIDs, st.Direction, st.MinAmount = in.BankAccountIDs, in.Direction, in.MinAmount
			changed()
			return st, nil
		}, func(in SelectBankAccounts) error {
			if err := open(); err != nil {
				return err
			}
			if len(in.BankAccountIDs) == 0 {
				return outOfOrder("choose at least one bank account")
			}
			if in.Direction != "in" && in.Direction != "out" && in.Direction != "both" {
				return outOfOrder("direction must be in, out or both")
			}
			if in.MinAmount < 0 {
				return outOfOrder("min_amount must not be negative")
			}
			return nil
		}},
		{UpdateBeginZaloLogin, func(ctx workflow.Context, in BeginZaloLogin) (WizardState, error) {
			st.LoginState = in.State
			touched = true
			return st, nil
		}, func(in BeginZaloLogin) error { return open() }},
		{UpdateCompleteZaloLogin, func(ctx workflow.Context, in CompleteZaloLogin) (WizardState, error) {
			st.LoginState = ""
			var acct WizardAccount
			login := activities.LoginInput{WorkspaceID: st.WorkspaceID, State: in.State, Code: in.Code}
			if err := workflow.ExecuteActivity(loginCtx, a.CompleteZaloLogin, login).Get(ctx, &acct); err != nil {
				return st, temporal.NewNonRetryableApplicationError(cause(err), ErrLoginFailed, nil)
			}
			st.ZaloAccount = &acct
			changed()
			return st, nil
		}, func(in CompleteZaloLogin) error {
			if err := open(); err != nil {
				return err
			}
			if st.LoginState == "" || in.State != st.LoginState {
				return outOfOrder("this wizard is not waiting for this Zalo login")
			}
			return nil
		}},
		{UpdateChooseZaloAccount, func(ctx workflow.Context, in ChooseZaloAccount) (WizardState, error) {
			var acct WizardAccount
			lookup := activities.AccountInput{WorkspaceID: st.WorkspaceID, AccountID: in.ZaloAccountID}
			if err := workflow.ExecuteActivity(actCtx, a.LookupZaloAccount, lookup).Get(ctx, &acct); err != nil {
				return st, err
			}
			st.ZaloAccount = &acct
			changed()
			return st, nil
		}, func(in ChooseZaloAccount) error { return open() }},
		{UpdateConfigureFields, func(ctx workflow.Context, in ConfigureFields) (WizardState, error) {
			fields, _ := message.ParseFields(in.Fields) // the validator checked them
			st.Fields = make([]string, len(fields))
			for i, f := range fields {
				st.Fields[i] = string(f)
			}
			st.Preview = message.RenderTest(message.SampleTransaction(workflow.Now(ctx)), fields)
			changed()
			return st, nil
		}, func(in ConfigureFields) error {
			if err := open(); err != nil {
				return err
			}
			if _, err := message.ParseFields(in.Fields); err != nil {
				return outOfOrder("%v", err)
			}
			return nil
		}},
		{UpdateTestCall, func(ctx workflow.Context) (WizardState, error) {
			touched = true
			var res activities.TestCallResult
			call := activities.TestCallInput{WorkspaceID: st.WorkspaceID, AccountID: st.ZaloAccount.ID, Fields: st.Fields}
			if err := workflow.ExecuteActivity(actCtx, a.SendTestMessage, call).Get(ctx, &res); err != nil {
				return st, err
			}
			st.ZaloAccount.FollowsOA = res.FollowsOA
			st.TestCall = &TestCall{OK: res.MessageID != "", MessageID: res.MessageID, ZaloCode: res.ZaloCode, Error: res.Error}
			switch {
			case !res.FollowsOA:
				st.TestCall = nil
				return st, temporal.NewNonRetryableApplicationError(
					"the Zalo account "+st.ZaloAccount.Name+" does not follow the OA: follow (\"Quan tâm\") the OA in Zalo first, then try again",
					ErrNotFollowing, nil)
			case res.MessageID == "":
				return st, temporal.NewNonRetryableApplicationError(fmt.Sprintf("Zalo refused the test message: %s", res.Error),
					ErrZaloRefused, nil, res.ZaloCode)
			}
			return st, nil
		}, func() error {
			if err := open(); err != nil {
				return err
			}
			if st.ZaloAccount == nil || len(st.Fields) == 0 {
				return outOfOrder("choose a Zalo account and the message's fields before the test call")
			}
			return nil
		}},
		{UpdateSave, func(ctx workflow.Context) (WizardState, error) {
			var res activities.SaveResult
			save := activities.SaveInput{
				WizardID: WizardWorkflowID(st.ID), WorkspaceID: st.WorkspaceID, OwnerAccountID: st.ZaloAccount.ID,
				BankAccountIDs: st.BankAccountIDs, Direction: st.Direction, MinAmount: st.MinAmount, Fields: st.Fields,
			}
			if err := workflow.ExecuteActivity(actCtx, a.SaveIntegration, save).Get(ctx, &res); err != nil {
				return st, err
			}
			st.Status, st.IntegrationID, st.ReferralCode = WizardSaved, &res.IntegrationID, res.ReferralCode
			return st, nil
		}, func() error {
			if err := open(); err != nil {
				return err
			}
			if len(st.BankAccountIDs) == 0 {
				return outOfOrder("choose bank accounts before saving")
			}
			if st.TestCall == nil || !st.TestCall.OK {
				return outOfOrder("save needs a successful test call after the last change")
			}
			return nil
		}},
		{UpdateCancel, func(ctx workflow.Context) (WizardState, error) {
			st.Status = WizardCancelled
			return st, nil
		}, func() error { return open() }},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return st, err
		}
	}

	for st.Status == WizardInProgress {
		touched = false
		active, err := workflow.AwaitWithTimeout(ctx, WizardIdle, func() bool { return touched || st.Status != WizardInProgress })
		if err != nil {
			return st, err
		}
		if !active {
			st.Status = WizardExpired
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return st, err
	}
	return st, nil
}

func outOfOrder(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrStepOutOfOrder)
}

// cause is the innermost message of an activity failure, for the owner.
func cause(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}
