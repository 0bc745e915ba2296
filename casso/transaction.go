package casso

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// MaxAmount bounds amounts: 10^15 đồng is beyond any real transfer.
const MaxAmount = 1_000_000_000_000_000

// Transaction is one bank transaction as Casso reports it.
type Transaction struct {
	ID                   string // Casso's id: the transaction's identity
	Index                int    // its place in a v1 body's "data" (0 in v2)
	Reference            string
	Description          string
	Amount               int64 // đồng; negative = money out
	BalanceAfter         *int64
	OccurredAt           time.Time
	AccountNumber        string
	BankName             string
	BankAbbreviation     string
	CounterAccountName   string
	CounterAccountNumber string
	CounterBankName      string
	VirtualAccount       string          // the virtual account it came through (v2), if any
	Raw                  json.RawMessage // the transaction's own JSON object
}

type v2Body struct {
	Error *int            `json:"error"`
	Data  json.RawMessage `json:"data"`
}

// Ids and amounts are read raw, so that a bad one is named by its field
// rather than failing the whole object.
type v2Data struct {
	ID                     json.RawMessage `json:"id"`
	Reference              string          `json:"reference"`
	Description            string          `json:"description"`
	Amount                 json.RawMessage `json:"amount"`
	RunningBalance         json.RawMessage `json:"runningBalance"`
	TransactionDateTime    string          `json:"transactionDateTime"`
	AccountNumber          string          `json:"accountNumber"`
	BankName               string          `json:"bankName"`
	BankAbbreviation       string          `json:"bankAbbreviation"`
	CounterAccountName     string          `json:"counterAccountName"`
	CounterAccountNumber   string          `json:"counterAccountNumber"`
	CounterAccountBankName string          `json:"counterAccountBankName"`
	VirtualAccountNumber   string          `json:"virtualAccountNumber"`
}

// ParseV2 reads a Casso v2 webhook: one transaction under "data".
func ParseV2(body []byte) (Transaction, error) {
	var b v2Body
	if err := decode(body, &b); err != nil {
		return Transaction{}, err
	}
	if len(b.Data) == 0 || b.Data[0] != '{' {
		return Transaction{}, &FieldError{Field: "data", Problem: "required, an object"}
	}
	return parseV2Data("data", b.Data)
}

// parseV2Data reads one transaction in v2's fields, as the webhook and
// the read-back API both give them; field names where it lies.
func parseV2Data(field string, raw json.RawMessage) (Transaction, error) {
	var d v2Data
	if err := decode(raw, &d); err != nil {
		return Transaction{}, prefix(field, err)
	}
	t := Transaction{
		Reference: d.Reference, Description: d.Description, AccountNumber: d.AccountNumber,
		BankName: d.BankName, BankAbbreviation: d.BankAbbreviation, CounterAccountName: d.CounterAccountName,
		CounterAccountNumber: d.CounterAccountNumber, CounterBankName: d.CounterAccountBankName,
		VirtualAccount: d.VirtualAccountNumber, Raw: raw,
	}
	var err error
	if t.ID, err = id(field+".id", d.ID); err != nil {
		return t, err
	}
	if t.Amount, err = amount(field+".amount", d.Amount, true); err != nil {
		return t, err
	}
	if present(d.RunningBalance) {
		bal, err := amount(field+".runningBalance", d.RunningBalance, false)
		if err != nil {
			return t, err
		}
		t.BalanceAfter = &bal
	}
	if t.OccurredAt, err = localTime(field+".transactionDateTime", d.TransactionDateTime); err != nil {
		return t, err
	}
	return t, required(field+".id", t.ID, field+".accountNumber", t.AccountNumber)
}

type v1Item struct {
	ID           json.RawMessage `json:"id"`
	Tid          string          `json:"tid"`
	Description  string          `json:"description"`
	Amount       json.RawMessage `json:"amount"`
	CusumBalance json.RawMessage `json:"cusum_balance"`
	When         string          `json:"when"`
	SubAccID     string          `json:"bank_sub_acc_id"`
}

// ItemError is a transaction of a v1 body that could not be read.
type ItemError struct {
	Index int    // its place in "data"
	ID    string // Casso's id for it, if it has a readable one (at most 64 characters)
	Err   error  // a *FieldError naming the field, e.g. data[1].amount
}

func (e ItemError) Error() string { return e.Err.Error() }
func (e ItemError) Unwrap() error { return e.Err }

