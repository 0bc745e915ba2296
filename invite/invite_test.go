package invite_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/invite"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text string
		kind invite.Kind
		code string
	}{
		{"/invite: CODE", invite.Invite, "CODE"},
		{"/INVITE:CODE", invite.Invite, "CODE"},
		{"/invite :  code", invite.Invite, "code"},
		{"  /Invite:\tAB23CD  ", invite.Invite, "AB23CD"},
		{"/invite", invite.BadSyntax, ""},
		{"/invite CODE", invite.BadSyntax, ""},
		{"/invite: A B", invite.BadSyntax, ""},
		{"/invite:", invite.BadSyntax, ""},
		{"/help", invite.BadSyntax, ""},
		{"/invitee: X", invite.BadSyntax, ""},
		{"/invite: X\n/invite: Y", invite.BadSyntax, ""},
		{"invite: CODE", invite.NotCommand, ""},
		{"Chào shop, còn hàng không?", invite.NotCommand, ""},
		{"", invite.NotCommand, ""},
	} {
		kind, code := invite.Parse(tc.text)
		require.Equal(t, tc.kind, kind, "%q", tc.text)
		require.Equal(t, tc.code, code, "%q", tc.text)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/invite: CODE", "/INVITE:x", "/invite :  c", "/invite", "hello", " /invite: A B", "/invite:\u00a0X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		kind, code := invite.Parse(text)
		switch kind {
		case invite.NotCommand:
			require.False(t, strings.HasPrefix(strings.TrimSpace(text), "/"))
			require.Empty(t, code)
		case invite.BadSyntax:
			require.Empty(t, code)
		case invite.Invite:
			require.NotEmpty(t, code)
			require.False(t, strings.ContainsAny(code, " \t\n\r"), "one word: %q", code)
			require.Contains(t, strings.ToLower(text), "/invite")
		}
	})
}
