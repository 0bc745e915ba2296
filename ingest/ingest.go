// Package ingest records bank transactions, however they arrive: posted to
// the REST API, in a provider's webhook (Casso, SePay), or read back from a
// provider's API. Every way goes through Check and Record: one cleaning of
// text, one set of bounds, one identity (the source and the id it gave)
// and one queued notification per new transaction.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
)

// Source is where transactions come from: a workspace's REST API, or one
// of its webhook sources. A transaction's identity is its source and the
// id the source gave it.
type Source struct {
	WorkspaceID uuid.UUID
	ID          uuid.UUID // the webhook source's; uuid.Nil for the REST API
	Via         db.TransactionVia
}

// API is a workspace's REST API, one source.
func API(workspaceID uuid.UUID) Source {
	return Source{WorkspaceID: workspaceID, Via: db.TransactionViaApi}
}

// Feed is a webhook source, heard by its webhook or read back.
func Feed(workspaceID, sourceID uuid.UUID, via db.TransactionVia) Source {
	return Source{WorkspaceID: workspaceID, ID: sourceID, Via: via}
}

// Transaction is one bank transaction as a source reports it.
type Transaction struct {
	ExternalID   string // the source's id for it
	Amount       int64  // đồng; negative = money out
	BalanceAfter *int64
	OccurredAt   time.Time
	Description  string
	Reference    string
	// The other side of the transfer.
	CounterAccountName, CounterAccountNumber, CounterBankName string
	// What only some feeds give: a virtual account, a payment code.
	SubAccount, PaymentCode string
	Raw                     []byte // the source's own JSON for it, if any

	// BankAccountID is the account when the caller resolved it (the REST
	// API); otherwise Account names it and Record registers it if the
	// workspace lacks it (a feed).
	BankAccountID uuid.UUID
	Account       Account
}

// Account is a bank account as a feed names it.
type Account struct {
	Number, BankName, BankCode string
}

// Mode says what becomes of text longer than its field allows.
type Mode int

const (
	// Refuse answers a FieldError: a REST client can fix what it sends.
	Refuse Mode = iota
	// Cut cuts the text to the limit at a character boundary: a signed
	// webhook must never be lost to our limits (its raw JSON keeps it
	// whole).
	Cut
)

// MaxAmount bounds amounts and balances: 10^15 đồng is far beyond any
// real transfer and far inside int64.
const MaxAmount = 1_000_000_000_000_000

// MaxExternalID is the longest id a source may give, in characters.
const MaxExternalID = 128

// FieldError names what is wrong with a transaction, in the REST API's
// field names.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Check validates t against the bounds every source shares, and cleans
// its text (Text) in place; mode says what over-long text becomes. now
// bounds the time: a transaction is after 2000 and at most a day ahead.
func (t *Transaction) Check(mode Mode, now time.Time) error {
	switch {
	case t.Amount == 0:
		return fieldErr("amount", "must not be 0")
	case t.Amount > MaxAmount || t.Amount < -MaxAmount:
		return fieldErr("amount", "absurd value; at most %d đồng either way", MaxAmount)
	case t.BalanceAfter != nil && (*t.BalanceAfter > MaxAmount || *t.BalanceAfter < -MaxAmount):
		return fieldErr("balance_after", "absurd value; at most %d đồng either way", MaxAmount)
	case t.OccurredAt.Year() < 2000 || t.OccurredAt.After(now.Add(24*time.Hour)):
		return fieldErr("occurred_at", "must be after 2000 and not more than a day ahead")
	}
	if mode == Cut && utf8.RuneCountInString(strings.TrimSpace(t.ExternalID)) > MaxExternalID {
		// An id is an identity: cut, two could become one. Its digest is
		// as distinct, and as stable for the redeliveries.
		sum := sha256.Sum256([]byte(t.ExternalID))
		t.ExternalID = "sha256:" + hex.EncodeToString(sum[:])
	}
	fields := []struct {
		name     string
		v        *string
		max      int
		required bool
	}{
		{"external_id", &t.ExternalID, MaxExternalID, true},
		{"description", &t.Description, 1000, false},
		{"reference", &t.Reference, 128, false},
		{"counter_account_name", &t.CounterAccountName, 128, false},
		{"counter_account_number", &t.CounterAccountNumber, 64, false},
		{"counter_bank_name", &t.CounterBankName, 128, false},
		{"sub_account", &t.SubAccount, 64, false},
		{"payment_code", &t.PaymentCode, 64, false},
	}
	if t.BankAccountID == uuid.Nil {
		// As POST /v1/bank-accounts stores them: " 111" is account 111,
		// and a NUL must not sink a signed body.
		fields = append(fields, []struct {
			name     string
			v        *string
			max      int
			required bool
		}{
			{"account_number", &t.Account.Number, 64, true},
			{"bank_name", &t.Account.BankName, 128, false},
			{"bank_code", &t.Account.BankCode, 32, false},
		}...)
	}
	for _, f := range fields {
		s, err := Text(f.name, *f.v, f.max, mode)
		if err == nil && f.required && s == "" {
			err = fieldErr(f.name, "required")
		}
		if err != nil {
			return err
		}
		*f.v = s
	}
	return nil
}

