package codec_test

import (
	"strings"
	"testing"

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
