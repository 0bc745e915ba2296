package message

import (
	"strings"
	"unicode"
)

// Clean makes free text safe to put in a message: every control or format
// character (Unicode Cc and Cf: newlines, tabs, bidi overrides such as
// U+202E, zero-width spaces and joiners) and the line and paragraph
// separators (Zl, Zp) becomes a space, so no field can
// add a line to a message or reorder what it says, and invalid UTF-8
// becomes U+FFFD. Whoever pays controls a transaction's memo: it must not
// be able to write "Số tiền: +500.000.000 VND" on a line of its own.
func Clean(s string) string {
	if strings.IndexFunc(s, breaksText) < 0 && !strings.ContainsRune(s, 0) && validUTF8(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if breaksText(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func breaksText(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
