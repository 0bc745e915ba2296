package casso

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// PageSize is how many transactions a read-back asks for a page (Casso's
// default is 10).
const PageSize = 100

// PageQuery is the query of one page of Casso's read-back API, GET
// /v2/transactions: dates (YYYY-MM-DD, Vietnam) inclusive, oldest first so
// that transactions arriving meanwhile land on later pages.
func PageQuery(fromDate, toDate string, page int) url.Values {
	return url.Values{
		"fromDate": {fromDate}, "toDate": {toDate},
		"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(PageSize)}, "sort": {"ASC"},
	}
}

// Page is one page of the read-back API's answer.
type Page struct {
	Page, TotalPages int
	// Records are the transactions read, in the page's order (Index is
	// the place in "records"); Bad those that could not be read.
	Records []Transaction
	Bad     []ItemError
}

// APIError is a non-zero "error" in an answer of Casso's API.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("casso: error %d: %s", e.Code, e.Message) }

// ParsePage reads an answer of GET /v2/transactions:
// {"error":0,"data":{"page","pageSize","nextPage","prevPage","totalPages",
// "totalRecords","records":[…]}}, each record in the webhook's v2 fields.
// A record that cannot be read does not sink the page: it is in Bad.
func ParsePage(body []byte) (Page, error) {
	var b struct {
		Error   *int            `json:"error"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := decode(body, &b); err != nil {
		return Page{}, err
	}
	if b.Error != nil && *b.Error != 0 {
		return Page{}, &APIError{Code: *b.Error, Message: b.Message}
	}
	var d struct {
		Page       json.Number       `json:"page"`
		TotalPages json.Number       `json:"totalPages"`
		Records    []json.RawMessage `json:"records"`
	}
	if len(b.Data) == 0 || b.Data[0] != '{' {
		return Page{}, &FieldError{Field: "data", Problem: "required, an object"}
	}
	if err := decode(b.Data, &d); err != nil {
		return Page{}, prefix("data", err)
	}
	p := Page{}
	var err error
	if p.Page, err = count("data.page", d.Page); err != nil {
		return Page{}, err
	}
	if p.TotalPages, err = count("data.totalPages", d.TotalPages); err != nil {
		return Page{}, err
	}
	for i, raw := range d.Records {
		field := "data.records[" + strconv.Itoa(i) + "]"
		if len(raw) == 0 || raw[0] != '{' {
			p.Bad = append(p.Bad, ItemError{Index: i, Err: &FieldError{Field: field, Problem: "not a JSON object"}})
			continue
		}
		t, err := parseV2Data(field, raw)
		if err != nil {
			p.Bad = append(p.Bad, ItemError{Index: i, ID: itemID(raw), Err: err})
			continue
		}
		t.Index = i
		p.Records = append(p.Records, t)
	}
	return p, nil
}

// count reads a page number or count: a whole number, 0 or more.
func count(field string, n json.Number) (int, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v < 0 {
		return 0, &FieldError{Field: field, Problem: "must be a whole number"}
	}
	return v, nil
}
