package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// The floor is tingting's notification with nothing inside: a workflow of
// the shape issue 17 defines — a plan local activity, then one local
// activity per recipient, in parallel (NotifyTransaction now sends a
// transaction's deliveries in one) — whose activities do nothing but
// note that they ran, started the way tingting starts NotifyTransaction,
// with the same search attributes, on the same server, by a process of
// its own (an HTTP ingest and a worker: `tingting-dev bench floor`). It
// measures what Temporal itself allows on this machine, for tingting to
// be compared with.

// FloorTaskQueue is the floor's own task queue, apart from tingting's.
const FloorTaskQueue = "tingting-bench-floor"

// FloorWorkflowName is the floor workflow's registered type.
const FloorWorkflowName = "BenchFloor"

// FloorInput names the transaction, as NotifyInput does.
type FloorInput struct {
	ExternalID string
}

// FloorResult counts the recipients whose activity completed.
type FloorResult struct {
	Sent int
}

// FloorPlan is what the plan activity returns: every recipient.
type FloorPlan struct {
	Recipients []string
}

// FloorSendInput is one recipient's activity.
type FloorSendInput struct {
	ExternalID string
	Recipient  string
}

// The floor's activity options are NotifyTransaction's (workflows/notify.go),
// except that a failing send keeps retrying locally where tingting's turns
// into a regular activity after three attempts: the floor's never fail.
var (
	floorPlanOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	floorSendOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	}
)

// FloorWorkflow plans, then runs every recipient's activity in parallel.
func FloorWorkflow(ctx workflow.Context, in FloorInput) (FloorResult, error) {
	var a *FloorActivities
	var plan FloorPlan
	planCtx := workflow.WithLocalActivityOptions(ctx, floorPlanOptions)
	if err := workflow.ExecuteLocalActivity(planCtx, a.Plan, in).Get(ctx, &plan); err != nil {
		return FloorResult{}, err
	}
	var res FloorResult
	wg := workflow.NewWaitGroup(ctx)
	sendCtx := workflow.WithLocalActivityOptions(ctx, floorSendOptions)
	for _, to := range plan.Recipients {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			err := workflow.ExecuteLocalActivity(sendCtx, a.Send, FloorSendInput{ExternalID: in.ExternalID, Recipient: to}).Get(ctx, nil)
			if err == nil {
				res.Sent++
			}
		})
	}
	wg.Wait(ctx)
	return res, nil
}

// FloorActivities are the floor's activities: they look nothing up and
// send nothing.
type FloorActivities struct {
	Recipients []string
	Pacer      *rate.Limiter // ZALO_SEND_RATE, as tingting's sends
	Log        *MessageLog
}

// Plan returns every recipient.
func (a *FloorActivities) Plan(ctx context.Context, in FloorInput) (FloorPlan, error) {
	return FloorPlan{Recipients: a.Recipients}, nil
}

// Send waits for its turn (if sends are paced) and notes a message.
func (a *FloorActivities) Send(ctx context.Context, in FloorSendInput) error {
	if err := a.Pacer.Wait(ctx); err != nil {
		return err
	}
	a.Log.Add(in.Recipient, in.ExternalID)
	return nil
}

// MessageLog is the floor's record of "messages", served as the sandbox
// serves its own (GET /_sandbox/messages?offset=N), so one collector reads
// both.
type MessageLog struct {
	mu    sync.Mutex
	items []loggedMessage
}

