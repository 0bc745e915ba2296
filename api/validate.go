package api

import (
	"github.com/tingting-vn/tingting/message"

	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// text checks a free-text field: valid UTF-8, at most max characters. Its
// control and format characters (newlines, bidi overrides, zero-width
// ones, NUL) become spaces (message.Clean) before it is stored, so no
// field can add a line to a message or reorder it; surrounding space is
// trimmed.
func text(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid("%s: must be valid UTF-8 text", field)
	}
	s = strings.TrimSpace(message.Clean(s))
	if utf8.RuneCountInString(s) > max {
		return "", invalid("%s: at most %d characters", field, max)
	}
	return s, nil
}

// requiredText is text that may not be empty.
func requiredText(field, s string, max int) (string, error) {
	s, err := text(field, s, max)
	if err == nil && s == "" {
		err = invalid("%s: required", field)
	}
	return s, err
}

// clip is free text from outside (a display name, a browser's
// description) as we keep it: cleaned, trimmed, at most max characters.
func clip(s string, max int) string {
	s = strings.TrimSpace(message.Clean(s))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

// pathID parses an id in the URL; one that cannot exist is simply not found.
func pathID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}
