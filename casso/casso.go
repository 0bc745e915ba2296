// Package casso reads Casso's transaction webhooks (v2 and legacy v1) and
// checks their signatures. Pure functions: no I/O, no clock.
package casso

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrBadSignature: the signature was not made with the source's secret
	// for this body.
	ErrBadSignature = errors.New("casso: signature does not match")
	// ErrStale: the v2 signature's timestamp is older than allowed.
	ErrStale = errors.New("casso: signature is too old")
	// ErrFuture: the v2 signature's timestamp is more than MaxSkew ahead.
	ErrFuture = errors.New("casso: signature is dated in the future")
)

// MaxSkew is how far ahead of our clock a v2 signature's timestamp may be:
// clocks drift by seconds, not minutes, and a signature dated ahead would
// otherwise outlive the age limit by as much. It is checked whatever the
// age limit, 0 included: it costs a sender with a sane clock nothing.
const MaxSkew = time.Minute

// FieldError names what is wrong in a webhook body.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// VerifyV2 checks X-Casso-Signature ("t=<unix ms>,v1=<hex>"): hex of
// HMAC-SHA512(secret, t + "." + the body with its keys sorted, compact),
// made with one of secrets (a source's current secret, then any other it
// still honours); it says which one matched. The timestamp may be at most
// maxAge old (0 turns that check off) and at most MaxSkew ahead of now
// (always checked).
func VerifyV2(secrets []string, body []byte, header string, now time.Time, maxAge time.Duration) (int, error) {
	var t, v1 string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			v1 = v
		}
	}
	ms, err := strconv.ParseInt(t, 10, 64)
	got, herr := hex.DecodeString(v1)
	if err != nil || herr != nil || len(got) != sha512.Size {
		return 0, fmt.Errorf("%w: X-Casso-Signature must look like t=<unix ms>,v1=<hex>", ErrBadSignature)
	}
	canon, err := Canonical(body)
	if err != nil {
		return 0, err
	}
	matched := -1
	for i, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha512.New, []byte(secret))
		mac.Write([]byte(t + "."))
		mac.Write(canon)
		if subtle.ConstantTimeCompare(mac.Sum(nil), got) == 1 {
			matched = i
			break
		}
	}
	signed := time.UnixMilli(ms)
	switch {
	case matched < 0:
		return 0, ErrBadSignature
	case signed.Sub(now) > MaxSkew:
		return matched, ErrFuture
	case maxAge > 0 && now.Sub(signed) > maxAge:
		return matched, ErrStale
	}
	return matched, nil
}

// VerifyV1 checks the legacy secure-token header against each of secrets
// in constant time, and says which one matched.
func VerifyV1(secrets []string, token string) (int, error) {
	for i, secret := range secrets {
		if secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(token)) == 1 {
			return i, nil
		}
	}
	return 0, ErrBadSignature
}

// Canonical is body with object keys sorted A→Z at every depth, compact,
// non-ASCII kept raw and nothing HTML-escaped; numbers keep their digits.
func Canonical(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &FieldError{Field: "body", Problem: "not JSON"}
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeScalar(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		return writeScalar(buf, x)
	}
	return nil
}

func writeScalar(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline
	return nil
}
