package codec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/tingting-vn/tingting/internal/codec"
)

func TestSealedPayloadsOpenOnlyWithTheirKey(t *testing.T) {
	key := make([]byte, 32)
	c, err := codec.New(key)
	require.NoError(t, err)
	p, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"name": "Chị Lan", "code": "ABCDEFGH23"})
	require.NoError(t, err)

	sealed, err := c.Encode([]*commonpb.Payload{p})
	require.NoError(t, err)
	require.Equal(t, codec.Encoding, string(sealed[0].Metadata[converter.MetadataEncoding]))
	for _, plain := range []string{"Chị Lan", "ABCDEFGH23", "json/plain"} {
		require.False(t, strings.Contains(string(sealed[0].Data), plain), "sealed data shows %q", plain)
	}
	again, err := c.Encode([]*commonpb.Payload{p})
	require.NoError(t, err)
	require.NotEqual(t, sealed[0].Data, again[0].Data, "a fresh nonce every time")

	opened, err := c.Decode(sealed)
	require.NoError(t, err)
	require.Equal(t, p.Data, opened[0].Data)
	require.Equal(t, p.Metadata, opened[0].Metadata)

	plain, err := c.Decode([]*commonpb.Payload{p})
	require.NoError(t, err)
	require.Equal(t, p, plain[0], "histories from before pass through")

	other := make([]byte, 32)
	other[0] = 1
	o, err := codec.New(other)
	require.NoError(t, err)
	_, err = o.Decode(sealed)
	require.ErrorIs(t, err, codec.ErrOtherKey)

	tampered := []*commonpb.Payload{{Metadata: sealed[0].Metadata, Data: append([]byte{}, sealed[0].Data...)}}
	tampered[0].Data[len(tampered[0].Data)-1] ^= 1
	_, err = c.Decode(tampered)
	require.Error(t, err)
}

// TestTheWholeValueIsSealed: a workflow input goes through the data
// converter sealed and comes back whole.
func TestTheWholeValueIsSealed(t *testing.T) {
	c, err := codec.New(make([]byte, 32))
	require.NoError(t, err)
	dc := c.DataConverter()
	in := struct{ Name string }{"Chị Lan"}
	p, err := dc.ToPayload(in)
	require.NoError(t, err)
	require.NotContains(t, string(p.Data), "Chị Lan")
	var out struct{ Name string }
	require.NoError(t, dc.FromPayload(p, &out))
	require.Equal(t, in, out)
}

// TestAPayloadOpensForItsWorkspaceOnly: a payload is sealed with its
// workspace; a workspace's reader opens its own and gets every other one
// back still sealed, the platform's included; the operator opens all.
func TestAPayloadOpensForItsWorkspaceOnly(t *testing.T) {
	c, err := codec.New(make([]byte, 32))
	require.NoError(t, err)
	shopA, shopB := uuid.New(), uuid.New()
	p, err := converter.GetDefaultDataConverter().ToPayload("Chị Lan, +599.000 VND")
	require.NoError(t, err)
	ofA, err := c.EncodeFor(shopA, []*commonpb.Payload{p})
	require.NoError(t, err)
	platform, err := c.Encode([]*commonpb.Payload{p})
	require.NoError(t, err)
	require.NotContains(t, ofA[0].String(), shopA.String(), "the workspace is sealed too")

	sealed := []*commonpb.Payload{ofA[0], platform[0]}
	forA, err := c.DecodeFor(shopA, sealed)
	require.NoError(t, err)
	require.Equal(t, p.Data, forA[0].Data)
	require.Equal(t, p.Metadata, forA[0].Metadata, "the workspace tag stays inside")
	require.Equal(t, platform[0], forA[1], "the platform's payload stays sealed for a workspace")
	forB, err := c.DecodeFor(shopB, sealed)
	require.NoError(t, err)
	require.Equal(t, sealed, forB, "another workspace's payloads stay sealed")
	all, err := c.Decode(sealed)
	require.NoError(t, err)
	require.Equal(t, p.Data, all[0].Data)
	require.Equal(t, p.Data, all[1].Data)
	require.Equal(t, p.Metadata, all[0].Metadata)
}

