package api

import (
	"strings"
	"unicode"
)

// phoneE164 reads a phone number as Zalo's template by phone wants it:
// E.164 digits without the "+" (ZALO.md §5). A Vietnamese number written
// the local way ("0912 345 678") gets its country code, 84.
func phoneE164(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsDigit(r) && r < 128:
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '.', r == '-':
		default:
			return "", false
		}
	}
	p := b.String()
	if strings.HasPrefix(p, "0") {
		p = "84" + p[1:]
	}
	return p, len(p) >= 9 && len(p) <= 15 && !strings.HasPrefix(p, "0")
}

// maskPhone shows a phone's country code and last three digits only:
// 84912345678 → 84•••••••678.
func maskPhone(p string) string {
	if len(p) < 6 {
		return strings.Repeat("•", len(p))
	}
	return p[:2] + strings.Repeat("•", len(p)-5) + p[len(p)-3:]
}
