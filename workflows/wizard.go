package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/notices"
	"github.com/tingting-vn/tingting/activities/wizard"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
)

var wizardActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 500 * time.Millisecond, MaximumInterval: 5 * time.Second, MaximumAttempts: 3,
	},
}

// loginOptions: a login's code is single use, so its exchange is tried once.
var loginOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
}

// session is a SetupWizard's state. Update handlers interleave at every
// await, so each handler that changes state or runs an activity holds mu
// for its whole run and checks its preconditions again once it has it:
// a change can never slip in while the test call is at Zalo, nor a cancel
// while saving.
type session struct {
	st contract.WizardState
	mu workflow.Mutex
	// revision counts changes to what would be saved; tested is the
	// revision the last successful test call showed. Save needs them equal.
	revision, tested int
	touched          bool // set by every step; resets the idle timer
}

// SetupWizard walks an owner through making an integration: choose bank
// accounts → log in with Zalo (or pick an account) → choose fields → test
// call → save. Each step is an Update whose validator refuses a bad value
// (contract.ErrInvalid) or a step out of order (contract.ErrStepOutOfOrder),
// so the owner's click gets the step's result or a clear refusal.
func SetupWizard(ctx workflow.Context, in contract.WizardInput) (contract.WizardState, error) {
	w := &session{
		st:     contract.WizardState{ID: in.WizardID, WorkspaceID: in.WorkspaceID, Status: contract.WizardInProgress},
		mu:     workflow.NewMutex(ctx),
		tested: -1,
	}
	if err := workflow.SetQueryHandler(ctx, contract.QueryState, w.state); err != nil {
		return w.st, err
	}
	for _, h := range []struct {
		name               string
		handler, validator any
	}{
		{contract.UpdateSelectBankAccounts, w.selectBankAccounts, w.validateSelectBankAccounts},
		{contract.UpdateBeginZaloLogin, w.beginZaloLogin, w.validateBeginZaloLogin},
		{contract.UpdateCompleteZaloLogin, w.completeZaloLogin, w.validateCompleteZaloLogin},
		{contract.UpdateChooseZaloAccount, w.chooseZaloAccount, w.validateChooseZaloAccount},
		{contract.UpdateConfigureFields, w.configureFields, w.validateConfigureFields},
		{contract.UpdateTestCall, w.testCall, w.validateTestCall},
		{contract.UpdateSave, w.save, w.validateSave},
		{contract.UpdateCancel, w.cancel, w.validateCancel},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return w.st, err
		}
	}

	for w.st.Status == contract.WizardInProgress {
		w.touched = false
		active, err := workflow.AwaitWithTimeout(ctx, contract.WizardIdle, func() bool {
			return w.touched || w.st.Status != contract.WizardInProgress
		})
		if err != nil {
			return w.st, err
		}
		if !active {
			w.st.Status = contract.WizardExpired
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.st, err
	}
	if w.st.Status == contract.WizardSaved && workflow.GetVersion(ctx, "tell-owner", workflow.DefaultVersion, 1) == 1 {
		// The owner learns which business now sends them alerts. Saved
		// is saved: a notice that cannot be sent is logged, not fatal.
		var a *notices.Activities
		notice := notices.WelcomeInput{IntegrationID: *w.st.IntegrationID}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, wizardActivityOptions), a.TellOwner, notice).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("the owner was not told of the new integration", "error", err)
		}
	}
	return w.st, nil
}

func (w *session) state() (contract.WizardState, error) { return w.st, nil }

// lock takes mu for a handler and checks, now that nothing else runs, that
// the wizard is still open and the step still fits; unlock when done.
func (w *session) lock(ctx workflow.Context, fits func() error) (unlock func(), err error) {
	if err := w.mu.Lock(ctx); err != nil {
		return nil, err
	}
	w.touched = true
	if err := w.open(); err != nil {
		w.mu.Unlock()
		return nil, err
	}
	if fits != nil {
		if err := fits(); err != nil {
			w.mu.Unlock()
			return nil, err
		}
	}
	return w.mu.Unlock, nil
}

