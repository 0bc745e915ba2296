package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tingting-vn/tingting/harness/jsonhttp"
	"github.com/tingting-vn/tingting/zalosim"
)

// Chatter is commands written to the OA, during a run, by people in no
// integration: Rate a second, in turn from each of Strangers sandbox users
// (followers of the OA). The bench signs their webhooks as Zalo does and
// posts them to the API itself: Zalo's servers, not this machine, would
// make them, so the sandbox (which answers tingting's sends, as Zalo) is
// not loaded with making them too.
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
	Failed    int // written, but the API did not answer 200
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
		e.Stack.chatter(chatCtx, strangers, ch.Rate, &written, &failed)
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

// strangers makes n sandbox users who follow the OA and are in no
// integration, and waits until tingting has recorded every follow.
func (e *Env) strangers(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		var u struct {
			OAUserID string `json:"oa_user_id"`
		}
		if err := jsonhttp.Do(ctx, http.MethodPost, e.Stack.SandboxURL+"/_sandbox/users", "", map[string]any{"name": fmt.Sprint("Khách lạ ", i+1), "follows": true},
			http.StatusCreated, &u); err != nil {
			return nil, fmt.Errorf("creating a stranger: %w", err)
		}
		ids[i] = u.OAUserID
	}
	return ids, settle(ctx, "stranger follows", func(ctx context.Context) (int, error) {
		var recorded int
		err := e.Pool.QueryRow(ctx, "SELECT count(*) FROM zalo_followers WHERE following AND oa_user_id = ANY($1)", ids).Scan(&recorded)
		return n - recorded, err
	})
}

// chatter posts, rate a second until ctx ends, a command from each stranger
// in turn to the API's Zalo webhook, signed as Zalo signs it, MaxInFlight at
// most at once.
func (s *Stack) chatter(ctx context.Context, strangers []string, rate float64, written, failed *atomic.Int64) {
	lim := newLimiter(rate, 0)
	slots := make(chan struct{}, MaxInFlight)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: MaxInFlight}, Timeout: 30 * time.Second}
	run := make([]byte, 3)
	_, _ = rand.Read(run)
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
		body, _ := json.Marshal(map[string]any{
			"app_id": appID, "event_name": "user_send_text", "timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10),
			"sender": map[string]string{"id": strangers[i%len(strangers)]}, "recipient": map[string]string{"id": sandboxOAID},
			"message": map[string]string{"text": chatterCommands[(i/len(strangers))%len(chatterCommands)], "msg_id": fmt.Sprintf("chatter-%x-%d", run, i)},
		})
		wg.Go(func() {
			defer func() { <-slots }()
			req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, s.APIURL+"/v1/webhooks/zalo", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-ZEvent-Signature", "mac="+zalosim.Sign(appID, s.oaSecret, body))
			res, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				failed.Add(1)
				return
			}
			written.Add(1)
		})
	}
}

// sandboxOAID is the sandbox OA's id, as its webhooks name it.
const sandboxOAID = "579745863508352884"

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
		if err := jsonhttp.Do(ctx, http.MethodGet, log+"?offset="+strconv.Itoa(from), "", nil, http.StatusOK, &page); err != nil {
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
	err := jsonhttp.Do(ctx, http.MethodGet, log, "", nil, http.StatusOK, &page)
	return len(page.Items), err
}
