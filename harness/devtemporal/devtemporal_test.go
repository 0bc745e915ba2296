package devtemporal

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestTheDevServerIsTunedAsDeployed: `make dev` and the bench's dev server
// get the dynamic config that deploy/temporal (the PostgreSQL-backed
// server and docker-compose) gives, so a measurement on one carries over.
func TestTheDevServerIsTunedAsDeployed(t *testing.T) {
	b, err := os.ReadFile("../../deploy/temporal/dynamicconfig.yaml")
	require.NoError(t, err)
	var deployed map[string][]struct{ Value any }
	require.NoError(t, yaml.Unmarshal(b, &deployed))
	var want []string
	for key, values := range deployed {
		require.Len(t, values, 1, key)
		want = append(want, "--dynamic-config-value", fmt.Sprintf("%s=%v", key, values[0].Value))
	}
	pairs := func(args []string) []string {
		var out []string
		for i := 0; i+1 < len(args); i += 2 {
			out = append(out, args[i]+" "+args[i+1])
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, pairs(want), pairs(tuning))
}