// Text is free text as tingting stores it, from any client: its control
// and format characters (newlines, bidi overrides, zero-width ones, NUL)
// become spaces (message.Clean), so no field can add a line to the OA's
// message or reorder it, and surrounding space is trimmed. Over max
// characters it is cut (Cut) or refused (Refuse), as is invalid UTF-8 when
// refusing (cutting makes it U+FFFD).
func Text(field, s string, max int, mode Mode) (string, error) {
	if mode == Refuse && !utf8.ValidString(s) {
		return "", fieldErr(field, "must be valid UTF-8 text")
	}
	s = strings.TrimSpace(message.Clean(s))
	if utf8.RuneCountInString(s) <= max {
		return s, nil
	}
	if mode == Refuse {
		return "", fieldErr(field, "at most %d characters", max)
	}
	return cut(s, max), nil
}

// cut shortens s to at most max characters, at a character boundary.
func cut(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// Recorded is what recording a transaction found.
type Recorded struct {
	ID        uuid.UUID // the transaction's row, the one first recorded for a duplicate
	Duplicate bool      // its source had given this id before
}

// ErrReusedID: the source gave this id before, to a transaction with
// another amount, time or bank account. The first one stands.
var ErrReusedID = errors.New("ingest: a transaction id reused for a different transaction")

// Record stores t, checked, once for its source, and queues its
// notification, all in q's database transaction: a transaction the
// source gave before is a Duplicate and queues nothing. A feed's bank
// account is registered if the workspace lacks it.
func Record(ctx context.Context, q *db.Queries, src Source, t Transaction) (Recorded, error) {
	account := t.BankAccountID
	if account == uuid.Nil {
		a, err := q.EnsureBankAccount(ctx, db.EnsureBankAccountParams{
			WorkspaceID: src.WorkspaceID, AccountNumber: t.Account.Number, BankName: t.Account.BankName, BankCode: t.Account.BankCode,
		})
		if err != nil {
			return Recorded{}, fmt.Errorf("bank account: %w", err)
		}
		account = a.ID
	}
	row, err := q.RecordTransaction(ctx, db.RecordTransactionParams{
		WorkspaceID: src.WorkspaceID, BankAccountID: account, ExternalID: t.ExternalID, Amount: t.Amount,
		Description: t.Description, BalanceAfter: t.BalanceAfter, OccurredAt: t.OccurredAt, Reference: t.Reference,
		CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber, CounterBankName: t.CounterBankName,
		SubAccount: t.SubAccount, PaymentCode: t.PaymentCode, Raw: storable(t.Raw),
		SourceID: uuid.NullUUID{UUID: src.ID, Valid: src.ID != uuid.Nil}, Via: db.NullTransactionVia{TransactionVia: src.Via, Valid: true},
	})
	switch {
	case err != nil:
		return Recorded{}, err
	case !row.Inserted && (row.Amount != t.Amount || !row.OccurredAt.Equal(t.OccurredAt) || row.BankAccountID != account):
		return Recorded{ID: row.ID, Duplicate: true}, ErrReusedID
	case !row.Inserted:
		return Recorded{ID: row.ID, Duplicate: true}, nil
	}
	return Recorded{ID: row.ID}, q.Enqueue(ctx, db.EnqueueParams{Kind: db.OutboxKindNotify, Ref: row.ID})
}

// storable is raw unless jsonb would refuse it (a \u0000 escape).
func storable(raw []byte) []byte {
	if bytes.Contains(raw, []byte(`\u0000`)) {
		return nil
	}
	return raw
}
