package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// maxAmount rejects absurd amounts: 10^15 đồng is far beyond any real
// transfer and far inside int64.
const maxAmount = 1_000_000_000_000_000

type transactionRequest struct {
	BankAccountID        string `json:"bank_account_id"`
	AccountNumber        string `json:"account_number"`
	ExternalID           string `json:"external_id"`
	Amount               *int64 `json:"amount"`
	Description          string `json:"description"`
	BalanceAfter         *int64 `json:"balance_after"`
	OccurredAt           string `json:"occurred_at"`
	Reference            string `json:"reference"`
	CounterAccountName   string `json:"counter_account_name"`
	CounterAccountNumber string `json:"counter_account_number"`
	CounterBankName      string `json:"counter_bank_name"`
}

type transactionAccepted struct {
	TransactionID string `json:"transaction_id"`
	Duplicate     bool   `json:"duplicate"`
}

// createTransaction records a transaction and starts its notification. A
// transaction seen before answers duplicate:true and notifies nobody again;
// the workflow is started in both cases, so a client retrying after a 503
// (recorded, but Temporal was away) still gets its transaction notified.
func (s *Server) createTransaction(c echo.Context) error {
	ctx := c.Request().Context()
	var req transactionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, acct, err := s.transactionParams(ctx, workspaceID(c), req)
	if err != nil {
		return err
	}
	txn, duplicate, err := recordTransaction(ctx, s.queries, p)
	if errors.Is(err, errReusedID) {
		return newError(http.StatusConflict, "conflict", "external_id %s was recorded before with a different amount or time", p.ExternalID)
	} else if err != nil {
		return err
	}
	s.metrics.Ingested.WithLabelValues("api", strconv.FormatBool(duplicate)).Inc()
	if err := s.startNotify(ctx, txn.ID, p, acct.AccountNumber); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, transactionAccepted{TransactionID: txn.ID.String(), Duplicate: duplicate})
}

// transactionParams validates the request and resolves its bank account.
func (s *Server) transactionParams(ctx context.Context, ws uuid.UUID, req transactionRequest) (db.RecordTransactionParams, db.BankAccount, error) {
	p := db.RecordTransactionParams{WorkspaceID: ws, ExternalID: req.ExternalID}
	var acct db.BankAccount
	var err error
	switch {
	case req.Amount == nil:
		return p, acct, invalid("amount: required (integer đồng, negative for money out)")
	case *req.Amount == 0:
		return p, acct, invalid("amount: must not be 0")
	case *req.Amount > maxAmount || *req.Amount < -maxAmount:
		return p, acct, invalid("amount: absurd value; at most %d đồng either way", maxAmount)
	}
	p.Amount = *req.Amount
	if b := req.BalanceAfter; b != nil && (*b > maxAmount || *b < -maxAmount) {
		return p, acct, invalid("balance_after: absurd value; at most %d đồng either way", maxAmount)
	}
	p.BalanceAfter = req.BalanceAfter
	if req.OccurredAt == "" {
		return p, acct, invalid("occurred_at: required (RFC 3339, e.g. 2024-10-03T15:06:37+07:00)")
	}
	if p.OccurredAt, err = time.Parse(time.RFC3339, req.OccurredAt); err != nil {
		return p, acct, invalid("occurred_at: not an RFC 3339 time (e.g. 2024-10-03T15:06:37+07:00)")
	}
	if p.OccurredAt.Year() < 2000 || p.OccurredAt.After(time.Now().Add(24*time.Hour)) {
		return p, acct, invalid("occurred_at: must be after 2000 and not more than a day ahead")
	}
	p.Description, p.Reference = req.Description, req.Reference
	p.CounterAccountName, p.CounterAccountNumber, p.CounterBankName = req.CounterAccountName, req.CounterAccountNumber, req.CounterBankName
	if err := cleanTransaction(&p); err != nil {
		return p, acct, err
	}
	acct, err = s.resolveBankAccount(ctx, ws, req.BankAccountID, req.AccountNumber)
	p.BankAccountID = acct.ID
	return p, acct, err
}

// cleanTransaction checks and trims a transaction's free text, whichever
// source it came from.
func cleanTransaction(p *db.RecordTransactionParams) error {
	var err error
	if p.ExternalID, err = requiredText("external_id", p.ExternalID, 128); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"description", &p.Description, 1000},
		{"reference", &p.Reference, 128},
		{"counter_account_name", &p.CounterAccountName, 128},
		{"counter_account_number", &p.CounterAccountNumber, 64},
		{"counter_bank_name", &p.CounterBankName, 128},
	} {
		if *f.v, err = text(f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) resolveBankAccount(ctx context.Context, ws uuid.UUID, id, number string) (db.BankAccount, error) {
	unknown := newError(http.StatusUnprocessableEntity, "unknown_bank_account",
		"no such bank account in this workspace; register it with POST /v1/bank-accounts")
	var b db.BankAccount
	var err error
	switch {
	case id != "" && number != "":
		return b, invalid("give bank_account_id or account_number, not both")
	case id != "":
		parsed, perr := uuid.Parse(id)
		if perr != nil {
			return b, unknown
		}
		b, err = s.queries.GetBankAccount(ctx, db.GetBankAccountParams{WorkspaceID: ws, ID: parsed})
	case number != "":
		b, err = s.queries.GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: ws, AccountNumber: number})
	default:
		return b, invalid("bank_account_id or account_number: required")
	}
	if errors.Is(err, db.ErrNotFound) {
		return b, unknown
	}
	return b, err
}

