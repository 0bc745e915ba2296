// Package secret seals values stored at rest (OA tokens, webhook secrets)
// with AES-256-GCM under TINGTING_ENCRYPTION_KEY.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
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

// Box seals and opens values with one key.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext for a purpose. The result is nonce || ciphertext.
func (b *Box) Seal(plaintext string, purpose Purpose) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails (crypto/rand crashes instead)
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose))
}

// Open decrypts what Seal made for the same purpose.
func (b *Box) Open(sealed []byte, purpose Purpose) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return "", ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
