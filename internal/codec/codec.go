// Package codec encrypts what tingting puts in Temporal: every payload of
// every workflow's history (inputs, results, update arguments, activity
// inputs and results, failure messages) is sealed with AES-256-GCM under
// a key derived from TINGTING_ENCRYPTION_KEY, so whoever reaches Temporal
// (its database, its UI, its gRPC port) reads nothing of a tenant's data.
// A sealed payload names the key that sealed it, so the key can rotate:
// the current key seals, and every key configured beside it still opens.
// It also carries, sealed with it, the workspace it belongs to (none for
// the platform's own workflows), so the codec endpoint opens a workspace's
// payloads for that workspace's admins only (workspace.go). Payloads that
// are not sealed (histories from before) pass through.
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

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Encoding marks a sealed payload; keyIDKey says which key sealed it.
const (
	Encoding = "binary/encrypted"
	keyIDKey = "encryption-key-id"
	// workspaceKey is the workspace a payload belongs to, in the sealed
	// payload's own metadata: no one reads it, or changes it, without the
	// key.
	workspaceKey = "tingting-workspace"
)

// Codec seals and opens payloads. It is safe for concurrent use.
type Codec struct {
	sealID string
	seal   cipher.AEAD
	open   map[string]cipher.AEAD // by key id, the current key's too
}

// New seals with a key derived from the 32-byte current encryption key
// (HKDF, so the key that seals stored secrets is never used as such here)
// and opens with it and with those derived from the old keys.
func New(current []byte, old ...[]byte) (*Codec, error) {
	c := &Codec{open: map[string]cipher.AEAD{}}
	for i, key := range append([][]byte{current}, old...) {
		id, aead, err := derive(key)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			c.sealID, c.seal = id, aead
		}
		c.open[id] = aead
	}
	return c, nil
}

func derive(encryptionKey []byte) (id string, aead cipher.AEAD, err error) {
	key, err := hkdf.Key(sha256.New, encryptionKey, nil, "tingting temporal payloads", 32)
	if err != nil {
		return "", nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", nil, err
	}
	if aead, err = cipher.NewGCM(block); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4]), aead, nil
}

// KeyIDs are the ids of every key the codec opens, the current one first.
func (c *Codec) KeyIDs() []string {
	ids := []string{c.sealID}
	for id := range c.open {
		if id != c.sealID {
			ids = append(ids, id)
		}
	}
	return ids
}

// FailureConverter puts failures' messages and stack traces in a payload,
// which the codec seals (with no workspace: the SDK says nothing of where
// a failure happened).
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: c.DataConverter(), EncodeCommonAttributes: true,
	})
}

// Encode seals payloads that belong to no workspace.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return c.encode(payloads, uuid.Nil)
}

// EncodeFor seals payloads that belong to workspace.
func (c *Codec) EncodeFor(workspace uuid.UUID, payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return c.encode(payloads, workspace)
}

// encode seals each payload whole (data and metadata), with its workspace.
func (c *Codec) encode(payloads []*commonpb.Payload, workspace uuid.UUID) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if workspace != uuid.Nil {
			p = proto.Clone(p).(*commonpb.Payload)
			if p.Metadata == nil {
				p.Metadata = map[string][]byte{}
			}
			p.Metadata[workspaceKey] = []byte(workspace.String())
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, c.seal.NonceSize())
		_, _ = rand.Read(nonce)
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), keyIDKey: []byte(c.sealID)},
			Data:     c.seal.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// ErrOtherKey: a payload sealed with a key this codec was not given.
var ErrOtherKey = errors.New("codec: payload sealed with another key")

// Decode opens every sealed payload, whatever its workspace (the worker
// does, and an operator), and passes the others through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		opened, _, err := c.openOne(p)
		if err != nil {
			return nil, err
		}
		out[i] = opened
	}
	return out, nil
}

// DecodeFor opens the payloads sealed for workspace and passes every other
// one through as it came: still sealed if it was.
func (c *Codec) DecodeFor(workspace uuid.UUID, payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		opened, owner, err := c.openOne(p)
		switch {
		case err != nil:
			return nil, err
		case owner == workspace.String():
			out[i] = opened
		default:
			out[i] = p
		}
	}
	return out, nil
}

// openOne opens a sealed payload and says whose it is ("" for none); an
// unsealed one is returned as it is.
func (c *Codec) openOne(p *commonpb.Payload) (*commonpb.Payload, string, error) {
	if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
		return p, "", nil
	}
	id := string(p.GetMetadata()[keyIDKey])
	aead, ok := c.open[id]
	if !ok {
		return nil, "", fmt.Errorf("%w (key %s)", ErrOtherKey, id)
	}
	n := aead.NonceSize()
	if len(p.Data) < n {
		return nil, "", errors.New("codec: payload too short")
	}
	plain, err := aead.Open(nil, p.Data[:n], p.Data[n:], nil)
	if err != nil {
		return nil, "", fmt.Errorf("codec: %w", err)
	}
	var opened commonpb.Payload
	if err := proto.Unmarshal(plain, &opened); err != nil {
		return nil, "", err
	}
	owner := string(opened.Metadata[workspaceKey])
	delete(opened.Metadata, workspaceKey)
	return &opened, owner, nil
}
