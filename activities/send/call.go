package send

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// Call calls Zalo with the current OA token. If Zalo refuses the token, it
// asks the OATokenKeeper for a new one and tries once more; however many
// calls hit the same stale token, the keeper refreshes once. A message (op
// cs, template or template_phone) waits for its slot of the OA's send rate first,
// and a -32 holds every worker's sends a moment. Each call is timed by op
// and result.
func Call[T any](ctx context.Context, c *Core, op string, call func(token string) (T, error)) (T, error) {
	var zero T
	timed := func(token string) (T, error) {
		if isMessage(op) {
			if err := c.pace(ctx); err != nil {
				return zero, err
			}
		}
		start := time.Now()
		res, err := call(token)
		result := "ok"
		if err != nil {
			result = zalo.Classify(err).String()
		}
		if zalo.Classify(err) == zalo.ClassRateLimited {
			c.slowDown(ctx)
		}
		c.Metrics.ObserveZalo(op, result, start)
		return res, err
	}
	token, version, err := c.Tokens.Current(ctx)
	if err != nil {
		return zero, err
	}
	res, err := timed(token)
	if zalo.Classify(err) != zalo.ClassToken {
		return res, err
	}
	if local(ctx) {
		return zero, contract.FailTokenRefused.New("the OA token was refused; a regular attempt will wait for a new one")
	}
	if rerr := c.Refresher.RequestRefresh(ctx, version); rerr != nil {
		return zero, fmt.Errorf("OA token refused and not refreshed: %w", rerr)
	}
	if token, _, err = c.Tokens.Fresh(ctx); err != nil {
		return zero, err
	}
	return timed(token)
}

// isMessage tells the calls that send a message, which the OA's send rate
// counts.
func isMessage(op string) bool {
	switch route.Route(op) {
	case route.CS, route.Template, route.TemplatePhone:
		return true
	}
	return false
}

// local tells a local activity: it runs inside a workflow task, so it may
// not wait long (for the keeper, the send budget); a regular attempt does.
func local(ctx context.Context) bool {
	return activity.IsActivity(ctx) && activity.GetInfo(ctx).IsLocalActivity
}

// backlog tells a backlog's send (an activity of the backlog queue): it
// takes only the slots of the send budget the others leave.
func backlog(ctx context.Context) bool {
	return activity.IsActivity(ctx) && activity.GetInfo(ctx).TaskQueue == contract.BacklogTaskQueue
}

// rateLimitPause is how long every worker holds its sends after Zalo says
// -32 (over its rate limit).
const rateLimitPause = 2 * time.Second

// localWait is the longest a local send waits for its slot of the send
// budget. The budget's queue is only ever as long as the local sends make
// it (Temporal hands the regular ones out at nine tenths of the rate), so
// this is also how long any send waits for its slot once it is handed out:
// the wait a fresh alert of a shop within its share may meet when other
// shops' backlogs keep the budget full. At 2 s it was most of a fresh
// alert's latency in such a run (docs/BENCHMARKS.md, "Shops").
const localWait = 500 * time.Millisecond

// pace waits for a slot of the OA-wide send budget (SendRate, shared by
// every worker through one database row). A local activity waits at most
// localWait and otherwise leaves the send to a regular activity, whose task
// queue Temporal itself paces, in priority and then in fair shares between
// the shops; a regular activity waits up to most of its time; a backlog's
// send waits for a gap first (backlogGap).
func (c *Core) pace(ctx context.Context) error {
	if c.SendRate <= 0 {
		return nil
	}
	interval := 1 / c.SendRate
	q := db.New(c.Pool)
	if backlog(ctx) {
		if err := c.backlogGap(ctx, q); err != nil {
			return err
		}
	}
	wait, err := q.ReserveSend(ctx, interval)
	if err != nil {
		return err
	}
	d := time.Duration(wait * float64(time.Second))
	limit := 20 * time.Second
	if local(ctx) {
		limit = localWait
	}
	if d > limit {
		if err := q.ReturnSend(ctx, interval); err != nil {
			activity.GetLogger(ctx).Warn("returning a send slot", "error", err)
		}
		return contract.FailPaced.After(d-limit/2, "the OA's send budget is taken for %s", d.Round(time.Second))
	}
	return sleep(ctx, d)
}

// answerPatience is how long an answer waits at most for its share of the
// send budget: later, it is no answer any more.
const answerPatience = time.Minute

// answerTurn waits for a slot of the answers' share of the send budget
// (AnswerShare × SendRate, for every worker: one database row, as pace's),
// or says the answer is not worth its wait (busy). The answer then takes a
// slot of the whole budget as any message does: answers can never take
// more than their share of it, and alerts always find the rest.
func (c *Core) answerTurn(ctx context.Context) (busy bool, err error) {
	if c.SendRate <= 0 || c.AnswerShare <= 0 || c.AnswerShare >= 1 {
		return false, nil
	}
	interval := 1 / (c.AnswerShare * c.SendRate)
	q := db.New(c.Pool)
	wait, err := q.ReserveAnswer(ctx, interval)
	if err != nil {
		return false, err
	}
	d := time.Duration(wait * float64(time.Second))
	if d > answerPatience {
		if err := q.ReturnAnswer(ctx, interval); err != nil {
			activity.GetLogger(ctx).Warn("returning an answer's slot", "error", err)
		}
		c.Metrics.AnswersHeldBack.WithLabelValues("busy").Inc()
		return true, nil
	}
	return false, sleep(ctx, d)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gap is how far ahead the send budget's next free slot may be for a
// backlog's send to take it: about the budget being free now.
const gap = 100 * time.Millisecond

// backlogGap waits until the send budget is about free (its next slot
// within gap): a backlog's send then takes a slot no fresh alert was going
// to take, and never holds one ahead of it, so the budget's queue stays as
// short as the fresh sends make it. The backlog queue's tasks are few at a
// time, so only they wait here.
func (c *Core) backlogGap(ctx context.Context, q *db.Queries) error {
	for {
		ahead, err := q.SendBudgetAhead(ctx)
		if err != nil {
			return err
		}
		if ahead <= gap.Seconds() {
			return nil
		}
		activity.RecordHeartbeat(ctx)
		t := time.NewTimer(time.Duration(ahead*float64(time.Second)) - gap/2)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// slowDown holds every worker's sends for a while: Zalo said -32.
func (c *Core) slowDown(ctx context.Context) {
	if err := db.New(c.Pool).PauseSends(ctx, rateLimitPause.Seconds()); err != nil {
		activity.GetLogger(ctx).Warn("pausing sends", "error", err)
	}
}
