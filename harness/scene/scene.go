// Package scene is a shop for tests: a workspace with a bank account and
// one integration (an owner who follows the OA, and a member), on a real
// database, with the sandbox Zalo over real HTTP and the real activities
// wired to both, as the worker wires them.
package scene

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/activities/oa"
	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/oatoken"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/worker"
	"github.com/tingting-vn/tingting/zalo"
	"github.com/tingting-vn/tingting/zalosim"
)

// Token is the OA access token the sandbox issues and the scene stores.
const Token = "oa-token"

// Options shape a scene; the zero value is a member who follows, real
// time, and the default routes without a night.
type Options struct {
	// MemberAway: the member does not follow the OA.
	MemberAway bool
	// NoMember: the integration has its owner only.
	NoMember bool
	// Now is the clock of the sandbox and the activities (default
	// time.Now).
	Now func() time.Time
	// Routes is the route policy (default: route.Default()).
	Routes *route.Policy
	// Business is the workspace's name (default "Shop").
	Business string
}

// Scene is the shop and what runs it. Change Deps, then Rewire, to run the
// activities another way.
type Scene struct {
	Pool   *db.Pool
	Sim    *zalosim.Sim
	SimURL string
	Tokens *oatoken.Store
	Owner  zalosim.User
	Member zalosim.User // zero with NoMember
	Integ  db.CreateIntegrationRow
	Acct   db.BankAccount

	// SimShift is added to the sandbox's clock (real time scenes only).
	SimShift atomic.Int64
	// WindowAsks counts the calls asking Zalo a user's chat window
	// (quota/message) the sandbox answered.
	WindowAsks atomic.Int64
	// between, when set, stands between the activities and the sandbox
	// (Between).
	between atomic.Pointer[Middle]

	Deps worker.Deps
	Acts worker.Activities
	// Env runs Acts as Temporal runs activities (ExecuteActivity,
	// ExecuteLocalActivity).
	Env *testsuite.TestActivityEnvironment
}

// New builds a scene for t; everything it starts ends with t.
func New(t testing.TB, o Options) *Scene {
	t.Helper()
	ctx := context.Background()
	s := &Scene{Pool: testenv.Pool(t)}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	s.Sim = zalosim.New(zalosim.Config{
		OAAccessToken: Token, OARefreshToken: "refresh", AccessTokenTTL: 365 * 24 * time.Hour,
		Now: func() time.Time { return now().Add(time.Duration(s.SimShift.Load())) },
	})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/quota/message") {
			s.WindowAsks.Add(1)
		}
		if m := s.between.Load(); m != nil && (*m)(rw, r, s.Sim) {
			return
		}
		s.Sim.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	s.SimURL = srv.URL

	s.Owner = s.Sim.CreateUser("Chủ", true)
	var members []seed.Person
	if !o.NoMember {
		s.Member = s.Sim.CreateUser("Nhân viên", !o.MemberAway)
		members = append(members, person(s.Member))
	}
	business := o.Business
	if business == "" {
		business = "Shop"
	}
	ws, _, err := apikey.CreateWorkspace(ctx, s.Pool, business)
	require.NoError(t, err)
	s.Acct, err = db.New(s.Pool).CreateBankAccount(ctx, db.CreateBankAccountParams{WorkspaceID: ws.ID, AccountNumber: "111", BankName: "VPBank"})
	require.NoError(t, err)
	s.Integ, err = seed.CreateIntegration(ctx, s.Pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{s.Acct.ID}, Owner: person(s.Owner), Members: members,
	})
	require.NoError(t, err)

	box, err := secret.New(make([]byte, 32))
	require.NoError(t, err)
	s.Tokens = &oatoken.Store{Pool: s.Pool, Box: box}
	require.NoError(t, s.Tokens.Put(ctx, Token, "refresh", time.Now().Add(25*time.Hour), false))

	routes := route.Default()
	if o.Routes != nil {
		routes = *o.Routes
	}
	s.Deps = worker.Deps{
		Pool: s.Pool, Zalo: s.Zalo(zalo.Config{}), Tokens: s.Tokens, Box: box, Refresher: noRefresher{t},
		Metrics: metrics.New(), Now: now, Routes: routes, Prices: send.Prices{Free: 48 * time.Hour, Price: 55},
		Doubt: send.DoubtPolicy{Wait: time.Second, GiveUp: time.Minute, TemplatesListed: true},
	}
	s.Rewire()
	return s
}

