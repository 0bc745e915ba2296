package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Chatter is commands written to the OA, during a run, by people in no
// integration: Rate a second, in turn from each of Strangers sandbox
// users (who do not follow the OA), each through the sandbox's control
// API, which sends its signed webhook to the API.
type Chatter struct {
	Rate      float64
	Strangers int
}

// chatterCommands are what the strangers write, in turn: every command
// the OA answers but an invite.
var chatterCommands = []string{"/trogiup", "/homnay", "/xinchao", "/dung", "/tamdung 2h", "/tieptuc"}

// ChatterResult is what the strangers wrote during a run and what the OA
// answered them, counted once the answers stopped coming.
type ChatterResult struct {
	Commands  int // written, their webhooks answered 200
	Failed    int // written, but the sandbox or the API did not take them
	Strangers int
	Answers   int // messages the OA sent the strangers
	Answered  int // strangers who got at least one
	MostToOne int // the most answers one stranger got
}

// RunTingtingChattered is RunTingting while strangers write commands at
// ch.Rate: from the first post until the run's messages are in. It then
// waits for the OA's answers to the strangers to stop, and counts them.
func (e *Env) RunTingtingChattered(ctx context.Context, load Load, ch Chatter) (Result, error) {
	strangers, err := e.strangers(ctx, ch.Strangers)
	if err != nil {
		return Result{}, err
	}
	log := e.Stack.SandboxURL + "/_sandbox/messages"
	from, err := messagesSoFar(ctx, log)
	if err != nil {
		return Result{}, err
	}
	chatCtx, stop := context.WithCancel(ctx)
	var written, failed atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		chatter(chatCtx, e.Stack.SandboxURL, strangers, ch.Rate, &written, &failed)
	}()
	r, err := e.RunTingting(ctx, load)
	stop()
	<-done
	r.Mode = "tingting+chatter"
	if err != nil {
		return r, err
	}
	answers, err := e.answersTo(ctx, log, from, strangers)
	if err != nil {
		return r, err
	}
	res := &ChatterResult{Commands: int(written.Load()), Failed: int(failed.Load()), Strangers: len(strangers)}
	for _, n := range answers {
		res.Answers += n
		res.Answered++
		res.MostToOne = max(res.MostToOne, n)
	}
	r.Chatter = res
	return r, nil
}

// strangers makes n sandbox users who do not follow the OA (so no follow
// webhook announces them) and are in no integration.
func (e *Env) strangers(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		var u struct {
			OAUserID string `json:"oa_user_id"`
		}
		if err := doJSON(ctx, http.MethodPost, e.Stack.SandboxURL+"/_sandbox/users", "", map[string]any{"name": fmt.Sprint("Khách lạ ", i+1)},
			http.StatusCreated, &u); err != nil {
			return nil, fmt.Errorf("creating a stranger: %w", err)
		}
		ids[i] = u.OAUserID
	}
	return ids, nil
}

// chatter has the strangers write, in turn, rate commands a second until
// ctx ends, MaxInFlight at most waiting for their webhook at once.
func chatter(ctx context.Context, sandbox string, strangers []string, rate float64, written, failed *atomic.Int64) {
	lim := newLimiter(rate, 0)
	slots := make(chan struct{}, MaxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; ; i++ {
		if lim.wait(ctx, i) != nil {
			return
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		user, text := strangers[i%len(strangers)], chatterCommands[(i/len(strangers))%len(chatterCommands)]
		wg.Go(func() {
			defer func() { <-slots }()
			var sent struct {
				WebhookStatus int `json:"webhook_status"`
			}
			err := doJSON(context.WithoutCancel(ctx), http.MethodPost, sandbox+"/_sandbox/users/"+user+"/messages", "", map[string]string{"text": text},
				http.StatusOK, &sent)
			if err != nil || sent.WebhookStatus != http.StatusOK {
				failed.Add(1)
				return
			}
			written.Add(1)
		})
	}
}

// answerQuiet is how long no new answer to a stranger must come, nothing
// of theirs being in flight, before they are counted; answerWait bounds
// the wait (an answer waits a minute at most for its share of the budget).
const (
	answerQuiet = 5 * time.Second
	answerWait  = 3 * time.Minute
)

// answersTo counts the messages the OA sent each of the strangers after
// the log's first from items, once they have stopped coming: no Zalo event
// waits for its workflow, no answer is being sent, and none came for
// answerQuiet.
func (e *Env) answersTo(ctx context.Context, log string, from int, strangers []string) (map[string]int, error) {
	deadline := time.Now().Add(answerWait)
	count, last := map[string]int{}, -1
	quietSince := time.Now()
	for {
		var page struct {
			Items []struct {
				UserID string `json:"user_id"`
			} `json:"items"`
		}
		if err := doJSON(ctx, http.MethodGet, log+"?offset="+strconv.Itoa(from), "", nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		clear(count)
		total := 0
		for _, m := range page.Items {
			if slices.Contains(strangers, m.UserID) {
				count[m.UserID]++
				total++
			}
		}
		var pending int
		if err := e.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox WHERE kind = 'zalo_event')
			+ (SELECT count(*) FROM notes WHERE status = 'pending')`).Scan(&pending); err != nil {
			return nil, err
		}
		if total != last || pending > 0 {
			last, quietSince = total, time.Now()
		}
		if time.Since(quietSince) >= answerQuiet || time.Now().After(deadline) {
			return count, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// messagesSoFar is how many messages the sandbox's log holds.
func messagesSoFar(ctx context.Context, log string) (int, error) {
	var page struct {
		Items []struct{} `json:"items"`
	}
	err := doJSON(ctx, http.MethodGet, log, "", nil, http.StatusOK, &page)
	return len(page.Items), err
}
