// Package invite reads the "/invite: CODE" command people send the OA to
// join an integration. Pure functions.
package invite

import (
	"regexp"
	"strings"
)

// Kind is what a message to the OA is.
type Kind int

const (
	// NotCommand: ordinary text; the OA does not answer it.
	NotCommand Kind = iota
	// BadSyntax: a command, but not a well-formed invite.
	BadSyntax
	// Invite: a well-formed invite; Code holds the referral code.
	Invite
)

// Optional spaces and any letter case: "/invite: CODE", "/INVITE:CODE" and
// "/invite :  code" are invites; the code is one run of non-space text.
var form = regexp.MustCompile(`(?i)^/invite[ \t]*:[ \t]*(\S+)$`)

// Parse reads a message. Text that does not start with "/" is not a
// command; every other text is an invite or bad syntax.
func Parse(text string) (kind Kind, code string) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return NotCommand, ""
	}
	m := form.FindStringSubmatch(text)
	if m == nil {
		return BadSyntax, ""
	}
	return Invite, m[1]
}
