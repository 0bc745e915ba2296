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

// Seal encrypts plaintext for a purpose (e.g. "oa_tokens.refresh"); the
// purpose is authenticated, so a value cannot be moved to another column.
// The result is nonce || ciphertext.
func (b *Box) Seal(plaintext, purpose string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails (crypto/rand crashes instead)
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose))
}

// Open decrypts what Seal made for the same purpose.
func (b *Box) Open(sealed []byte, purpose string) (string, error) {
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
