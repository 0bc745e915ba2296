package secret_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/internal/secret"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	box, err := secret.New(key)
	require.NoError(t, err)

	sealed := box.Seal("refresh-token-value", "oa_tokens.refresh")
	require.NotContains(t, string(sealed), "refresh-token-value")
	require.NotEqual(t, sealed, box.Seal("refresh-token-value", "oa_tokens.refresh"), "a fresh nonce every time")

	got, err := box.Open(sealed, "oa_tokens.refresh")
	require.NoError(t, err)
	require.Equal(t, "refresh-token-value", got)

	_, err = box.Open(sealed, "oa_tokens.access")
	require.ErrorIs(t, err, secret.ErrOpen, "sealed for another purpose")
	other, _ := secret.New(bytes.Repeat([]byte{8}, 32))
	_, err = other.Open(sealed, "oa_tokens.refresh")
	require.ErrorIs(t, err, secret.ErrOpen, "another key")
	sealed[len(sealed)-1] ^= 1
	_, err = box.Open(sealed, "oa_tokens.refresh")
	require.ErrorIs(t, err, secret.ErrOpen, "tampered")
	_, err = box.Open([]byte{1, 2}, "oa_tokens.refresh")
	require.ErrorIs(t, err, secret.ErrOpen, "too short")

	_, err = secret.New([]byte("short"))
	require.Error(t, err)
}
