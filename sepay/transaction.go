package sepay

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Transaction is one bank transaction as SePay reports it.
type Transaction struct {
	ID            string // SePay's id: the transaction's identity
	Gateway       string // the bank's brand, e.g. Vietcombank
	OccurredAt    time.Time
	AccountNumber string
	SubAccount    string // the virtual account, if any
	Code          string // the payment code SePay found in the content, if any
	Content       string // the transfer's content, as the payer wrote it
	Amount        int64  // đồng, negative for transferType "out"
	Accumulated   *int64 // the balance after, if given
	ReferenceCode string
	Description   string          // the bank's whole notification text
	Raw           json.RawMessage // the body
}

// FieldError names what is wrong in a webhook body.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Numbers are read raw, so that a bad one is named by its field.
type body struct {
	ID              json.RawMessage `json:"id"`
	Gateway         string          `json:"gateway"`
	TransactionDate string          `json:"transactionDate"`
	AccountNumber   string          `json:"accountNumber"`
	SubAccount      *string         `json:"subAccount"`
	Code            *string         `json:"code"`
	Content         string          `json:"content"`
	TransferType    string          `json:"transferType"`
	TransferAmount  json.RawMessage `json:"transferAmount"`
	Accumulated     json.RawMessage `json:"accumulated"`
	ReferenceCode   string          `json:"referenceCode"`
	Description     string          `json:"description"`
}

// Parse reads a SePay webhook: {id, gateway, transactionDate (Vietnam
// time), accountNumber, subAccount, code, content, transferType (in |
// out), transferAmount, accumulated, referenceCode, description}.
func Parse(raw []byte) (Transaction, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b body
	if err := dec.Decode(&b); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return Transaction{}, &FieldError{Field: typeErr.Field, Problem: "wrong type"}
		}
		return Transaction{}, &FieldError{Field: "body", Problem: "not a JSON object"}
	}
	t := Transaction{
		Gateway: b.Gateway, AccountNumber: b.AccountNumber, Content: b.Content,
		ReferenceCode: b.ReferenceCode, Description: b.Description, Raw: raw,
	}
	if b.SubAccount != nil {
		t.SubAccount = *b.SubAccount
	}
	if b.Code != nil {
		t.Code = *b.Code
	}
	var err error
	if t.ID, err = id(b.ID); err != nil {
		return t, err
	}
	if strings.TrimSpace(b.AccountNumber) == "" {
		return t, &FieldError{Field: "accountNumber", Problem: "required"}
	}
	if t.OccurredAt, err = time.ParseInLocation("2006-01-02 15:04:05", strings.TrimSpace(b.TransactionDate), vntime.Zone); err != nil {
		return t, &FieldError{Field: "transactionDate", Problem: "must look like 2024-07-25 14:02:37 (Vietnam time)"}
	}
	amount, err := whole("transferAmount", b.TransferAmount)
	switch {
	case err != nil:
		return t, err
	case amount <= 0:
		return t, &FieldError{Field: "transferAmount", Problem: "must be more than 0"}
	}
	switch b.TransferType {
	case "in":
		t.Amount = amount
	case "out":
		t.Amount = -amount
	default:
		return t, &FieldError{Field: "transferType", Problem: `must be "in" or "out"`}
	}
	if len(b.Accumulated) > 0 && string(b.Accumulated) != "null" {
		balance, err := whole("accumulated", b.Accumulated)
		if err != nil {
			return t, err
		}
		t.Accumulated = &balance
	}
	return t, nil
}

// id reads SePay's id: an integer's digits (a string is taken as it is).
func id(raw json.RawMessage) (string, error) {
	s := string(raw)
	switch {
	case len(raw) == 0 || s == "null":
		return "", &FieldError{Field: "id", Problem: "required"}
	case raw[0] == '"':
		var v string
		if json.Unmarshal(raw, &v) == nil && strings.TrimSpace(v) != "" {
			return v, nil
		}
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return s, nil
	}
	return "", &FieldError{Field: "id", Problem: "must be a number"}
}

// whole reads a whole number of đồng.
func whole(field string, raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, &FieldError{Field: field, Problem: "required"}
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, &FieldError{Field: field, Problem: "must be a whole number of đồng"}
	}
	v, err := n.Int64()
	if err != nil {
		return 0, &FieldError{Field: field, Problem: "must be a whole number of đồng"}
	}
	return v, nil
}