func person(u zalosim.User) seed.Person {
	return seed.Person{OAUserID: u.OAUserID, AppUserID: u.AppUserID, Name: u.Name}
}

// Rewire builds the activities again from Deps, and an Env that runs them.
func (s *Scene) Rewire() {
	s.Acts = worker.NewActivities(s.Deps)
	var ts testsuite.WorkflowTestSuite
	s.Env = ts.NewTestActivityEnvironment()
	s.Acts.Register(s.Env)
}

// Zalo is a Zalo client of the sandbox, configured as c otherwise.
func (s *Scene) Zalo(c zalo.Config) *zalo.Client {
	c.OAuthURL, c.OpenAPIURL, c.ZNSURL = s.SimURL, s.SimURL, s.SimURL
	return zalo.NewClient(c)
}

// Impatient makes the activities' Zalo client give up waiting for an
// answer after 300 ms, and look for a message whose answer was lost a
// second after its send began: with the sandbox's latency above 300 ms,
// Zalo delivers what the client has given up on.
func (s *Scene) Impatient() {
	s.Deps.Zalo = s.Zalo(zalo.Config{HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}})
	s.Deps.Doubt.Check, s.Deps.Doubt.Wait = true, time.Second
	s.Rewire()
}

// UseTemplate gives the sandbox's OA the template, has the OA's templates
// read as maintenance reads them, and makes it the integration's, its
// parameters filled by the fields mapping names (parameter → field).
func (s *Scene) UseTemplate(t testing.TB, tpl zalosim.Template, mapping map[string]string) {
	t.Helper()
	_, err := s.Sim.SetTemplate(tpl)
	require.NoError(t, err)
	var o *oa.Activities
	_, err = s.Env.ExecuteActivity(o.SyncTemplates)
	require.NoError(t, err)
	params, err := json.Marshal(mapping)
	require.NoError(t, err)
	_, err = db.New(s.Pool).SetIntegrationTemplate(context.Background(), db.SetIntegrationTemplateParams{ID: s.Integ.ID, TemplateID: tpl.ID, TemplateParams: params})
	require.NoError(t, err)
}

// Middle handles a call to the sandbox in its stead (true), given the
// sandbox to pass it on to; false lets the sandbox answer.
type Middle func(w http.ResponseWriter, r *http.Request, zalo http.Handler) bool

// Between puts m between the activities and the sandbox (nil: nothing).
func (s *Scene) Between(m Middle) {
	if m == nil {
		s.between.Store(nil)
		return
	}
	s.between.Store(&m)
}

// Garbles is a Middle for path: Zalo does the call, and the answer that
// comes back is status with a body that is not Zalo's (a proxy's 502, a
// 200 cut short).
func Garbles(path string, status int, body string) Middle {
	return func(w http.ResponseWriter, r *http.Request, zalo http.Handler) bool {
		if r.URL.Path != path {
			return false
		}
		zalo.ServeHTTP(httptest.NewRecorder(), r)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	}
}

// Drops is a Middle for path: the request is read and never reaches Zalo,
// and no answer comes (the client gives up: in doubt).
func Drops(path string) Middle {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
		if r.URL.Path != path {
			return false
		}
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return true
	}
}

// Pay records a transaction of amount with memo, at the scene's clock.
func (s *Scene) Pay(t testing.TB, amount int64, memo string) uuid.UUID {
	t.Helper()
	txn, err := db.New(s.Pool).RecordTransaction(context.Background(), db.RecordTransactionParams{
		WorkspaceID: s.Acct.WorkspaceID, BankAccountID: s.Acct.ID, ExternalID: uuid.NewString(),
		Amount: amount, Description: memo, OccurredAt: s.Deps.Now(),
	})
	require.NoError(t, err)
	return txn.ID
}

// Interacted sets when a user last interacted with the OA, as the
// follower table believes it.
func (s *Scene) Interacted(t testing.TB, u zalosim.User, at time.Time) {
	t.Helper()
	_, err := s.Pool.Exec(context.Background(), "UPDATE zalo_followers SET last_interaction_at = $1 WHERE oa_user_id = $2", at, u.OAUserID)
	require.NoError(t, err)
}

// noRefresher fails the test: scenes never present a stale token unless
// a test means to (and sets Deps.Refresher).
type noRefresher struct{ t testing.TB }

func (n noRefresher) RequestRefresh(context.Context, int64) error {
	n.t.Error("unexpected OA token refresh")
	return errors.New("no refresh in this test")
}

var _ send.Refresher = noRefresher{}
