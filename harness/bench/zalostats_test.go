package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestZaloStats(t *testing.T) {
	z := ZaloStats{Calls: map[string]int{"cs": 120, "template": 100, "template_phone": 0, "conversation": 7, "quota": 3},
		Refused: map[string]int{"-230": 20, "-32": 0}}
	assert.Equal(t, 220, z.MessageCalls())
	assert.Equal(t, 1.1, z.CallsPer(200))
	assert.Zero(t, z.CallsPer(0), "nothing delivered")
	assert.Equal(t, "-230: 20", z.refusals(), "codes never refused are not shown")
	assert.Equal(t, "none", ZaloStats{}.refusals())
}
