package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/ingest"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/workflows/contract"
)

type wizardAccount struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	FollowsOA bool   `json:"follows_oa"`
}

type wizardTestCall struct {
	OK        bool   `json:"ok"`
	MessageID string `json:"message_id"`
	Route     string `json:"route,omitempty"`
	Error     string `json:"error"`
	ZaloCode  int    `json:"zalo_code,omitempty"`
}

type wizardResponse struct {
	ID             string          `json:"id"`
	Status         string          `json:"status"`
	Step           string          `json:"step"`
	BankAccountIDs []string        `json:"bank_account_ids"`
	Direction      string          `json:"direction"`
	MinAmount      int64           `json:"min_amount"`
	ZaloAccount    *wizardAccount  `json:"zalo_account"`
	Fields         []string        `json:"fields"`
	Preview        string          `json:"preview"`
	TestCall       *wizardTestCall `json:"test_call"`
	IntegrationID  *string         `json:"integration_id"`
	ReferralCode   string          `json:"referral_code,omitempty"`
}

func toWizard(st contract.WizardState) wizardResponse {
	res := wizardResponse{
		ID: st.ID.String(), Status: st.Status, Step: st.Step(), BankAccountIDs: []string{}, Direction: st.Direction,
		MinAmount: st.MinAmount, Fields: append([]string{}, st.Fields...), Preview: st.Preview,
	}
	for _, id := range st.BankAccountIDs {
		res.BankAccountIDs = append(res.BankAccountIDs, id.String())
	}
	if a := st.ZaloAccount; a != nil {
		res.ZaloAccount = &wizardAccount{ID: a.ID.String(), Name: a.Name, FollowsOA: a.FollowsOA}
	}
	if tc := st.TestCall; tc != nil {
		res.TestCall = &wizardTestCall{OK: tc.OK, MessageID: tc.MessageID, Route: tc.Route, Error: tc.Error, ZaloCode: tc.ZaloCode}
	}
	if st.IntegrationID != nil {
		id := st.IntegrationID.String()
		res.IntegrationID = &id
	}
	return res
}

// createWizard starts a SetupWizard workflow for the workspace.
func (s *Server) createWizard(c echo.Context) error {
	in := contract.WizardInput{WizardID: uuid.New(), WorkspaceID: workspaceID(c)}
	_, err := s.temporal.ExecuteWorkflow(c.Request().Context(), client.StartWorkflowOptions{
		ID: contract.WizardWorkflowID(in.WorkspaceID, in.WizardID), TaskQueue: contract.TaskQueue,
	}, contract.SetupWizardName, in)
	if err != nil {
		return err
	}
	st := contract.WizardState{ID: in.WizardID, WorkspaceID: in.WorkspaceID, Status: contract.WizardInProgress}
	return c.JSON(http.StatusCreated, toWizard(st))
}

func (s *Server) getWizard(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.temporal.QueryWorkflow(c.Request().Context(), contract.WizardWorkflowID(workspaceID(c), id), "", contract.QueryState)
	if err != nil {
		return err
	}
	var st contract.WizardState
	if err := v.Get(&st); err != nil {
		return err
	}
	res := toWizard(st)
	if st.IntegrationID != nil {
		// The referral code stays out of the wizard's history: it is read
		// from the integration the wizard saved.
		integ, err := s.queries.GetIntegration(c.Request().Context(), db.GetIntegrationParams{WorkspaceID: workspaceID(c), ID: *st.IntegrationID})
		if err != nil {
			return err
		}
		res.ReferralCode = integ.ReferralCode
	}
	return c.JSON(http.StatusOK, res)
}

// step sends one step's Update to the caller's wizard: one call to
// Temporal. The workspace is part of the workflow id, so another
// workspace's wizard is simply not found. An Idempotency-Key header
// becomes the Update's id, so a retried click runs once.
func (s *Server) step(c echo.Context, update string, args ...any) (contract.WizardState, error) {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return contract.WizardState{}, err
	}
	return s.stepWizard(c.Request().Context(), workspaceID(c), id, c.Request().Header.Get("Idempotency-Key"), update, args...)
}

func (s *Server) stepWizard(ctx context.Context, ws, id uuid.UUID, updateID, update string, args ...any) (contract.WizardState, error) {
	var st contract.WizardState
	workflowID := contract.WizardWorkflowID(ws, id)
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: update, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return st, s.closedWizard(ctx, workflowID)
	}
	return st, err
}

// closedWizard explains why an Update found no running wizard: it has
// ended (422 wizard_closed, saying how) or never existed (404).
func (s *Server) closedWizard(ctx context.Context, workflowID string) error {
	var st contract.WizardState
	if err := s.temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, &st); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return errNotFound
		}
		return err
	}
	return newError(http.StatusUnprocessableEntity, "wizard_closed", "this wizard is %s; start a new one", st.Status)
}

type bankAccountsStep struct {
	BankAccountIDs []string `json:"bank_account_ids"`
	Direction      string   `json:"direction"`
	MinAmount      *int64   `json:"min_amount"`
}

