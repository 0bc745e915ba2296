// Package referral makes the codes an owner shares so that others can join
// an integration with "/invite: CODE".
package referral

import (
	"crypto/rand"
	"strings"
)

// Alphabet leaves out 0/O, 1/I/L and U/V look-alikes, so a code read aloud
// or copied by hand survives; matching is case-insensitive.
const Alphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

// Length 10 over 29 symbols is about 48.6 bits: unguessable at the rate the
// invite guard allows.
const Length = 10

// New returns a fresh random code.
func New() string {
	b := make([]byte, Length)
	rnd := make([]byte, 1)
	for i := 0; i < Length; {
		_, _ = rand.Read(rnd) // never fails (crypto/rand crashes instead)
		// Reject bytes beyond the largest multiple of len(Alphabet) to keep
		// every symbol equally likely.
		if int(rnd[0]) >= 256-256%len(Alphabet) {
			continue
		}
		b[i] = Alphabet[int(rnd[0])%len(Alphabet)]
		i++
	}
	return string(b)
}

// Normalize is the form codes are stored and compared in.
func Normalize(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }
