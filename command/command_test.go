package command_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/command"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text string
		want command.Command
	}{
		{"/invite: CODE", command.Command{Kind: command.Invite, Code: "CODE"}},
		{"/INVITE:CODE", command.Command{Kind: command.Invite, Code: "CODE"}},
		{"/invite :  code", command.Command{Kind: command.Invite, Code: "code"}},
		{"  /Invite:\tAB23CD  ", command.Command{Kind: command.Invite, Code: "AB23CD"}},
		{"/invite", command.Command{Kind: command.BadInvite}},
		{"/invite CODE", command.Command{Kind: command.BadInvite}},
		{"/invite: A B", command.Command{Kind: command.BadInvite}},
		{"/invite:", command.Command{Kind: command.BadInvite}},
		{"/invitee: X", command.Command{Kind: command.BadInvite}},
		{"/invite: X\n/invite: Y", command.Command{Kind: command.BadInvite}},

		{"/homnay", command.Command{Kind: command.Today}},
		{"/TODAY ", command.Command{Kind: command.Today}},
		{"/tamdung 2h", command.Command{Kind: command.Mute, For: 2 * time.Hour}},
		{"/mute 30m", command.Command{Kind: command.Mute, For: 30 * time.Minute}},
		{"/tamdung 45 phút", command.Command{Kind: command.Mute, For: 45 * time.Minute}},
		{"/tamdung 3 giờ", command.Command{Kind: command.Mute, For: 3 * time.Hour}},
		{"/Mute 24H", command.Command{Kind: command.Mute, For: 24 * time.Hour}},
		{"/tamdung 25h", command.Command{Kind: command.Mute}},
		{"/tamdung", command.Command{Kind: command.Mute}},
		{"/tamdung mãi", command.Command{Kind: command.Mute}},
		{"/tamdung 0m", command.Command{Kind: command.Mute}},
		{"/tieptuc", command.Command{Kind: command.Unmute}},
		{"/unmute", command.Command{Kind: command.Unmute}},
		{"/dung", command.Command{Kind: command.Stop}},
		{"/stop", command.Command{Kind: command.Stop}},
		{"/huy", command.Command{Kind: command.Stop}},
		{"/trogiup", command.Command{Kind: command.Help}},
		{"/help", command.Command{Kind: command.Help}},

		{"/homnay please", command.Command{Kind: command.Unknown}},
		{"/xinchao", command.Command{Kind: command.Unknown}},
		{"/", command.Command{Kind: command.Unknown}},
		{"/123", command.Command{Kind: command.Unknown}},

		{"invite: CODE", command.Command{Kind: command.NotCommand}},
		{"Chào shop, còn hàng không?", command.Command{Kind: command.NotCommand}},
		{"", command.Command{Kind: command.NotCommand}},
	} {
		require.Equal(t, tc.want, command.Parse(tc.text), "%q", tc.text)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/invite: CODE", "/INVITE:x", "/invite :  c", "/invite", "hello", " /invite: A B", "/invite:\u00a0X", "/tamdung 2h", "/mute 99999m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := command.Parse(text)
		if (c.Kind == command.NotCommand) == strings.HasPrefix(strings.TrimSpace(text), "/") {
			t.Fatalf("%q: only text starting with / is a command", text)
		}
		if c.Kind == command.Invite {
			require.NotEmpty(t, c.Code)
			require.False(t, strings.ContainsAny(c.Code, " \t\n\r"), "one word: %q", c.Code)
		} else {
			require.Empty(t, c.Code)
		}
		require.LessOrEqual(t, c.For, command.MaxMute)
		if c.Kind != command.Mute {
			require.Zero(t, c.For)
		}
	})
}
