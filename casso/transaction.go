package casso

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// vietnam is Asia/Ho_Chi_Minh: UTC+7 all year, without daylight saving
// since 1975, so a fixed zone is exact and needs no tzdata.
var vietnam = time.FixedZone("ICT", 7*60*60)

// MaxAmount bounds amounts: 10^15 đồng is beyond any real transfer.
const MaxAmount = 1_000_000_000_000_000

// Transaction is one bank transaction as Casso reports it.
type Transaction struct {
	ID                   string // Casso's id: the transaction's identity
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
	Raw                  json.RawMessage // the transaction's own JSON object
}

type v2Body struct {
	Error *int            `json:"error"`
	Data  json.RawMessage `json:"data"`
}

type v2Data struct {
	ID                     json.Number  `json:"id"`
	Reference              string       `json:"reference"`
	Description            string       `json:"description"`
	Amount                 *json.Number `json:"amount"`
	RunningBalance         *json.Number `json:"runningBalance"`
	TransactionDateTime    string       `json:"transactionDateTime"`
	AccountNumber          string       `json:"accountNumber"`
	BankName               string       `json:"bankName"`
	BankAbbreviation       string       `json:"bankAbbreviation"`
	CounterAccountName     string       `json:"counterAccountName"`
	CounterAccountNumber   string       `json:"counterAccountNumber"`
	CounterAccountBankName string       `json:"counterAccountBankName"`
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
	var d v2Data
	if err := decode(b.Data, &d); err != nil {
		return Transaction{}, prefix("data", err)
	}
	t := Transaction{
		ID: string(d.ID), Reference: d.Reference, Description: d.Description, AccountNumber: d.AccountNumber,
		BankName: d.BankName, BankAbbreviation: d.BankAbbreviation, CounterAccountName: d.CounterAccountName,
		CounterAccountNumber: d.CounterAccountNumber, CounterBankName: d.CounterAccountBankName, Raw: b.Data,
	}
	var err error
	if t.Amount, err = amount("data.amount", d.Amount, true); err != nil {
		return t, err
	}
	if d.RunningBalance != nil {
		bal, err := amount("data.runningBalance", d.RunningBalance, false)
		if err != nil {
			return t, err
		}
		t.BalanceAfter = &bal
	}
	if t.OccurredAt, err = localTime("data.transactionDateTime", d.TransactionDateTime); err != nil {
		return t, err
	}
	return t, required("data.id", t.ID, "data.accountNumber", t.AccountNumber)
}

type v1Item struct {
	ID           json.Number  `json:"id"`
	Tid          string       `json:"tid"`
	Description  string       `json:"description"`
	Amount       *json.Number `json:"amount"`
	CusumBalance *json.Number `json:"cusum_balance"`
	When         string       `json:"when"`
	SubAccID     string       `json:"bank_sub_acc_id"`
}

// ParseV1 reads a legacy Casso v1 webhook: an array of transactions under
// "data". Any bad transaction rejects the whole body.
func ParseV1(body []byte) ([]Transaction, error) {
	var b struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	if len(b.Data) == 0 {
		return nil, &FieldError{Field: "data", Problem: "required, a non-empty array"}
	}
	out := make([]Transaction, len(b.Data))
	for i, raw := range b.Data {
		field := "data[" + strconv.Itoa(i) + "]"
		var it v1Item
		if err := decode(raw, &it); err != nil {
			return nil, prefix(field, err)
		}
		t := Transaction{ID: string(it.ID), Reference: it.Tid, Description: it.Description, AccountNumber: it.SubAccID, Raw: raw}
		var err error
		if t.Amount, err = amount(field+".amount", it.Amount, true); err != nil {
			return nil, err
		}
		if it.CusumBalance != nil {
			bal, err := amount(field+".cusum_balance", it.CusumBalance, false)
			if err != nil {
				return nil, err
			}
			t.BalanceAfter = &bal
		}
		if t.OccurredAt, err = localTime(field+".when", it.When); err != nil {
			return nil, err
		}
		if err := required(field+".id", t.ID, field+".bank_sub_acc_id", t.AccountNumber); err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
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

// amount reads a whole number of đồng within MaxAmount.
func amount(field string, n *json.Number, nonZero bool) (int64, error) {
	if n == nil {
		return 0, &FieldError{Field: field, Problem: "required"}
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
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), vietnam); err == nil {
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
