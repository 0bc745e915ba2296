// Package codec encrypts what tingting puts in Temporal: every payload of
// every workflow's history (inputs, results, update arguments, activity
// inputs and results, failure messages) is sealed with AES-256-GCM under
// a key derived from TINGTING_ENCRYPTION_KEY, so whoever reaches Temporal
// (its database, its UI, its gRPC port) reads nothing of a tenant's data.
// Payloads that are not sealed (histories from before) pass through.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Encoding marks a sealed payload; KeyID says which key sealed it, so the
// key can be rotated one day without guessing.
const (
	Encoding = "binary/encrypted"
	keyIDKey = "encryption-key-id"
)

// Codec seals and opens payloads. It is safe for concurrent use.
type Codec struct {
	aead  cipher.AEAD
	keyID string
}

// New derives the payload key from the 32-byte encryption key (HKDF, so the
// key that seals stored secrets is never used as such here).
func New(encryptionKey []byte) (*Codec, error) {
	key, err := hkdf.Key(sha256.New, encryptionKey, nil, "tingting temporal payloads", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(key)
	return &Codec{aead: aead, keyID: hex.EncodeToString(id[:4])}, nil
}

// DataConverter is the SDK's default converter with every payload sealed,
// and failure messages moved into (sealed) payloads too.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter puts failures' messages and stack traces in a payload,
// which the codec seals.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: c.DataConverter(), EncodeCommonAttributes: true,
	})
}

// Encode seals each payload whole (data and metadata).
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, c.aead.NonceSize())
		_, _ = rand.Read(nonce)
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), keyIDKey: []byte(c.keyID)},
			Data:     c.aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// ErrOtherKey: a payload sealed with another key than this codec's.
var ErrOtherKey = errors.New("codec: payload sealed with another key")

// Decode opens sealed payloads and passes the others through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		if id := string(p.GetMetadata()[keyIDKey]); id != c.keyID {
			return nil, fmt.Errorf("%w (key %s)", ErrOtherKey, id)
		}
		n := c.aead.NonceSize()
		if len(p.Data) < n {
			return nil, errors.New("codec: payload too short")
		}
		plain, err := c.aead.Open(nil, p.Data[:n], p.Data[n:], nil)
		if err != nil {
			return nil, fmt.Errorf("codec: %w", err)
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return nil, err
		}
		out[i] = &decoded
	}
	return out, nil
}
