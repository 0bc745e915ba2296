package devtemporal

import (
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/workflows"
)

// searchAttributes gives each of tingting's search attributes a placeholder
// value: the dev server only reads their names and types.
func searchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		workflows.WorkspaceIDKey.ValueSet(""),
		workflows.IntegrationIDKey.ValueSet(nil),
		workflows.BankAccountKey.ValueSet(""),
		workflows.AmountVNDKey.ValueSet(0),
	)
}