func (s *Server) wizardBankAccounts(c echo.Context) error {
	var req bankAccountsStep
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := contract.SelectBankAccounts{Direction: req.Direction}
	if req.MinAmount != nil {
		if *req.MinAmount < 0 || *req.MinAmount > ingest.MaxAmount {
			return invalid("min_amount: between 0 and %d đồng", ingest.MaxAmount)
		}
		in.MinAmount = *req.MinAmount
	}
	seen := map[uuid.UUID]bool{}
	for _, raw := range req.BankAccountIDs {
		id, err := uuid.Parse(raw)
		if err != nil {
			return invalid("bank_account_ids: %q is not an id", raw)
		}
		if !seen[id] {
			seen[id] = true
			in.BankAccountIDs = append(in.BankAccountIDs, id)
		}
	}
	n, err := s.queries.CountWorkspaceBankAccounts(c.Request().Context(), db.CountWorkspaceBankAccountsParams{WorkspaceID: workspaceID(c), Ids: in.BankAccountIDs})
	if err != nil {
		return err
	}
	if int(n) != len(in.BankAccountIDs) {
		return newError(http.StatusUnprocessableEntity, "unknown_bank_account", "bank_account_ids: not all are this workspace's bank accounts")
	}
	return s.respondStep(c, contract.UpdateSelectBankAccounts, in)
}

func (s *Server) respondStep(c echo.Context, update string, args ...any) error {
	st, err := s.step(c, update, args...)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWizard(st))
}

type zaloLoginStep struct {
	ReturnTo string `json:"return_to"`
}

// wizardZaloLogin begins "log in with Zalo" for a wizard (zalologin.go):
// only the login's state goes to the wizard.
func (s *Server) wizardZaloLogin(c echo.Context) error {
	ctx := c.Request().Context()
	var req zaloLoginStep
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := validReturnTo(req.ReturnTo); err != nil {
		return err
	}
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	ws, wizard := workspaceID(c), id.String()
	url, err := s.beginLogin(c, wizardLogin, loginStart{
		workspace: uuid.NullUUID{UUID: ws, Valid: true}, wizard: &wizard, returnTo: req.ReturnTo,
	}, func(state string) error {
		_, err := s.stepWizard(ctx, ws, id, c.Request().Header.Get("Idempotency-Key"), contract.UpdateBeginZaloLogin, contract.BeginZaloLogin{State: state})
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"authorize_url": url})
}

// zaloCallback is where Zalo sends the browser back after a wizard's
// login. It completes the login only in the browser that began it.
func (s *Server) zaloCallback(c echo.Context) error {
	ctx := c.Request().Context()
	login, ok, err := s.boundLogin(c, wizardLogin)
	if !ok {
		return err
	}
	id, err := uuid.Parse(*login.WizardID)
	if err != nil {
		return err
	}
	// The code goes to the login's activity through the database, sealed:
	// never through workflow history.
	code := c.QueryParam("code")
	if err := s.queries.KeepOAuthCode(ctx, db.KeepOAuthCodeParams{State: login.State, Code: s.box.Seal(code, secret.OAuthCode)}); err != nil {
		return err
	}
	ctx = codec.WithWorkspace(ctx, login.WorkspaceID.UUID) // no API key told it: the login did
	st, err := s.stepWizard(ctx, login.WorkspaceID.UUID, id, "", contract.UpdateCompleteZaloLogin, contract.CompleteZaloLogin{State: login.State})
	if err != nil {
		return err
	}
	s.endLogin(c, wizardLogin, login.State)
	if login.ReturnTo != "" {
		return c.Redirect(http.StatusFound, login.ReturnTo)
	}
	return c.JSON(http.StatusOK, toWizard(st))
}

func (s *Server) listZaloAccounts(c echo.Context) error {
	rows, err := s.queries.ListZaloAccounts(c.Request().Context(), workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]wizardAccount, len(rows))
	for i, r := range rows {
		items[i] = wizardAccount{ID: r.ID.String(), Name: r.Name, FollowsOA: r.FollowsOA && r.OAUserID != nil}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) wizardZaloAccount(c echo.Context) error {
	var req struct {
		ZaloAccountID string `json:"zalo_account_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := uuid.Parse(req.ZaloAccountID)
	if err != nil {
		return invalid("zalo_account_id: required, an id from GET /v1/zalo-accounts")
	}
	return s.respondStep(c, contract.UpdateChooseZaloAccount, contract.ChooseZaloAccount{ZaloAccountID: id})
}

func (s *Server) wizardFields(c echo.Context) error {
	var req struct {
		Fields []string `json:"fields"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.respondStep(c, contract.UpdateConfigureFields, contract.ConfigureFields{Fields: req.Fields})
}

func (s *Server) wizardTestCall(c echo.Context) error {
	st, err := s.step(c, contract.UpdateTestCall)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "message_id": st.TestCall.MessageID, "route": st.TestCall.Route, "preview": st.Preview})
}

func (s *Server) wizardSave(c echo.Context) error {
	st, err := s.step(c, contract.UpdateSave)
	if err != nil {
		return err
	}
	noteIntegration(c, *st.IntegrationID)
	integ, err := s.integration(c.Request().Context(), st.WorkspaceID, *st.IntegrationID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, integ)
}

func (s *Server) cancelWizard(c echo.Context) error {
	if _, err := s.step(c, contract.UpdateCancel); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
