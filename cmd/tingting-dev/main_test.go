package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeDocumentsTheSandboxVariables keeps the README's harness table
// true.
func TestReadmeDocumentsTheSandboxVariables(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, v := range sandboxVars {
		require.True(t, strings.Contains(string(readme), "| `"+v.name+"` | `"+v.def+"` |") ||
			v.def == "" && strings.Contains(string(readme), "| `"+v.name+"` | |"), "README.md lacks %s", v.name)
	}
}
