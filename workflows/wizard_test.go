package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities/wizard"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/workflows/contract"
)

type wizardRun struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	n   int
}

func newWizard(t *testing.T) *wizardRun {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: contract.SetupWizardName})
	var a *wizard.Activities
	acct := contract.WizardAccount{ID: uuid.New(), Name: "Lan", FollowsOA: true}
	env.OnActivity(a.LookupZaloAccount, mock.Anything, mock.Anything).Return(acct, nil)
	env.OnActivity(a.SendTestMessage, mock.Anything, mock.Anything).Return(wizard.TestCallResult{FollowsOA: true, MessageID: "m1"}, nil)
	env.OnActivity(a.SaveIntegration, mock.Anything, mock.Anything).Return(wizard.SaveResult{IntegrationID: uuid.New()}, nil)
	return &wizardRun{t: t, env: env}
}

// step sends an Update at the given offset and records its outcome: the
// error type it failed with, or "" on success.
func (w *wizardRun) step(at time.Duration, name string, got *string, args ...any) {
	w.n++
	id := name + string(rune('a'+w.n))
	w.env.RegisterDelayedCallback(func() {
		w.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { *got = errType(err) },
			OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				*got = errType(err)
			},
		}, args...)
	}, at)
}

func errType(err error) string {
	if f, _ := contract.FailureOf(err); f != "" || err == nil {
		return string(f)
	}
	return err.Error()
}

func TestWizardEnforcesTheOrderOfSteps(t *testing.T) {
	w := newWizard(t)
	m := time.Minute
	var early, saveEarly, banks, choose, fields, test, change, saveStale, test2, save string
	w.step(1*m, contract.UpdateTestCall, &early)
	w.step(2*m, contract.UpdateSave, &saveEarly)
	w.step(3*m, contract.UpdateSelectBankAccounts, &banks, contract.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "in"})
	w.step(4*m, contract.UpdateChooseZaloAccount, &choose, contract.ChooseZaloAccount{ZaloAccountID: uuid.New()})
	w.step(5*m, contract.UpdateConfigureFields, &fields, contract.ConfigureFields{Fields: []string{"time"}})
	w.step(6*m, contract.UpdateTestCall, &test)
	w.step(7*m, contract.UpdateConfigureFields, &change, contract.ConfigureFields{Fields: []string{"time", "balance"}})
	w.step(8*m, contract.UpdateSave, &saveStale)
	w.step(9*m, contract.UpdateTestCall, &test2)
	w.step(10*m, contract.UpdateSave, &save)

	w.env.ExecuteWorkflow(workflows.SetupWizard, contract.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	var st contract.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))

	require.Equal(t, string(contract.FailStepOutOfOrder), early, "no test call before an account and fields")
	require.Equal(t, string(contract.FailStepOutOfOrder), saveEarly, "no save before a test call")
	for _, ok := range []string{banks, choose, fields, test, change, test2, save} {
		require.Empty(t, ok)
	}
	require.Equal(t, string(contract.FailStepOutOfOrder), saveStale, "a change after the test call invalidates it")
	require.Equal(t, contract.WizardSaved, st.Status)
	require.Equal(t, []string{"amount", "time", "balance"}, st.Fields)
}

func TestWizardRefusesBadSteps(t *testing.T) {
	w := newWizard(t)
	var noBanks, badDirection, badField, wrongLogin string
	w.step(time.Minute, contract.UpdateSelectBankAccounts, &noBanks, contract.SelectBankAccounts{Direction: "in"})
	w.step(2*time.Minute, contract.UpdateSelectBankAccounts, &badDirection, contract.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "sideways"})
	w.step(3*time.Minute, contract.UpdateConfigureFields, &badField, contract.ConfigureFields{Fields: []string{"password"}})
	w.step(4*time.Minute, contract.UpdateCompleteZaloLogin, &wrongLogin, contract.CompleteZaloLogin{State: "forged", Code: "c"})
	var cancelled string
	w.step(5*time.Minute, contract.UpdateCancel, &cancelled)
	w.env.ExecuteWorkflow(workflows.SetupWizard, contract.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	for _, got := range []string{noBanks, badDirection, badField} {
		require.Equal(t, string(contract.FailInvalid), got, "a bad value is not a step out of order")
	}
	require.Equal(t, string(contract.FailStepOutOfOrder), wrongLogin)
	var st contract.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))
	require.Equal(t, contract.WizardCancelled, st.Status)
}

