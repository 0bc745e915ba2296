package api

import (
	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/ingest"
)

// text checks a free-text field as every stored text is checked
// (ingest.Text): valid UTF-8, at most max characters, its control and
// format characters made spaces, surrounding space trimmed.
func text(field, s string, max int) (string, error) {
	return ingest.Text(field, s, max, ingest.Refuse)
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
	s, _ = ingest.Text("", s, max, ingest.Cut) // cutting never fails
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
