package api

import (
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// text checks a free-text field: valid UTF-8, no NUL (Postgres refuses it),
// at most max characters. Surrounding space is trimmed.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", invalid("%s: must be valid UTF-8 text without NUL characters", field)
	case utf8.RuneCountInString(s) > max:
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

// pathID parses an id in the URL; one that cannot exist is simply not found.
func pathID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}
