package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/activities"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows"
	"github.com/tingting-vn/tingting/zalo"
)

type wizardAccount struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	FollowsOA bool   `json:"follows_oa"`
}

type wizardTestCall struct {
	OK        bool   `json:"ok"`
	MessageID string `json:"message_id"`
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

func toWizard(st workflows.WizardState) wizardResponse {
	res := wizardResponse{
		ID: st.ID.String(), Status: st.Status, Step: st.Step(), BankAccountIDs: []string{}, Direction: st.Direction,
		MinAmount: st.MinAmount, Fields: append([]string{}, st.Fields...), Preview: st.Preview, ReferralCode: st.ReferralCode,
	}
	for _, id := range st.BankAccountIDs {
		res.BankAccountIDs = append(res.BankAccountIDs, id.String())
	}
	if a := st.ZaloAccount; a != nil {
		res.ZaloAccount = &wizardAccount{ID: a.ID.String(), Name: a.Name, FollowsOA: a.FollowsOA}
	}
	if tc := st.TestCall; tc != nil {
		res.TestCall = &wizardTestCall{OK: tc.OK, MessageID: tc.MessageID, Error: tc.Error, ZaloCode: tc.ZaloCode}
	}
	if st.IntegrationID != nil {
		id := st.IntegrationID.String()
		res.IntegrationID = &id
	}
	return res
}

// createWizard starts a SetupWizard workflow for the workspace.
func (s *Server) createWizard(c echo.Context) error {
	in := workflows.WizardInput{WizardID: uuid.New(), WorkspaceID: workspaceID(c)}
	_, err := s.temporal.ExecuteWorkflow(c.Request().Context(), client.StartWorkflowOptions{
		ID: workflows.WizardWorkflowID(in.WizardID), TaskQueue: workflows.TaskQueue,
	}, workflows.SetupWizardName, in)
	if err != nil {
		return s.temporalDown(c, "starting a wizard", err)
	}
	st := workflows.WizardState{ID: in.WizardID, WorkspaceID: in.WorkspaceID, Status: workflows.WizardInProgress}
	return c.JSON(http.StatusCreated, toWizard(st))
}

func (s *Server) getWizard(c echo.Context) error {
	st, err := s.wizardState(c.Request().Context(), c.Param("id"), workspaceID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWizard(st))
}

// wizardState queries a wizard; another workspace's wizard is not found.
func (s *Server) wizardState(ctx context.Context, rawID string, ws uuid.UUID) (workflows.WizardState, error) {
	var st workflows.WizardState
	id, err := pathID(rawID)
	if err != nil {
		return st, err
	}
	v, err := s.temporal.QueryWorkflow(ctx, workflows.WizardWorkflowID(id), "", workflows.QueryState)
	if err != nil {
		return st, s.stepError(err)
	}
	if err := v.Get(&st); err != nil {
		return st, err
	}
	if st.WorkspaceID != ws {
		return st, errNotFound
	}
	return st, nil
}

// step sends one step's Update to the caller's wizard. An Idempotency-Key
// header becomes the Update's id, so a retried click runs once.
func (s *Server) step(c echo.Context, update string, args ...any) (workflows.WizardState, error) {
	ctx := c.Request().Context()
	st, err := s.wizardState(ctx, c.Param("id"), workspaceID(c))
	if err != nil {
		return st, err
	}
	if err := closed(st); err != nil {
		return st, err
	}
	return s.stepWizard(ctx, st.ID, c.Request().Header.Get("Idempotency-Key"), update, args...)
}

// closed refuses steps on a wizard that has ended; its workflow is gone.
func closed(st workflows.WizardState) error {
	if st.Status == workflows.WizardInProgress {
		return nil
	}
	return newError(http.StatusUnprocessableEntity, "wizard_closed", "this wizard is %s; start a new one", st.Status)
}

func (s *Server) stepWizard(ctx context.Context, id uuid.UUID, updateID, update string, args ...any) (workflows.WizardState, error) {
	var st workflows.WizardState
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.WizardWorkflowID(id), UpdateID: updateID, UpdateName: update, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, s.stepError(err)
}

// stepError maps a wizard step's failure to the contract's errors.
func (s *Server) stepError(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr):
		switch appErr.Type() {
		case workflows.ErrStepOutOfOrder:
			return newError(http.StatusUnprocessableEntity, "step_out_of_order", "%s", appErr.Message())
		case workflows.ErrNotFollowing:
			return newError(http.StatusUnprocessableEntity, "not_following", "%s", appErr.Message())
		case workflows.ErrLoginFailed:
			return newError(http.StatusUnprocessableEntity, "login_failed", "%s", appErr.Message())
		case workflows.ErrZaloRefused:
			var code int
			_ = appErr.Details(&code)
			return &Error{Status: http.StatusBadGateway, Code: "zalo_refused", Message: appErr.Message(), ZaloCode: code}
		case "not_found":
			return newError(http.StatusNotFound, "not_found", "%s", appErr.Message())
		}
	case errors.As(err, &notFound):
		return errNotFound
	}
	return err
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
	in := workflows.SelectBankAccounts{Direction: req.Direction}
	if req.MinAmount != nil {
		if *req.MinAmount < 0 || *req.MinAmount > maxAmount {
			return invalid("min_amount: between 0 and %d đồng", maxAmount)
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
	return s.respondStep(c, workflows.UpdateSelectBankAccounts, in)
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

// wizardZaloLogin begins "log in with Zalo": a fresh state and PKCE pair;
// the verifier is stored sealed, and only the state goes to the wizard.
func (s *Server) wizardZaloLogin(c echo.Context) error {
	ctx := c.Request().Context()
	var req zaloLoginStep
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ReturnTo != "" && (!strings.HasPrefix(req.ReturnTo, "/") || strings.HasPrefix(req.ReturnTo, "//")) {
		return invalid("return_to: a path on this site, like /wizard")
	}
	st, err := s.wizardState(ctx, c.Param("id"), workspaceID(c))
	if err != nil {
		return err
	}
	if err := closed(st); err != nil {
		return err
	}
	verifier, challenge := zalo.NewPKCE()
	state := randomToken()
	if err := s.queries.CreateOAuthLogin(ctx, db.CreateOAuthLoginParams{
		State: state, WorkspaceID: st.WorkspaceID, WizardID: st.ID.String(),
		CodeVerifier: s.box.Seal(verifier, activities.SealVerifier), ReturnTo: req.ReturnTo,
	}); err != nil {
		return err
	}
	if _, err := s.stepWizard(ctx, st.ID, c.Request().Header.Get("Idempotency-Key"), workflows.UpdateBeginZaloLogin, workflows.BeginZaloLogin{State: state}); err != nil {
		return err
	}
	url := s.zalo.AuthorizeURL(s.publicURL+"/v1/oauth/zalo/callback", challenge, state)
	return c.JSON(http.StatusOK, map[string]string{"authorize_url": url})
}

// zaloCallback is where Zalo sends the browser back after login.
func (s *Server) zaloCallback(c echo.Context) error {
	ctx := c.Request().Context()
	if c.QueryParam("error") != "" || c.QueryParam("code") == "" {
		return invalid("the Zalo login was not completed")
	}
	login, err := s.queries.GetOAuthLogin(ctx, c.QueryParam("state"))
	if errors.Is(db.Classify(err), db.ErrNotFound) {
		return invalid("unknown login state")
	} else if err != nil {
		return err
	}
	id, err := uuid.Parse(login.WizardID)
	if err != nil {
		return err
	}
	st, err := s.stepWizard(ctx, id, "", workflows.UpdateCompleteZaloLogin,
		workflows.CompleteZaloLogin{State: login.State, Code: c.QueryParam("code")})
	if err != nil {
		return err
	}
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
	return s.respondStep(c, workflows.UpdateChooseZaloAccount, workflows.ChooseZaloAccount{ZaloAccountID: id})
}

func (s *Server) wizardFields(c echo.Context) error {
	var req struct {
		Fields []string `json:"fields"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.respondStep(c, workflows.UpdateConfigureFields, workflows.ConfigureFields{Fields: req.Fields})
}

func (s *Server) wizardTestCall(c echo.Context) error {
	st, err := s.step(c, workflows.UpdateTestCall)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "message_id": st.TestCall.MessageID, "preview": st.Preview})
}

func (s *Server) wizardSave(c echo.Context) error {
	st, err := s.step(c, workflows.UpdateSave)
	if err != nil {
		return err
	}
	integ, err := s.integration(c.Request().Context(), st.WorkspaceID, *st.IntegrationID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, integ)
}

func (s *Server) cancelWizard(c echo.Context) error {
	if _, err := s.step(c, workflows.UpdateCancel); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// temporalDown answers 503 for a Temporal call that failed.
func (s *Server) temporalDown(c echo.Context, what string, err error) error {
	s.log.ErrorContext(c.Request().Context(), what+" failed", "error", err)
	return newError(http.StatusServiceUnavailable, "unavailable", "the workflow service is not answering; retry shortly")
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
