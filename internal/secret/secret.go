// Package secret seals values stored at rest (OA tokens, webhook secrets)
// with AES-256-GCM under TINGTING_ENCRYPTION_KEY. The key rotates: the
// current key seals, and the keys it replaced (TINGTING_ENCRYPTION_OLD_KEYS)
// still open what they sealed until `tingting rekey` has sealed it again.
package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrOpen means a sealed value could not be opened: a wrong key, a value
// sealed for another purpose, or tampering.
var ErrOpen = errors.New("secret: cannot open sealed value")

// Purpose is what a sealed value is for. It is authenticated with the
// value, so a value sealed for one column cannot be opened as another.
type Purpose string

// Every purpose tingting seals values for, in one place: the API and the
// activities seal and open the same columns.
const (
	OAAccessToken  Purpose = "oa_tokens.access"
	OARefreshToken Purpose = "oa_tokens.refresh"
	CodeVerifier   Purpose = "oauth_logins.code_verifier"
	OAuthCode      Purpose = "oauth_logins.code"
	WebhookSecret  Purpose = "webhook_sources.secret"
	CassoAPIKey    Purpose = "webhook_sources.casso_api_key"
)

// A sealed value is version || key id || nonce || ciphertext: the key id
// says which key opens it. Values sealed before keys rotated are nonce ||
// ciphertext, and every key is tried on them.
const (
	version = 1
	idSize  = 4
	header  = 1 + idSize
)

// sealer is one key: its id and its cipher.
type sealer struct {
	id   [idSize]byte
	aead cipher.AEAD
}

// Box seals with the current key and opens with any configured key.
type Box struct {
	current sealer
	old     []sealer
}

// New returns a Box that seals with current and opens with current and
// every old key; each is 32 bytes.
func New(current []byte, old ...[]byte) (*Box, error) {
	c, err := newSealer(current)
	if err != nil {
		return nil, err
	}
	b := &Box{current: c}
	for _, k := range old {
		s, err := newSealer(k)
		if err != nil {
			return nil, fmt.Errorf("an old key: %w", err)
		}
		if s.id != c.id {
			b.old = append(b.old, s)
		}
	}
	return b, nil
}

func newSealer(key []byte) (sealer, error) {
	if len(key) != 32 {
		return sealer{}, fmt.Errorf("secret: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{id: KeyID(key), aead: aead}, nil
}

// KeyID names a key without revealing it: what sealed values carry, and
// what operators compare when they rotate.
func KeyID(key []byte) [idSize]byte {
	derived, _ := hkdf.Key(sha256.New, key, nil, "tingting secret key id", idSize) // fails only for lengths past 255 × 32
	return [idSize]byte(derived)
}

// Seal encrypts plaintext for a purpose with the current key.
func (b *Box) Seal(plaintext string, purpose Purpose) []byte {
	nonce := make([]byte, b.current.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails (crypto/rand crashes instead)
	out := append([]byte{version}, b.current.id[:]...)
	out = append(out, nonce...)
	return b.current.aead.Seal(out, nonce, []byte(plaintext), []byte(purpose))
}

// Open decrypts what Seal made for the same purpose, with whichever
// configured key sealed it.
func (b *Box) Open(sealed []byte, purpose Purpose) (string, error) {
	plain, _, err := b.open(sealed, purpose)
	return plain, err
}

// Reseal opens a sealed value and seals it again with the current key;
// ok is false for a value the current key sealed already.
func (b *Box) Reseal(sealed []byte, purpose Purpose) (resealed []byte, ok bool, err error) {
	plain, current, err := b.open(sealed, purpose)
	if err != nil || current {
		return nil, false, err
	}
	return b.Seal(plain, purpose), true, nil
}

// open opens sealed and says whether the current key sealed it as Seal
// does today.
func (b *Box) open(sealed []byte, purpose Purpose) (plain string, current bool, err error) {
	if len(sealed) > header && sealed[0] == version {
		for i, s := range b.keys() {
			if !bytes.Equal(sealed[1:header], s.id[:]) {
				continue
			}
			if plain, ok := s.open(sealed[header:], purpose); ok {
				return plain, i == 0, nil
			}
		}
	}
	// Sealed before keys had ids (or, once in 2^40, one whose nonce looks
	// like a header): any key may have sealed it.
	for _, s := range b.keys() {
		if plain, ok := s.open(sealed, purpose); ok {
			return plain, false, nil
		}
	}
	return "", false, ErrOpen
}

func (b *Box) keys() []sealer { return append([]sealer{b.current}, b.old...) }

func (s sealer) open(sealed []byte, purpose Purpose) (string, bool) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", false
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return "", false
	}
	return string(plain), true
}
