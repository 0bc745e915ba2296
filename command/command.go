// Package command reads the commands people send the OA: "/invite: CODE"
// to join an integration, and the recipients' own (/homnay, /tamdung,
// /tieptuc, /dung, /trogiup, and their English names). Pure functions.
package command

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is what a message to the OA is.
type Kind int

const (
	// NotCommand: ordinary text; the OA does not answer it.
	NotCommand Kind = iota
	// Unknown: starts with "/" but is no command the OA knows; the answer
	// is the help text.
	Unknown
	// BadInvite: starts with "/invite" but is not a well-formed invite;
	// the answer is the seed's "Cú pháp không hợp lệ".
	BadInvite
	// Invite: a well-formed invite; Code holds the referral code.
	Invite
	// Today: /homnay, /today: today's totals.
	Today
	// Mute: /tamdung 2h, /mute 30m: no alerts for For (at most MaxMute);
	// For is 0 when the duration is missing or not understood.
	Mute
	// Unmute: /tieptuc, /unmute.
	Unmute
	// Stop: /dung, /stop, /huy: leave every integration.
	Stop
	// Help: /trogiup, /help.
	Help
)

// Command is a message read.
type Command struct {
	Kind Kind
	Code string        // Invite
	For  time.Duration // Mute
}

// MaxMute is the longest a recipient can pause their alerts in one go.
const MaxMute = 24 * time.Hour

// Optional spaces and any letter case: "/invite: CODE", "/INVITE:CODE" and
// "/invite :  code" are invites; the code is one run of non-space text.
var invite = regexp.MustCompile(`(?i)^/invite[ \t]*:[ \t]*(\S+)$`)

// The recipients' commands: a word, then for /tamdung a duration.
var (
	word     = regexp.MustCompile(`^/(\pL+)(?:[ \t]+(.*))?$`)
	duration = regexp.MustCompile(`(?i)^(\d{1,4})[ \t]*(m|ph|phút|phut|h|g|giờ|gio)$`)
	names    = map[string]Kind{
		"homnay": Today, "today": Today,
		"tamdung": Mute, "mute": Mute,
		"tieptuc": Unmute, "unmute": Unmute,
		"dung": Stop, "stop": Stop, "huy": Stop,
		"trogiup": Help, "help": Help,
	}
)

// Parse reads a message. Text that does not start with "/" is not a
// command.
func Parse(text string) Command {
	text = strings.TrimSpace(text)
	switch {
	case !strings.HasPrefix(text, "/"):
		return Command{Kind: NotCommand}
	case strings.HasPrefix(strings.ToLower(text), "/invite"):
		if m := invite.FindStringSubmatch(text); m != nil {
			return Command{Kind: Invite, Code: m[1]}
		}
		return Command{Kind: BadInvite}
	}
	m := word.FindStringSubmatch(text)
	if m == nil {
		return Command{Kind: Unknown}
	}
	kind, ok := names[strings.ToLower(m[1])]
	arg := strings.TrimSpace(m[2])
	switch {
	case !ok:
		return Command{Kind: Unknown}
	case kind == Mute:
		return Command{Kind: Mute, For: muteFor(arg)}
	case arg != "":
		return Command{Kind: Unknown} // these take nothing after the word
	}
	return Command{Kind: kind}
}

// muteFor reads "30m" or "2h" (also "30 phút", "2 giờ"), from a minute to
// MaxMute; 0 for anything else.
func muteFor(arg string) time.Duration {
	m := duration.FindStringSubmatch(arg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	d := time.Duration(n) * time.Minute
	if unit := strings.ToLower(m[2]); unit == "h" || unit == "g" || unit == "giờ" || unit == "gio" {
		d = time.Duration(n) * time.Hour
	}
	if d < time.Minute || d > MaxMute {
		return 0
	}
	return d
}
