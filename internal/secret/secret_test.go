package secret_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
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

// TestTheKeyRotates: a new key seals from the day it is configured, the
// old ones beside it still open what they sealed (values from before key
// ids too), and Reseal moves a value to the current key.
func TestTheKeyRotates(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 32)
	before, err := secret.New(oldKey)
	require.NoError(t, err)
	rotated, err := secret.New(newKey, oldKey)
	require.NoError(t, err)
	onlyNew, err := secret.New(newKey)
	require.NoError(t, err)

	sealedBefore := before.Seal("webhook-secret", secret.WebhookSecret)
	got, err := rotated.Open(sealedBefore, secret.WebhookSecret)
	require.NoError(t, err, "an old key still opens")
	require.Equal(t, "webhook-secret", got)
	_, err = onlyNew.Open(sealedBefore, secret.WebhookSecret)
	require.ErrorIs(t, err, secret.ErrOpen, "once the old key is gone, only what was sealed again opens")

	sealedNow := rotated.Seal("webhook-secret", secret.WebhookSecret)
	id := secret.KeyID(newKey)
	require.Equal(t, id[:], sealedNow[1:5], "sealed data carries its key id")
	_, err = before.Open(sealedNow, secret.WebhookSecret)
	require.ErrorIs(t, err, secret.ErrOpen, "the new key seals")

	// From before key ids: nonce || ciphertext under the old key.
	block, _ := aes.NewCipher(oldKey)
	gcm, _ := cipher.NewGCM(block)
	nonce := bytes.Repeat([]byte{1}, gcm.NonceSize())
	legacy := gcm.Seal(nonce, nonce, []byte("oa-token"), []byte(secret.OAAccessToken))
	got, err = rotated.Open(legacy, secret.OAAccessToken)
	require.NoError(t, err)
	require.Equal(t, "oa-token", got)

	for _, sealed := range [][]byte{sealedBefore, legacy} {
		purpose := secret.WebhookSecret
		if bytes.Equal(sealed, legacy) {
			purpose = secret.OAAccessToken
		}
		resealed, ok, err := rotated.Reseal(sealed, purpose)
		require.NoError(t, err)
		require.True(t, ok)
		_, err = onlyNew.Open(resealed, purpose)
		require.NoError(t, err, "sealed again, the old key can go")
		_, ok, err = rotated.Reseal(resealed, purpose)
		require.NoError(t, err)
		require.False(t, ok, "the current key's values stay as they are")
	}
	_, _, err = onlyNew.Reseal(sealedBefore, secret.WebhookSecret)
	require.ErrorIs(t, err, secret.ErrOpen)
}
