package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPhonesAreReadAsZaloWantsThem(t *testing.T) {
	for in, want := range map[string]string{
		"0912345678": "84912345678", "0912 345 678": "84912345678", "+84 912.345.678": "84912345678", "84912345678": "84912345678",
		"+1-415-555-0100": "14155550100",
	} {
		got, ok := phoneE164(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "09123", "0912345678x", "++84912345678", "٠٩١٢٣٤٥٦٧٨", "84 91234567891234"} {
		_, ok := phoneE164(bad)
		require.False(t, ok, bad)
	}
	require.Equal(t, "84••••••678", maskPhone("84912345678"))
}