// TestAChangeDuringTheTestCallIsNeverSavedUntested: the owner changes the
// fields while the test call is at Zalo. The change waits for the test
// call, then invalidates it, so save refuses until the new fields are
// tested; a cancel sent while saving waits, and the wizard stays saved.
func TestAChangeDuringTheTestCallIsNeverSavedUntested(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: contract.SetupWizardName})
	var a *wizard.Activities
	env.OnActivity(a.LookupZaloAccount, mock.Anything, mock.Anything).Return(contract.WizardAccount{ID: uuid.New(), Name: "Lan", FollowsOA: true}, nil)
	// The test call and the save take a while (at Zalo, at the database):
	// Updates sent meanwhile must wait for them.
	env.OnActivity(a.SendTestMessage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in wizard.TestCallInput) (wizard.TestCallResult, error) {
			time.Sleep(300 * time.Millisecond)
			return wizard.TestCallResult{FollowsOA: true, MessageID: "m-" + strings.Join(in.Fields, "+")}, nil
		})
	env.OnActivity(a.SaveIntegration, mock.Anything, mock.Anything).Return(
		func(context.Context, wizard.SaveInput) (wizard.SaveResult, error) {
			time.Sleep(300 * time.Millisecond)
			return wizard.SaveResult{IntegrationID: uuid.New()}, nil
		})
	w := &wizardRun{t: t, env: env}
	m := time.Minute
	var banks, choose, fields, test, change, saveUntested, retest, save, cancel string
	w.step(1*m, contract.UpdateSelectBankAccounts, &banks, contract.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "in"})
	w.step(2*m, contract.UpdateChooseZaloAccount, &choose, contract.ChooseZaloAccount{ZaloAccountID: uuid.New()})
	w.step(3*m, contract.UpdateConfigureFields, &fields, contract.ConfigureFields{Fields: []string{"time"}})
	w.step(4*m, contract.UpdateTestCall, &test)
	w.step(4*m+time.Millisecond, contract.UpdateConfigureFields, &change, contract.ConfigureFields{Fields: []string{"time", "balance"}})
	w.step(5*m, contract.UpdateSave, &saveUntested)
	w.step(6*m, contract.UpdateTestCall, &retest)
	w.step(7*m, contract.UpdateSave, &save)
	w.step(7*m+time.Millisecond, contract.UpdateCancel, &cancel)
	env.ExecuteWorkflow(workflows.SetupWizard, contract.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, env.GetWorkflowError())
	for _, ok := range []string{banks, choose, fields, test, change, retest, save} {
		require.Empty(t, ok)
	}
	require.Equal(t, string(contract.FailStepOutOfOrder), saveUntested, "the change during the test call invalidated it")
	require.Equal(t, string(contract.FailWizardClosed), cancel, "a cancel that waited for the save finds it saved")
	var st contract.WizardState
	require.NoError(t, env.GetWorkflowResult(&st))
	require.Equal(t, contract.WizardSaved, st.Status)
	require.Equal(t, "m-amount+time+balance", st.TestCall.MessageID, "what was saved is what was tested")
	require.Equal(t, []string{"amount", "time", "balance"}, st.Fields)
}

func TestWizardTestCallToANonFollower(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: contract.SetupWizardName})
	var a *wizard.Activities
	env.OnActivity(a.LookupZaloAccount, mock.Anything, mock.Anything).Return(contract.WizardAccount{ID: uuid.New(), Name: "Minh"}, nil)
	env.OnActivity(a.SendTestMessage, mock.Anything, mock.Anything).Return(wizard.TestCallResult{}, nil)
	w := &wizardRun{t: t, env: env}
	var choose, fields, test string
	w.step(time.Minute, contract.UpdateChooseZaloAccount, &choose, contract.ChooseZaloAccount{ZaloAccountID: uuid.New()})
	w.step(2*time.Minute, contract.UpdateConfigureFields, &fields, contract.ConfigureFields{})
	w.step(3*time.Minute, contract.UpdateTestCall, &test)
	w.step(4*time.Minute, contract.UpdateCancel, new(string))
	env.ExecuteWorkflow(workflows.SetupWizard, contract.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, string(contract.FailNotFollowing), test)
}

// TestWizardExpiresAfterSevenIdleDays: every step restarts the clock.
func TestWizardExpiresAfterSevenIdleDays(t *testing.T) {
	w := newWizard(t)
	var banks string
	w.step(6*24*time.Hour, contract.UpdateSelectBankAccounts, &banks, contract.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "both"})
	start := w.env.Now()
	w.env.ExecuteWorkflow(workflows.SetupWizard, contract.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	var st contract.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))
	require.Empty(t, banks)
	require.Equal(t, contract.WizardExpired, st.Status)
	require.WithinDuration(t, start.Add(13*24*time.Hour), w.env.Now(), time.Minute, "seven idle days after the last step")
}
