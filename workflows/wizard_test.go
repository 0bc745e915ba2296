package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/workflows"
)

type wizardRun struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	n   int
}

func newWizard(t *testing.T) *wizardRun {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: workflows.SetupWizardName})
	var a *activities.Activities
	acct := activities.WizardAccount{ID: uuid.New(), Name: "Lan", FollowsOA: true}
	env.OnActivity(a.LookupZaloAccount, mock.Anything, mock.Anything).Return(acct, nil)
	env.OnActivity(a.SendTestMessage, mock.Anything, mock.Anything).Return(activities.TestCallResult{FollowsOA: true, MessageID: "m1"}, nil)
	env.OnActivity(a.SaveIntegration, mock.Anything, mock.Anything).Return(activities.SaveResult{IntegrationID: uuid.New(), ReferralCode: "ABCDEFGH23"}, nil)
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
	if err == nil {
		return ""
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return err.Error()
}

func TestWizardEnforcesTheOrderOfSteps(t *testing.T) {
	w := newWizard(t)
	m := time.Minute
	var early, saveEarly, banks, choose, fields, test, change, saveStale, test2, save string
	w.step(1*m, workflows.UpdateTestCall, &early)
	w.step(2*m, workflows.UpdateSave, &saveEarly)
	w.step(3*m, workflows.UpdateSelectBankAccounts, &banks, workflows.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "in"})
	w.step(4*m, workflows.UpdateChooseZaloAccount, &choose, workflows.ChooseZaloAccount{ZaloAccountID: uuid.New()})
	w.step(5*m, workflows.UpdateConfigureFields, &fields, workflows.ConfigureFields{Fields: []string{"time"}})
	w.step(6*m, workflows.UpdateTestCall, &test)
	w.step(7*m, workflows.UpdateConfigureFields, &change, workflows.ConfigureFields{Fields: []string{"time", "balance"}})
	w.step(8*m, workflows.UpdateSave, &saveStale)
	w.step(9*m, workflows.UpdateTestCall, &test2)
	w.step(10*m, workflows.UpdateSave, &save)

	w.env.ExecuteWorkflow(workflows.SetupWizard, workflows.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	var st workflows.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))

	require.Equal(t, workflows.ErrStepOutOfOrder, early, "no test call before an account and fields")
	require.Equal(t, workflows.ErrStepOutOfOrder, saveEarly, "no save before a test call")
	for _, ok := range []string{banks, choose, fields, test, change, test2, save} {
		require.Empty(t, ok)
	}
	require.Equal(t, workflows.ErrStepOutOfOrder, saveStale, "a change after the test call invalidates it")
	require.Equal(t, workflows.WizardSaved, st.Status)
	require.Equal(t, "ABCDEFGH23", st.ReferralCode)
	require.Equal(t, []string{"amount", "time", "balance"}, st.Fields)
}

func TestWizardRefusesBadSteps(t *testing.T) {
	w := newWizard(t)
	var noBanks, badDirection, badField, wrongLogin string
	w.step(time.Minute, workflows.UpdateSelectBankAccounts, &noBanks, workflows.SelectBankAccounts{Direction: "in"})
	w.step(2*time.Minute, workflows.UpdateSelectBankAccounts, &badDirection, workflows.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "sideways"})
	w.step(3*time.Minute, workflows.UpdateConfigureFields, &badField, workflows.ConfigureFields{Fields: []string{"password"}})
	w.step(4*time.Minute, workflows.UpdateCompleteZaloLogin, &wrongLogin, workflows.CompleteZaloLogin{State: "forged", Code: "c"})
	var cancelled string
	w.step(5*time.Minute, workflows.UpdateCancel, &cancelled)
	w.env.ExecuteWorkflow(workflows.SetupWizard, workflows.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	for _, got := range []string{noBanks, badDirection, badField, wrongLogin} {
		require.Equal(t, workflows.ErrStepOutOfOrder, got)
	}
	var st workflows.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))
	require.Equal(t, workflows.WizardCancelled, st.Status)
}

func TestWizardTestCallToANonFollower(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.SetupWizard, workflow.RegisterOptions{Name: workflows.SetupWizardName})
	var a *activities.Activities
	env.OnActivity(a.LookupZaloAccount, mock.Anything, mock.Anything).Return(activities.WizardAccount{ID: uuid.New(), Name: "Minh"}, nil)
	env.OnActivity(a.SendTestMessage, mock.Anything, mock.Anything).Return(activities.TestCallResult{}, nil)
	w := &wizardRun{t: t, env: env}
	var choose, fields, test string
	w.step(time.Minute, workflows.UpdateChooseZaloAccount, &choose, workflows.ChooseZaloAccount{ZaloAccountID: uuid.New()})
	w.step(2*time.Minute, workflows.UpdateConfigureFields, &fields, workflows.ConfigureFields{})
	w.step(3*time.Minute, workflows.UpdateTestCall, &test)
	w.step(4*time.Minute, workflows.UpdateCancel, new(string))
	env.ExecuteWorkflow(workflows.SetupWizard, workflows.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, workflows.ErrNotFollowing, test)
}

// TestWizardExpiresAfterSevenIdleDays: every step restarts the clock.
func TestWizardExpiresAfterSevenIdleDays(t *testing.T) {
	w := newWizard(t)
	var banks string
	w.step(6*24*time.Hour, workflows.UpdateSelectBankAccounts, &banks, workflows.SelectBankAccounts{BankAccountIDs: []uuid.UUID{uuid.New()}, Direction: "both"})
	start := w.env.Now()
	w.env.ExecuteWorkflow(workflows.SetupWizard, workflows.WizardInput{WizardID: uuid.New(), WorkspaceID: uuid.New()})
	require.NoError(t, w.env.GetWorkflowError())
	var st workflows.WizardState
	require.NoError(t, w.env.GetWorkflowResult(&st))
	require.Empty(t, banks)
	require.Equal(t, workflows.WizardExpired, st.Status)
	require.WithinDuration(t, start.Add(13*24*time.Hour), w.env.Now(), time.Minute, "seven idle days after the last step")
}
