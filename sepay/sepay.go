// Package sepay reads SePay's transaction webhooks and checks how they
// authenticate: an API key, or an HMAC-SHA256 signature with a timestamp.
// Pure functions: no I/O, no clock.
package sepay

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrBadSignature: no key or signature, or not one made with the
	// source's secret for this body.
	ErrBadSignature = errors.New("sepay: authentication does not match")
	// ErrStale: the signature's timestamp is more than MaxSkew from now,
	// either way.
	ErrStale = errors.New("sepay: signature timestamp out of range")
)

// MaxSkew is how far a signature's timestamp may be from our clock, before
// or after: SePay's own 5 minutes.
const MaxSkew = 5 * time.Minute

// Sign is the HMAC a webhook carries in X-SePay-Signature: hex of
// HMAC-SHA256(secret, timestamp + "." + body). What SePay covers is
// unconfirmed (its page says HMAC-SHA256 with X-SePay-Timestamp, not the
// string): this is the one place to change should it differ.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyHMAC checks X-SePay-Signature (hex, with or without a "sha256="
// prefix) against each of secrets (a source's current secret, then any
// other it still honours) and says which one matched; then that
// X-SePay-Timestamp (Unix seconds, or milliseconds) is within MaxSkew of
// now.
func VerifyHMAC(secrets []string, body []byte, timestamp, signature string, now time.Time) (int, error) {
	got := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(signature), "sha256="))
	if len(got) != 2*sha256.Size || timestamp == "" {
		return 0, ErrBadSignature
	}
	matched := -1
	for i, secret := range secrets {
		if secret != "" && subtle.ConstantTimeCompare([]byte(Sign(secret, timestamp, body)), []byte(got)) == 1 {
			matched = i
			break
		}
	}
	if matched < 0 {
		return 0, ErrBadSignature
	}
	n, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return matched, ErrStale
	}
	signed := time.Unix(n, 0)
	if n >= 1e12 {
		signed = time.UnixMilli(n)
	}
	if d := now.Sub(signed); d > MaxSkew || d < -MaxSkew {
		return matched, ErrStale
	}
	return matched, nil
}

// VerifyAPIKey checks an Authorization header, "Apikey <key>", against
// each of secrets in constant time, and says which one matched.
func VerifyAPIKey(secrets []string, authorization string) (int, error) {
	scheme, key, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Apikey") {
		return 0, ErrBadSignature
	}
	key = strings.TrimSpace(key)
	for i, secret := range secrets {
		if secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(key)) == 1 {
			return i, nil
		}
	}
	return 0, ErrBadSignature
}
