package zalo

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// flexID is a Zalo id: a JSON string in Zalo's answers, sometimes a number.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("zalo: id is neither a string nor a number: %.40s", b)
	}
	*f = flexID(n.String())
	return nil
}

// flexInt is a count Zalo writes as a number or as a string ("3600");
// absent or empty reads as 0.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexID
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(string(s))
	if err != nil {
		return fmt.Errorf("zalo: not an integer: %.40q", s)
	}
	*f = flexInt(n)
	return nil
}

// object is a JSON object read field by field, so a field of an
// unexpected type reads as empty instead of failing the whole document:
// Zalo adds event shapes without notice.
type object map[string]json.RawMessage

func parseObject(b []byte) (object, bool) {
	var o object
	if err := json.Unmarshal(b, &o); err != nil || o == nil {
		return nil, false
	}
	return o, true
}

// id reads a string or number field; anything else is "".
func (o object) id(key string) string {
	var v flexID
	if err := json.Unmarshal(o[key], &v); err != nil {
		return ""
	}
	return string(v)
}

// text reads a string field; anything else is "".
func (o object) text(key string) string {
	var v string
	if err := json.Unmarshal(o[key], &v); err != nil {
		return ""
	}
	return v
}

// obj reads an object field; anything else is an empty object.
func (o object) obj(key string) object {
	sub, _ := parseObject(o[key])
	return sub
}
