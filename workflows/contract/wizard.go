package contract

import (
	"time"

	"github.com/google/uuid"
)

// The SetupWizard's steps, one Update each, and its one Query.
const (
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

// Wizard statuses.
const (
	WizardInProgress = "in_progress"
	WizardSaved      = "saved"
	WizardCancelled  = "cancelled"
	WizardExpired    = "expired"
)

// WizardIdle is how long a wizard waits for its owner before it expires.
const WizardIdle = 7 * 24 * time.Hour

// WizardWorkflowID is a wizard's workflow id. The workspace is part of it,
// so a wizard id from another workspace names no workflow at all.
func WizardWorkflowID(workspaceID, wizardID uuid.UUID) string {
	return "wizard:" + workspaceID.String() + ":" + wizardID.String()
}

// WizardInput starts a wizard for a workspace.
type WizardInput struct {
	WizardID    uuid.UUID
	WorkspaceID uuid.UUID
}

// WizardAccount is a Zalo account as the wizard shows it.
type WizardAccount struct {
	ID        uuid.UUID
	Name      string
	FollowsOA bool
}

// TestCall is the last test call's outcome.
type TestCall struct {
	OK        bool
	MessageID string
	// Route is the route the owner's alerts take, which the test took:
	// cs, template or template_phone.
	Route    string
	ZaloCode int
	Error    string
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
	IntegrationID  *uuid.UUID // the integration saved; its referral code stays out of history
	LoginState     string     // the state of the login in progress; not shown
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
	BeginZaloLogin struct{ State string }
	// CompleteZaloLogin names the login by its state; the code Zalo sent
	// back stays out of history (the login's activity reads it, sealed,
	// from the database). Code is set only by runs from before.
	CompleteZaloLogin struct{ State, Code string }
	ChooseZaloAccount struct{ ZaloAccountID uuid.UUID }
	ConfigureFields   struct{ Fields []string }
)
