package send

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/metrics"
)

// TestAnswersTakeOnlyTheirShareOfTheBudget: answers queue in their own
// share of the OA's send budget (here a tenth of 10 a second: one every
// second), not in front of alerts, which find the whole budget free; an
// answer that would wait past a minute for its share is dropped at once.
func TestAnswersTakeOnlyTheirShareOfTheBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &Core{Pool: testenv.Pool(t), SendRate: 10, AnswerShare: 0.1, Metrics: metrics.New()}
	q := db.New(c.Pool)
	busy, err := c.answerTurn(ctx)
	require.NoError(t, err)
	require.False(t, busy, "the first answer goes at once")

	for range 60 { // a flood of answers: their share is taken for a minute
		_, err := q.ReserveAnswer(ctx, 1)
		require.NoError(t, err)
	}
	wait, err := q.ReserveSend(ctx, 0.1)
	require.NoError(t, err)
	require.Zero(t, wait, "an alert does not wait behind them")

	busy, err = c.answerTurn(ctx)
	require.NoError(t, err)
	require.True(t, busy, "an answer a minute away is no answer: dropped")
	require.Equal(t, 1.0, testutil.ToFloat64(c.Metrics.AnswersHeldBack.WithLabelValues("busy")))
	next, err := q.ReserveAnswer(ctx, 1)
	require.NoError(t, err)
	require.InDelta(t, 60, next, 1, "and its slot given back")
}