// changed records a change to what would be saved: the last test call no
// longer shows it.
func (w *session) changed() {
	w.revision++
	w.st.TestCall = nil
}

func (w *session) open() error {
	if w.st.Status != contract.WizardInProgress {
		return contract.FailWizardClosed.New("this wizard is %s; start a new one", w.st.Status)
	}
	return nil
}

func (w *session) validateSelectBankAccounts(in contract.SelectBankAccounts) error {
	if err := w.open(); err != nil {
		return err
	}
	switch {
	case len(in.BankAccountIDs) == 0:
		return invalid("choose at least one bank account")
	case in.Direction != "in" && in.Direction != "out" && in.Direction != "both":
		return invalid("direction must be in, out or both")
	case in.MinAmount < 0:
		return invalid("min_amount must not be negative")
	}
	return nil
}

func (w *session) selectBankAccounts(ctx workflow.Context, in contract.SelectBankAccounts) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, nil)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	w.st.BankAccountIDs, w.st.Direction, w.st.MinAmount = in.BankAccountIDs, in.Direction, in.MinAmount
	w.changed()
	return w.st, nil
}

func (w *session) validateBeginZaloLogin(contract.BeginZaloLogin) error { return w.open() }

func (w *session) beginZaloLogin(ctx workflow.Context, in contract.BeginZaloLogin) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, nil)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	w.st.LoginState = in.State
	return w.st, nil
}

func (w *session) validateCompleteZaloLogin(in contract.CompleteZaloLogin) error {
	if err := w.open(); err != nil {
		return err
	}
	return w.awaitsLogin(in.State)
}

func (w *session) awaitsLogin(state string) error {
	if w.st.LoginState == "" || state != w.st.LoginState {
		return outOfOrder("this wizard is not waiting for this Zalo login")
	}
	return nil
}

func (w *session) completeZaloLogin(ctx workflow.Context, in contract.CompleteZaloLogin) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, func() error { return w.awaitsLogin(in.State) })
	if err != nil {
		return w.st, err
	}
	defer unlock()
	w.st.LoginState = "" // a login completes once
	var a *wizard.Activities
	var acct contract.WizardAccount
	login := wizard.LoginInput{WorkspaceID: w.st.WorkspaceID, State: in.State, Code: in.Code}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, loginOptions), a.CompleteZaloLogin, login).Get(ctx, &acct); err != nil {
		return w.st, contract.FailLoginFailed.Final("%s", cause(err))
	}
	w.st.ZaloAccount = &acct
	w.changed()
	return w.st, nil
}

func (w *session) validateChooseZaloAccount(contract.ChooseZaloAccount) error { return w.open() }

func (w *session) chooseZaloAccount(ctx workflow.Context, in contract.ChooseZaloAccount) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, nil)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	var a *wizard.Activities
	var acct contract.WizardAccount
	lookup := wizard.AccountInput{WorkspaceID: w.st.WorkspaceID, AccountID: in.ZaloAccountID}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, wizardActivityOptions), a.LookupZaloAccount, lookup).Get(ctx, &acct); err != nil {
		return w.st, err
	}
	w.st.ZaloAccount = &acct
	w.changed()
	return w.st, nil
}

func (w *session) validateConfigureFields(in contract.ConfigureFields) error {
	if err := w.open(); err != nil {
		return err
	}
	if _, err := message.ParseFields(in.Fields); err != nil {
		return invalid("%v", err)
	}
	return nil
}

func (w *session) configureFields(ctx workflow.Context, in contract.ConfigureFields) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, nil)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	fields, _ := message.ParseFields(in.Fields) // the validator checked them
	w.st.Fields = make([]string, len(fields))
	for i, f := range fields {
		w.st.Fields[i] = string(f)
	}
	w.st.Preview = message.RenderTest(message.SampleTransaction(workflow.Now(ctx)), fields)
	w.changed()
	return w.st, nil
}