type loggedMessage struct {
	UserID     string    `json:"user_id"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
}

// Add notes a message to userID now.
func (l *MessageLog) Add(userID, text string) {
	l.mu.Lock()
	l.items = append(l.items, loggedMessage{UserID: userID, Text: text, ReceivedAt: time.Now()})
	l.mu.Unlock()
}

func (l *MessageLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	l.mu.Lock()
	items := l.items[min(max(offset, 0), len(l.items)):]
	l.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
}

// FloorShop is what the floor's starts need to know of the shop: the
// search attributes' values and the recipients.
type FloorShop struct {
	WorkspaceID, BankAccountID uuid.UUID
	IntegrationIDs             []string
	Recipients                 []string
	// SearchAttributes is how many of tingting's four search attributes
	// the floor sets (WorkspaceId, BankAccountId, TransactionId,
	// IntegrationId, in that order), to measure what each costs.
	SearchAttributes int
}

// startFloor starts a transaction's floor workflow as tingting's outbox
// dispatcher (worker/dispatch.go) starts NotifyTransaction: the
// transaction's workflow id, REJECT_DUPLICATE, the four search attributes,
// eager start from a process that runs the worker, an already-started
// workflow being no error. Keep the two in step. (The floor starts in the
// ingest's request: the outbox is tingting's own cost, which the floor
// leaves out.)
func startFloor(ctx context.Context, c client.Client, shop FloorShop, externalID string) error {
	transaction := uuid.NewSHA1(shop.BankAccountID, []byte(externalID)) // as stable as a row's id
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       "floor:" + shop.BankAccountID.String() + ":" + externalID,
		TaskQueue:                                FloorTaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		EnableEagerStart:                         true, // as tingting's dispatcher: the worker shares this client
		TypedSearchAttributes: temporal.NewSearchAttributes([]temporal.SearchAttributeUpdate{
			contract.WorkspaceIDKey.ValueSet(shop.WorkspaceID.String()),
			contract.BankAccountIDKey.ValueSet(shop.BankAccountID.String()),
			contract.TransactionIDKey.ValueSet(transaction.String()),
			contract.IntegrationIDKey.ValueSet(shop.IntegrationIDs),
		}[:shop.SearchAttributes]...),
	}, FloorWorkflowName, FloorInput{ExternalID: externalID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err == nil || errors.As(err, &started) {
		return nil
	}
	return err
}

// floorServer is the floor process's HTTP side.
type floorServer struct {
	temporal client.Client
	shop     FloorShop
	log      *MessageLog
	errs     *slog.Logger
}

func (s *floorServer) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/transactions", s.ingest)
	mux.Handle("GET /_sandbox/messages", s.log)
	mux.HandleFunc("GET /running", s.running)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
	return mux
}

// ingest starts the posted transaction's workflow and answers 202, as
// tingting's POST /v1/transactions does once its workflow is started.
func (s *floorServer) ingest(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ExternalID string `json:"external_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ExternalID == "" {
		http.Error(w, "bad transaction", http.StatusBadRequest)
		return
	}
	if err := startFloor(r.Context(), s.temporal, s.shop, req.ExternalID); err != nil {
		s.errs.ErrorContext(r.Context(), "starting the floor workflow", "external_id", req.ExternalID, "error", err)
		http.Error(w, "not started", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// running counts the floor workflows still open, as visibility sees them.
func (s *floorServer) running(w http.ResponseWriter, r *http.Request) {
	res, err := s.temporal.CountWorkflow(r.Context(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("TaskQueue = %q AND ExecutionStatus = 'Running'", FloorTaskQueue)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int64{"running": res.GetCount()})
}

// RunFloor is `tingting-dev bench floor`: the floor's ingest and worker in
// one process, on TEMPORAL_ADDRESS, paced by ZALO_SEND_RATE, until ctx
// ends. The bench starts it; its flags describe the shop.
func RunFloor(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "HTTP address: POST /v1/transactions, GET /_sandbox/messages, GET /running, GET /readyz")
	workspace := fs.String("workspace", "", "workspace id (search attribute WorkspaceId)")
	bankAccount := fs.String("bank-account", "", "bank account id (search attribute BankAccountId, and in the workflow id)")
	integrations := fs.String("integrations", "", "comma-separated integration ids (search attribute IntegrationId)")
	recipients := fs.String("recipients", "", "comma-separated recipients: one activity each")
	attributes := fs.Int("search-attributes", 4, "how many of tingting's four search attributes to set (0 to 4), to measure their cost")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var shop FloorShop
	var err error
	if shop.WorkspaceID, err = uuid.Parse(*workspace); err != nil {
		return fmt.Errorf("bench floor: -workspace: %w", err)
	}
	if shop.BankAccountID, err = uuid.Parse(*bankAccount); err != nil {
		return fmt.Errorf("bench floor: -bank-account: %w", err)
	}
	shop.IntegrationIDs = splitList(*integrations)
	shop.Recipients = splitList(*recipients)
	shop.SearchAttributes = *attributes
	if len(shop.Recipients) == 0 {
		return errors.New("bench floor: -recipients is required")
	}
	if shop.SearchAttributes < 0 || shop.SearchAttributes > 4 {
		return errors.New("bench floor: -search-attributes is 0 to 4")
	}
	sendRate, err := parseSendRate(getenv("ZALO_SEND_RATE"))
	if err != nil {
		return err
	}
	address, namespace := getenv("TEMPORAL_ADDRESS"), getenv("TEMPORAL_NAMESPACE")
	if address == "" {
		address = "127.0.0.1:7233"
	}
	if namespace == "" {
		namespace = "default"
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// Dialled as tingting dials (cmd/internal/app), no gzip, but without its
	// payload codec: the floor is Temporal's cost, and sealing payloads is
	// tingting's (docs/BENCHMARKS.md).
	c, err := client.DialContext(ctx, client.Options{HostPort: address, Namespace: namespace,
		Logger:            tlog.NewStructuredLogger(logger),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
	if err != nil {
		return fmt.Errorf("temporal at %s: %w", address, err)
	}
	defer c.Close()
	p := newPacer(sendRate)
	msgs := &MessageLog{}
	w := worker.New(c, FloorTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(FloorWorkflow, workflow.RegisterOptions{Name: FloorWorkflowName})
	w.RegisterActivity(&FloorActivities{Recipients: shop.Recipients, Pacer: p, Log: msgs})
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: (&floorServer{temporal: c, shop: shop, log: msgs, errs: logger}).routes(),
		ReadHeaderTimeout: 10 * time.Second}
	var g errgroup.Group
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	})
	return g.Wait()
}

// parseSendRate reads ZALO_SEND_RATE: sends per second, empty or 0 for no limit.
func parseSendRate(v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 {
		return 0, fmt.Errorf("ZALO_SEND_RATE=%q: want sends per second, 0 for no limit", v)
	}
	return r, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
