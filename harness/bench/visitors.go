package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/harness/jsonhttp"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/message"
)

// A visitor is the Zalo side of a run, beside the transactions: a new
// Zalo user who follows the OA, joins an integration with its referral
// code ("/invite: CODE") and asks for today's totals ("/homnay"). Each is
// a signed webhook the API records and a worker handles, and each visitor
// must end up a follower of record and a member, having been answered
// exactly once for each message, the integration's owner told of the join
// exactly once.
type visitor = seed.Person

// club is the integration visitors join: its own owner, no bank account
// (so no alerts), so that joins never change who the load's alerts go to.
type club struct {
	id    uuid.UUID
	code  string // its referral code
	owner string // its owner's OA user id
}

// club makes the integration visitors join, once per Env.
func (e *Env) club(ctx context.Context) (club, error) {
	e.clubMu.Lock()
	defer e.clubMu.Unlock()
	if e.clubOf.code != "" {
		return e.clubOf, nil
	}
	owner, err := e.Stack.sandboxUser(ctx, "Chủ câu lạc bộ")
	if err != nil {
		return club{}, err
	}
	in, err := seed.CreateIntegration(ctx, e.Pool, seed.Integration{WorkspaceID: e.Shop.WorkspaceID, Owner: owner})
	if err != nil {
		return club{}, err
	}
	e.clubOf = club{id: in.ID, code: in.ReferralCode, owner: owner.OAUserID}
	return e.clubOf, nil
}

// sandboxUser makes a sandbox user who follows the OA (the follow webhook
// is sent before the answer).
func (s *Stack) sandboxUser(ctx context.Context, name string) (seed.Person, error) {
	var u struct {
		OAUserID  string `json:"oa_user_id"`
		AppUserID string `json:"app_user_id"`
		Name      string `json:"name"`
	}
	if err := jsonhttp.Do(ctx, http.MethodPost, s.SandboxURL+"/_sandbox/users", "", map[string]any{"name": name, "follows": true},
		http.StatusCreated, &u); err != nil {
		return seed.Person{}, fmt.Errorf("creating a sandbox user: %w", err)
	}
	return seed.Person{OAUserID: u.OAUserID, AppUserID: u.AppUserID, Name: u.Name}, nil
}

// says has a sandbox user write text to the OA (a signed webhook).
func (s *Stack) says(ctx context.Context, user, text string) error {
	return jsonhttp.Do(ctx, http.MethodPost, s.SandboxURL+"/_sandbox/users/"+user+"/messages", "", map[string]string{"text": text}, http.StatusOK, nil)
}

// visit sends a visitor every `every` until stop is closed (one at least):
// each follows, then writes "/invite: CODE" and "/homnay".
func (e *Env) visit(ctx context.Context, every time.Duration, stop <-chan struct{}) ([]visitor, error) {
	var v []visitor
	c, err := e.club(ctx)
	if err != nil {
		return v, err
	}
	for {
		e.visitors++
		u, err := e.Stack.sandboxUser(ctx, fmt.Sprint("Khách ", e.visitors))
		if err != nil {
			return v, err
		}
		v = append(v, u)
		for _, text := range []string{"/invite: " + c.code, "/homnay"} {
			if err := e.Stack.says(ctx, u.OAUserID, text); err != nil {
				return v, err
			}
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-stop:
			return v, nil
		case <-time.After(every):
		}
	}
}

// errTwice is an answer given more than once: waiting longer cannot help.
var errTwice = errors.New("answered more than once")

// visited waits up to patience for every visitor to be answered, then
// checks that nothing was answered twice once every answer is settled.
func (e *Env) visited(ctx context.Context, v []visitor, patience time.Duration) error {
	deadline := time.Now().Add(patience)
	for {
		err := e.checkVisitors(ctx, v)
		if err == nil {
			settleCtx, cancel := context.WithDeadline(ctx, deadline)
			err = settle(settleCtx, "answers", e.pendingNotes)
			cancel()
			if err == nil {
				return e.checkVisitors(ctx, v)
			}
		}
		if errors.Is(err, errTwice) || time.Now().After(deadline) {
			return fmt.Errorf("%d visitors: %w", len(v), err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// checkVisitors says what is missing or doubled: each visitor a follower
// and a member of the club; two answers in their inbox, one of them the
// join's; the club's owner told once of each join.
func (e *Env) checkVisitors(ctx context.Context, v []visitor) error {
	if len(v) == 0 {
		return nil
	}
	c, err := e.club(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, len(v))
	for i, u := range v {
		ids[i] = u.OAUserID
	}
	var followers, members int
	if err := e.Pool.QueryRow(ctx, "SELECT count(*) FROM zalo_followers WHERE following AND oa_user_id = ANY($1)", ids).Scan(&followers); err != nil {
		return err
	}
	if err := e.Pool.QueryRow(ctx, "SELECT count(*) FROM integration_members WHERE integration_id = $1 AND removed_at IS NULL AND oa_user_id = ANY($2)",
		c.id, ids).Scan(&members); err != nil {
		return err
	}
	if followers != len(v) || members != len(v) {
		return fmt.Errorf("%d followers and %d members of record", followers, members)
	}
	told, err := e.Stack.inbox(ctx, c.owner)
	if err != nil {
		return err
	}
	for _, u := range v {
		texts, err := e.Stack.inbox(ctx, u.OAUserID)
		if err != nil {
			return err
		}
		joined := 0
		for _, t := range texts {
			if strings.HasPrefix(t, message.InviteAdded) {
				joined++
			}
		}
		switch n := count(told, message.InviteOwnerNotice(u.Name)); {
		case len(texts) > 2 || joined > 1:
			return fmt.Errorf("%s got %q: %w", u.Name, texts, errTwice)
		case n > 1:
			return fmt.Errorf("the owner was told %d times that %s joined: %w", n, u.Name, errTwice)
		case len(texts) < 2 || joined < 1:
			return fmt.Errorf("%s got %q so far", u.Name, texts)
		case n < 1:
			return fmt.Errorf("the owner was not told yet that %s joined", u.Name)
		}
	}
	return nil
}

// count is how many of texts are text.
func count(texts []string, text string) int {
	n := 0
	for _, t := range texts {
		if t == text {
			n++
		}
	}
	return n
}

// inbox is the texts the OA sent a sandbox user.
func (s *Stack) inbox(ctx context.Context, user string) ([]string, error) {
	var page struct {
		Items []struct {
			Text string `json:"text"`
		} `json:"items"`
	}
	if err := jsonhttp.Do(ctx, http.MethodGet, s.SandboxURL+"/_sandbox/users/"+user+"/inbox", "", nil, http.StatusOK, &page); err != nil {
		return nil, err
	}
	texts := make([]string, len(page.Items))
	for i, it := range page.Items {
		texts[i] = it.Text
	}
	return texts, nil
}

// pendingNotes counts the OA's answers and notices not yet settled.
func (e *Env) pendingNotes(ctx context.Context) (int, error) {
	var n int
	err := e.Pool.QueryRow(ctx, "SELECT count(*) FROM notes WHERE status = 'pending'").Scan(&n)
	return n, err
}