func (w *session) validateTestCall() error {
	if err := w.open(); err != nil {
		return err
	}
	return w.readyToTest()
}

func (w *session) readyToTest() error {
	if w.st.ZaloAccount == nil || len(w.st.Fields) == 0 {
		return outOfOrder("choose a Zalo account and the message's fields before the test call")
	}
	return nil
}

// testCall sends the sample message. It holds the lock while the message is
// at Zalo, so what it shows is what a save would make.
func (w *session) testCall(ctx workflow.Context) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, w.readyToTest)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	var a *wizard.Activities
	var res wizard.TestCallResult
	call := wizard.TestCallInput{WorkspaceID: w.st.WorkspaceID, AccountID: w.st.ZaloAccount.ID, Fields: w.st.Fields}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, wizardActivityOptions), a.SendTestMessage, call).Get(ctx, &res); err != nil {
		return w.st, err
	}
	w.st.ZaloAccount.FollowsOA = res.FollowsOA
	switch {
	case !res.FollowsOA:
		w.st.TestCall = nil
		return w.st, contract.FailNotFollowing.Final(
			"the Zalo account %s does not follow the OA: follow (\"Quan tâm\") the OA in Zalo first, then try again", w.st.ZaloAccount.Name)
	case res.MessageID == "":
		w.st.TestCall = &contract.TestCall{Route: res.Route, ZaloCode: res.ZaloCode, Error: res.Error}
		return w.st, contract.ZaloRefused(res.ZaloCode, "Zalo refused the test message: %s", res.Error)
	}
	w.st.TestCall = &contract.TestCall{OK: true, MessageID: res.MessageID, Route: res.Route}
	w.tested = w.revision
	return w.st, nil
}

func (w *session) validateSave() error {
	if err := w.open(); err != nil {
		return err
	}
	return w.readyToSave()
}

func (w *session) readyToSave() error {
	switch {
	case len(w.st.BankAccountIDs) == 0:
		return outOfOrder("choose bank accounts before saving")
	case w.st.TestCall == nil || !w.st.TestCall.OK || w.tested != w.revision:
		return outOfOrder("save needs a successful test call after the last change")
	}
	return nil
}

func (w *session) save(ctx workflow.Context) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, w.readyToSave)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	var a *wizard.Activities
	var res wizard.SaveResult
	save := wizard.SaveInput{
		WizardID: contract.WizardWorkflowID(w.st.WorkspaceID, w.st.ID), WorkspaceID: w.st.WorkspaceID, OwnerAccountID: w.st.ZaloAccount.ID,
		BankAccountIDs: w.st.BankAccountIDs, Direction: w.st.Direction, MinAmount: w.st.MinAmount, Fields: w.st.Fields,
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, wizardActivityOptions), a.SaveIntegration, save).Get(ctx, &res); err != nil {
		return w.st, err
	}
	w.st.Status, w.st.IntegrationID = contract.WizardSaved, &res.IntegrationID
	return w.st, nil
}

func (w *session) validateCancel() error { return w.open() }

// cancel waits for a save in progress: a wizard that saved stays saved.
func (w *session) cancel(ctx workflow.Context) (contract.WizardState, error) {
	unlock, err := w.lock(ctx, nil)
	if err != nil {
		return w.st, err
	}
	defer unlock()
	w.st.Status = contract.WizardCancelled
	return w.st, nil
}

func outOfOrder(format string, args ...any) error {
	return contract.FailStepOutOfOrder.New(format, args...)
}

func invalid(format string, args ...any) error { return contract.FailInvalid.New(format, args...) }

// cause is what the owner may read of a failed login: our own words for
// the failures we name (Zalo's refusal, an expired link), never the text
// of an unexpected error, which can name hosts and SQL.
func cause(err error) string {
	if f, msg := contract.FailureOf(err); f.ForOwner() {
		return msg
	}
	return "the Zalo login could not be completed; start it again"
}