// TestTheDataConverterSealsWithTheContextsWorkspace: what the SDK encodes
// in a context that carries a workspace (the API's and the dispatcher's
// calls, and through the propagated header a workflow and its activities)
// is sealed as that workspace's.
func TestTheDataConverterSealsWithTheContextsWorkspace(t *testing.T) {
	c, err := codec.New(make([]byte, 32))
	require.NoError(t, err)
	shop := uuid.New()

	// A caller's context travels in the header, and comes out whole.
	header := map[string]*commonpb.Payload{}
	require.NoError(t, codec.Propagator().Inject(codec.WithWorkspace(context.Background(), shop), headerMap(header)))
	ctx, err := codec.Propagator().Extract(context.Background(), headerMap(header))
	require.NoError(t, err)

	dc := c.DataConverter().(converter.ContextAware).WithContext(ctx)
	p, err := dc.ToPayload("Chị Lan")
	require.NoError(t, err)
	opened, err := c.DecodeFor(shop, []*commonpb.Payload{p})
	require.NoError(t, err)
	var name string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(opened[0], &name))
	require.Equal(t, "Chị Lan", name)
	require.NoError(t, c.DataConverter().FromPayload(p, &name), "the worker opens every workspace's")

	none, err := c.DataConverter().(converter.ContextAware).WithContext(context.Background()).ToPayload("Chị Lan")
	require.NoError(t, err)
	still, err := c.DecodeFor(shop, []*commonpb.Payload{none})
	require.NoError(t, err)
	require.Equal(t, none, still[0], "without a workspace: the operator's only")
}

// TestTheCodecOpensEveryConfiguredKey: after a rotation the new key seals
// and the old keys still open what they sealed, each found by the key id
// its payload carries.
func TestTheCodecOpensEveryConfiguredKey(t *testing.T) {
	oldKey, newKey := make([]byte, 32), make([]byte, 32)
	newKey[0] = 1
	before, err := codec.New(oldKey)
	require.NoError(t, err)
	rotated, err := codec.New(newKey, oldKey)
	require.NoError(t, err)
	onlyNew, err := codec.New(newKey)
	require.NoError(t, err)
	p, err := converter.GetDefaultDataConverter().ToPayload("Chị Lan")
	require.NoError(t, err)

	old, err := before.Encode([]*commonpb.Payload{p})
	require.NoError(t, err)
	opened, err := rotated.Decode(old)
	require.NoError(t, err)
	require.Equal(t, p.Data, opened[0].Data)
	_, err = onlyNew.Decode(old)
	require.ErrorIs(t, err, codec.ErrOtherKey)

	fresh, err := rotated.Encode([]*commonpb.Payload{p})
	require.NoError(t, err)
	_, err = before.Decode(fresh)
	require.ErrorIs(t, err, codec.ErrOtherKey, "the new key seals")
	require.Equal(t, onlyNew.KeyIDs()[0], string(fresh[0].Metadata["encryption-key-id"]))
	require.ElementsMatch(t, append(onlyNew.KeyIDs(), before.KeyIDs()...), rotated.KeyIDs())
}

// headerMap is a Temporal header as the propagator sees it.
type headerMap map[string]*commonpb.Payload

func (h headerMap) Set(key string, p *commonpb.Payload) { h[key] = p }
func (h headerMap) Get(key string) (*commonpb.Payload, bool) {
	p, ok := h[key]
	return p, ok
}
func (h headerMap) ForEachKey(f func(string, *commonpb.Payload) error) error {
	for k, p := range h {
		if err := f(k, p); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkSeal measures what sealing a payload with its workspace costs
// over sealing it for none: `go test -bench Seal ./internal/codec/`.
func BenchmarkSeal(b *testing.B) {
	c, err := codec.New(make([]byte, 32))
	require.NoError(b, err)
	p, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"TransactionID": uuid.NewString()})
	require.NoError(b, err)
	payloads := []*commonpb.Payload{p}
	shop := uuid.New()
	b.Run("no workspace", func(b *testing.B) {
		for b.Loop() {
			_, _ = c.Encode(payloads)
		}
	})
	b.Run("workspace", func(b *testing.B) {
		for b.Loop() {
			_, _ = c.EncodeFor(shop, payloads)
		}
	})
}