// errReusedID: a transaction id seen before, with another amount or time.
var errReusedID = errors.New("transaction id reused for a different transaction")

// recordTransaction stores the transaction once. A second post of the same
// (bank account, external id) is a duplicate; one that disagrees on the
// amount or time is errReusedID, with the transaction first recorded.
func recordTransaction(ctx context.Context, q *db.Queries, p db.RecordTransactionParams) (db.RecordTransactionRow, bool, error) {
	txn, err := q.RecordTransaction(ctx, p)
	switch {
	case err != nil:
		return txn, false, err
	case txn.Inserted:
		return txn, false, nil
	case txn.Amount != p.Amount || !txn.OccurredAt.Equal(p.OccurredAt):
		return txn, true, errReusedID
	}
	return txn, true, nil
}

// startNotify starts the transaction's workflow; one already started is
// fine. Its search attributes let an operator find it in the Temporal UI.
func (s *Server) startNotify(ctx context.Context, id uuid.UUID, txn db.RecordTransactionParams, accountNumber string) error {
	// The integrations are indexed at the start, with the rest, rather than
	// upserted by the workflow: one visibility write fewer per transaction.
	integrations, err := s.queries.ListMatchingIntegrations(ctx, id)
	if err != nil {
		return err
	}
	ids := make([]string, len(integrations))
	for i, id := range integrations {
		ids[i] = id.String()
	}
	_, err = s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       contract.TransactionWorkflowID(txn.WorkspaceID, txn.BankAccountID, txn.ExternalID),
		TaskQueue:                                contract.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.WorkspaceIDKey.ValueSet(txn.WorkspaceID.String()),
			contract.BankAccountKey.ValueSet(accountNumber),
			contract.AmountVNDKey.ValueSet(txn.Amount),
			contract.IntegrationIDKey.ValueSet(ids),
		),
	}, contract.NotifyTransactionName, contract.NotifyInput{TransactionID: id})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err == nil || errors.As(err, &started) {
		return nil
	}
	s.log.ErrorContext(ctx, "starting notification failed", "transaction_id", id, "error", err)
	return newError(http.StatusServiceUnavailable, "unavailable",
		"transaction %s is recorded but its notification could not be started; retry the same request", id)
}

type transactionResponse struct {
	ID                   string             `json:"id"`
	BankAccountID        string             `json:"bank_account_id"`
	ExternalID           string             `json:"external_id"`
	Amount               int64              `json:"amount"`
	Description          string             `json:"description"`
	BalanceAfter         *int64             `json:"balance_after"`
	OccurredAt           time.Time          `json:"occurred_at"`
	Reference            string             `json:"reference"`
	CounterAccountName   string             `json:"counter_account_name"`
	CounterAccountNumber string             `json:"counter_account_number"`
	CounterBankName      string             `json:"counter_bank_name"`
	ReceivedAt           time.Time          `json:"received_at"`
	Deliveries           []deliveryResponse `json:"deliveries"`
}

type deliveryResponse struct {
	ID            string     `json:"id"`
	IntegrationID string     `json:"integration_id"`
	Recipient     string     `json:"recipient"`
	Role          string     `json:"role"`
	Status        string     `json:"status"`
	Attempts      int32      `json:"attempts"`
	ZaloMessageID string     `json:"zalo_message_id"`
	LastError     string     `json:"last_error"`
	SentAt        *time.Time `json:"sent_at"`
	// LagMS is from the bank's transaction time to Zalo accepting the
	// message: how long the recipient waited.
	LagMS *int64 `json:"lag_ms"`
}

func toDelivery(d db.Delivery, occurredAt time.Time) deliveryResponse {
	res := deliveryResponse{
		ID: d.ID.String(), IntegrationID: d.IntegrationID.String(), Recipient: d.Recipient,
		Role: string(d.Role), Status: string(d.Status), Attempts: d.Attempts,
		ZaloMessageID: d.ZaloMessageID, LastError: d.LastError, SentAt: d.SentAt,
	}
	if d.SentAt != nil {
		lag := d.SentAt.Sub(occurredAt).Milliseconds()
		res.LagMS = &lag
	}
	return res
}

func (s *Server) getTransaction(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	t, err := s.queries.GetTransaction(ctx, db.GetTransactionParams{WorkspaceID: workspaceID(c), ID: id})
	if err != nil {
		return err
	}
	ds, err := s.queries.ListTransactionDeliveries(ctx, t.ID)
	if err != nil {
		return err
	}
	res := transactionResponse{
		ID: t.ID.String(), BankAccountID: t.BankAccountID.String(), ExternalID: t.ExternalID,
		Amount: t.Amount, Description: t.Description, BalanceAfter: t.BalanceAfter, OccurredAt: t.OccurredAt,
		Reference: t.Reference, CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber,
		CounterBankName: t.CounterBankName, ReceivedAt: t.ReceivedAt, Deliveries: make([]deliveryResponse, len(ds)),
	}
	for i, d := range ds {
		res.Deliveries[i] = toDelivery(d, t.OccurredAt)
	}
	return c.JSON(http.StatusOK, res)
}
