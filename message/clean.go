package message

import (
	"strings"
	"unicode"
)

// Clean makes free text safe to put in a message: every control or format
// character (Unicode Cc and Cf: newlines, tabs, bidi overrides such as
// U+202E, zero-width spaces and joiners) and the line and paragraph
// separators (Zl, Zp) becomes a space, so no field can add a line to a
// message or reorder what it says, and invalid UTF-8 becomes U+FFFD.
// Whoever pays controls a transaction's memo: it must not be able to write
// "Số tiền: +500.000.000 VND" on a line of its own. A run of blanks (any
// space, U+3000 and the Hangul fillers among them, which draw nothing)
// becomes one space, so neither can a memo padded to the width of a phone
// make Zalo wrap it onto a line that starts with "Số tiền:".
func Clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if isBlank(r) || breaksText(r) {
			if !blank {
				b.WriteByte(' ')
			}
			blank = true
			continue
		}
		blank = false
		b.WriteRune(r)
	}
	return b.String()
}

// needsCleaning says whether Clean would change s: the common case, a
// short memo of letters and single spaces, costs one pass and no copy.
func needsCleaning(s string) bool {
	blank := false
	for _, r := range s {
		if r == unicode.ReplacementChar || breaksText(r) || (isBlank(r) && (blank || r != ' ')) {
			return true // U+FFFD: maybe invalid UTF-8; a lone ' ' is the only blank kept as it is
		}
		blank = isBlank(r)
	}
	return false
}

func breaksText(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

// isBlank is a character that shows as empty space: the spaces (Zs, U+3000
// among them) and the letters that draw nothing (the Hangul fillers,
// U+3164 the one seen in chat spam, and the Braille blank).
func isBlank(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return unicode.Is(unicode.Zs, r)
}