// ParseV1 reads a legacy Casso v1 webhook: an array of transactions under
// "data". A transaction that cannot be read does not sink the others: it
// is left out of txns and described in bad. Both keep the body's order.
// err is for a body that is not a JSON object with a "data" array.
func ParseV1(body []byte) (txns []Transaction, bad []ItemError, err error) {
	var b struct {
		Data json.RawMessage `json:"data"`
	}
	if err := decode(body, &b); err != nil {
		return nil, nil, err
	}
	var items []json.RawMessage
	if len(b.Data) == 0 || b.Data[0] != '[' || json.Unmarshal(b.Data, &items) != nil {
		return nil, nil, &FieldError{Field: "data", Problem: "required, an array"}
	}
	for i, raw := range items {
		t, err := parseV1Item(i, raw)
		if err != nil {
			bad = append(bad, ItemError{Index: i, ID: itemID(raw), Err: err})
			continue
		}
		txns = append(txns, t)
	}
	return txns, bad, nil
}

func parseV1Item(i int, raw json.RawMessage) (Transaction, error) {
	field := "data[" + strconv.Itoa(i) + "]"
	var it v1Item
	if err := decode(raw, &it); err != nil {
		return Transaction{}, prefix(field, err)
	}
	t := Transaction{Index: i, Reference: it.Tid, Description: it.Description, AccountNumber: it.SubAccID, Raw: raw}
	var err error
	if t.ID, err = id(field+".id", it.ID); err != nil {
		return t, err
	}
	if t.Amount, err = amount(field+".amount", it.Amount, true); err != nil {
		return t, err
	}
	if present(it.CusumBalance) {
		bal, err := amount(field+".cusum_balance", it.CusumBalance, false)
		if err != nil {
			return t, err
		}
		t.BalanceAfter = &bal
	}
	if t.OccurredAt, err = localTime(field+".when", it.When); err != nil {
		return t, err
	}
	return t, required(field+".id", t.ID, field+".bank_sub_acc_id", t.AccountNumber)
}

// itemID is an item's id as far as it can be read, to name a bad item by;
// cut to 64 characters.
func itemID(raw json.RawMessage) string {
	var it struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(raw, &it) != nil {
		return ""
	}
	s, err := id("id", it.ID)
	if err != nil {
		return ""
	}
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64])
	}
	return s
}

func decode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return &FieldError{Field: typeErr.Field, Problem: "wrong type"}
		}
		return &FieldError{Field: "body", Problem: "not a JSON object"}
	}
	return nil
}

func prefix(field string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) && fe.Field != "body" {
		return &FieldError{Field: field + "." + fe.Field, Problem: fe.Problem}
	}
	return &FieldError{Field: field, Problem: "not a JSON object"}
}

// present says whether a field raw was read from has a value (it is
// neither absent nor null).
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// id reads Casso's id for a transaction: a number's digits or a string's
// text; absent or null is "", which required names.
func id(field string, raw json.RawMessage) (string, error) {
	if !present(raw) {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, nil
		}
	} else if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		return string(raw), nil
	}
	return "", &FieldError{Field: field, Problem: "must be a number or a string"}
}

// amount reads a whole number of đồng within MaxAmount.
func amount(field string, raw json.RawMessage, nonZero bool) (int64, error) {
	if !present(raw) {
		return 0, &FieldError{Field: field, Problem: "required"}
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, &FieldError{Field: field, Problem: "must be a whole number of đồng"}
	}
	v, err := n.Int64()
	switch {
	case err != nil:
		return 0, &FieldError{Field: field, Problem: "must be a whole number of đồng"}
	case v > MaxAmount || v < -MaxAmount || v == math.MinInt64:
		return 0, &FieldError{Field: field, Problem: "absurd value"}
	case nonZero && v == 0:
		return 0, &FieldError{Field: field, Problem: "must not be 0"}
	}
	return v, nil
}

// localTime reads Casso's Vietnam-local "2006-01-02 15:04:05" (or a bare
// date, in v1).
func localTime(field, s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), vntime.Zone); err == nil {
			return t, nil
		}
	}
	if s == "" {
		return time.Time{}, &FieldError{Field: field, Problem: "required"}
	}
	return time.Time{}, &FieldError{Field: field, Problem: "must look like 2024-10-03 15:06:37 (Vietnam time)"}
}

// required takes field, value pairs and names the first empty one.
func required(fieldValues ...string) error {
	for i := 0; i+1 < len(fieldValues); i += 2 {
		if strings.TrimSpace(fieldValues[i+1]) == "" {
			return &FieldError{Field: fieldValues[i], Problem: "required"}
		}
	}
	return nil
}
