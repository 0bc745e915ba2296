package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/codec"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Dispatcher starts a workflow for every row of the outbox: what the API
// recorded (a transaction, a Zalo event, a delivery to send again) in the
// same database transaction as the row itself. It starts them as soon as
// they are committed (Postgres NOTIFY wakes it) and, while Temporal is
// away, keeps them until it answers, so no client ever has to retry. Any
// number of dispatchers can run: each leases its rows.
type Dispatcher struct {
	Pool     *db.Pool
	Temporal client.Client
	Log      *slog.Logger
	Metrics  *metrics.Metrics
	// SendRate is ZALO_SEND_RATE (0: sends are not paced, and every
	// notification is fresh).
	SendRate float64
	// Weights are ZALO_SEND_WEIGHTS: each workspace's share of the fresh
	// lane and, as its Temporal fairness weight, of the send queue.
	Weights map[uuid.UUID]float64

	fresh *freshLane
}

const (
	// batch rows are leased at a time, newest first so fresh work never
	// waits behind a backlog, plus batch/4 of the oldest so a backlog that
	// never stops growing cannot starve its oldest rows.
	batch = 64
	// lease is how long leased rows are hidden from other dispatchers: far
	// longer than starting them takes, short enough that a dispatcher
	// that died mid-batch delays its rows by seconds.
	lease = 30 * time.Second
	// poll is how often a dispatcher looks without being woken: for rows
	// whose start failed, and for a NOTIFY lost with a connection.
	poll = time.Second
	// startTimeout bounds one workflow start.
	startTimeout = 5 * time.Second
	// starting is how many starts are in flight at once: as many posts as
	// the bench's floor keeps in flight. A start waits for the server to
	// write the new workflow, a quarter of a second under load, and 16 at
	// once held a run's ceiling to 63 tx/s (docs/BENCHMARKS.md).
	starting = 64
)

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.fresh = newFreshLane(d.SendRate, d.Weights)
	wake := make(chan struct{}, 1)
	go d.listen(ctx, wake)
	var observed time.Time
	for {
		full, err := d.dispatch(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("outbox dispatch failed; retrying", "error", err)
		}
		// The gauges count the whole outbox: once a poll is enough, not
		// after every batch of a backlog.
		if time.Since(observed) >= poll {
			d.observe(ctx)
			observed = time.Now()
		}
		if full {
			continue // more is waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(poll):
		}
	}
}

// listen turns the outbox's NOTIFY into wake-ups, on a connection of its
// own, reconnecting when it is lost.
func (d *Dispatcher) listen(ctx context.Context, wake chan<- struct{}) {
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		d.Log.Warn("listening for outbox notifications failed; reconnecting", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

func (d *Dispatcher) listenOnce(ctx context.Context, wake chan<- struct{}) error {
	conn, err := pgx.ConnectConfig(ctx, d.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN tingting_outbox"); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		select {
		case wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// dispatch leases due rows and starts their workflows; full says a whole
// batch was due, so more may be.
func (d *Dispatcher) dispatch(ctx context.Context) (full bool, err error) {
	q := db.New(d.Pool)
	rows, err := q.LeaseWork(ctx, db.LeaseWorkParams{LeaseSeconds: lease.Seconds(), Newest: true, MaxRows: batch})
	if err != nil {
		return false, err
	}
	full = len(rows) == batch
	oldest, err := q.LeaseWork(ctx, db.LeaseWorkParams{LeaseSeconds: lease.Seconds(), Newest: false, MaxRows: batch / 4})
	if err != nil {
		return full, err
	}
	rows = append(rows, oldest...)
	if len(rows) == 0 {
		return false, nil
	}
	starts, err := d.starts(ctx, rows)
	if err != nil {
		return full, err
	}
	backlog := d.lanes(rows, starts)

	var (
		mu     sync.Mutex
		done   []uuid.UUID
		failed = map[time.Duration][]uuid.UUID{}
		parked []parkedRow
		last   error
		wg     sync.WaitGroup
		slots  = make(chan struct{}, starting)
	)
	for _, r := range rows {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			err := d.start(ctx, r, starts, backlog[r.ID])
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				done = append(done, r.ID)
				d.Metrics.OutboxStarted.WithLabelValues(string(r.Kind)).Inc()
				return
			}
			d.Metrics.OutboxStartFailures.WithLabelValues(string(r.Kind)).Inc()
			if permanent(err) && r.Attempts >= parkAfter {
				parked = append(parked, parkedRow{r, err})
				return
			}
			last = err
			delay := retryDelay(r.Attempts)
			failed[delay] = append(failed[delay], r.ID)
		}()
	}
	wg.Wait()
	if err := q.FinishWork(ctx, done); err != nil {
		return full, fmt.Errorf("marking %d started: %w", len(done), err) // their leases run out; starting again is a no-op
	}
	for _, p := range parked {
		if err := q.ParkWork(ctx, db.ParkWorkParams{ID: p.row.ID, LastError: p.err.Error()}); err != nil {
			return full, err // its lease runs out and it is tried, and parked, again
		}
		d.Log.Error("outbox row parked: Temporal refuses to start its workflow, and would again; fix the cause, then run `tingting outbox retry`",
			"outbox_id", p.row.ID, "kind", p.row.Kind, "ref", p.row.Ref, "error", p.err)
	}
	for delay, ids := range failed {
		if err := q.DelayWork(ctx, db.DelayWorkParams{DelaySeconds: delay.Seconds(), LastError: last.Error(), Ids: ids}); err != nil {
			return full, err
		}
	}
	if last != nil {
		return false, fmt.Errorf("%d of %d starts failed: %w", countAll(failed), len(rows), last)
	}
	return full, nil
}

// parkedRow is a leased row whose start failed for good, and why.
type parkedRow struct {
	row db.LeaseWorkRow
	err error
}

// parkAfter is how many times in a row Temporal must refuse a start as
// invalid before its row is parked: a refusal that comes of the request
// itself comes every time, and one a server gave while it was starting up
// is not taken for it.
const parkAfter = 3

// permanent says whether a start failed for good: Temporal refused the
// request itself (search attributes or an input past its limits, a
// malformed request), which the same request will meet every time; any
// other failure (Temporal away, a timeout) passes.
func permanent(err error) bool {
	var invalid *serviceerror.InvalidArgument
	return errors.As(err, &invalid) || errors.Is(err, errUnknownKind)
}

var errUnknownKind = errors.New("unknown outbox kind")

// retryDelay backs off a row whose start failed: 1 s, 2 s, 4 s, then every 5 s,
// so a row is started within seconds of Temporal coming back.
func retryDelay(attempts int32) time.Duration {
	return min(time.Duration(1<<min(attempts-1, 4))*time.Second, 5*time.Second)
}

func countAll(m map[time.Duration][]uuid.UUID) int {
	n := 0
	for _, ids := range m {
		n += len(ids)
	}
	return n
}

// starts reads what starting the leased transactions' workflows takes.
func (d *Dispatcher) starts(ctx context.Context, rows []db.LeaseWorkRow) (map[uuid.UUID]db.NotifyStartsRow, error) {
	var ids []uuid.UUID
	for _, r := range rows {
		if r.Kind == db.OutboxKindNotify {
			ids = append(ids, r.Ref)
		}
	}
	out := map[uuid.UUID]db.NotifyStartsRow{}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := db.New(d.Pool).NotifyStarts(ctx, ids)
	for _, s := range found {
		out[s.ID] = s
	}
	return out, err
}

// lanes says which leased notifications start as a backlog, newest first
// within each shop's share of the fresh lane: the newest payment is the
// one an owner is waiting to see.
func (d *Dispatcher) lanes(rows []db.LeaseWorkRow, starts map[uuid.UUID]db.NotifyStartsRow) map[uuid.UUID]bool {
	backlog := map[uuid.UUID]bool{}
	now := time.Now()
	var shops []uuid.UUID
	for _, s := range starts {
		shops = append(shops, s.WorkspaceID)
	}
	d.fresh.ask(shops, now)
	for _, r := range slices.SortedFunc(slices.Values(rows), func(a, b db.LeaseWorkRow) int { return b.CreatedAt.Compare(a.CreatedAt) }) {
		if s, ok := starts[r.Ref]; ok && r.Kind == db.OutboxKindNotify {
			backlog[r.ID] = !d.fresh.admit(s.WorkspaceID, r.CreatedAt, int(s.Messages), now)
		}
	}
	return backlog
}

// fairness is a workspace's fairness key and weight: every task of its
// workflow and of the workflow's activities (which inherit them) takes
// its turn on a task queue by them, so that one shop's backlog does not
// hold another's sends (docs/SCALING.md). The priority key stays the
// lane's: fresh before backlog.
func (d *Dispatcher) fairness(workspace uuid.UUID) temporal.Priority {
	p := temporal.Priority{FairnessKey: workspace.String()}
	if w, ok := d.Weights[workspace]; ok {
		p.FairnessWeight = float32(w)
	}
	return p
}

// start starts one row's workflow; one that was started before counts as
// started, since its id is the row's own. What it starts for a workspace
// is sealed as that workspace's (a Zalo event is the platform's).
func (d *Dispatcher) start(ctx context.Context, r db.LeaseWorkRow, starts map[uuid.UUID]db.NotifyStartsRow, backlog bool) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	opts := client.StartWorkflowOptions{
		TaskQueue:                                contract.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		// This process runs a worker for the queue: the first workflow task
		// comes back in the start's answer, without a poll.
		EnableEagerStart: true,
	}
	var name string
	var input any
	switch r.Kind {
	case db.OutboxKindNotify:
		s, ok := starts[r.Ref]
		if !ok {
			d.Log.Warn("outbox row without its transaction; dropped", "transaction_id", r.Ref)
			return nil
		}
		ctx = codec.WithWorkspace(ctx, s.WorkspaceID)
		opts.ID = contract.TransactionWorkflowID(s.ID)
		opts.Priority = d.fairness(s.WorkspaceID)
		// The integrations are indexed at the start, with the rest, rather
		// than upserted by the workflow: one visibility write fewer.
		opts.TypedSearchAttributes = contract.NotifySearchAttributes(s.WorkspaceID, s.BankAccountID, s.ID, s.IntegrationIds)
		name, input = contract.NotifyTransactionName, contract.NotifyInput{
			TransactionID: s.ID, Backlog: backlog, OneStep: true, Messages: int(s.Messages),
		}
	case db.OutboxKindZaloEvent:
		opts.ID = contract.ZaloInboundWorkflowID(r.Ref)
		name, input = contract.ZaloInboundName, contract.InboundEvent{EventID: r.Ref}
	case db.OutboxKindRedeliver:
		ws, err := db.New(d.Pool).DeliveryWorkspace(ctx, r.Ref)
		if errors.Is(err, db.ErrNotFound) {
			d.Log.Warn("outbox row without its delivery; dropped", "delivery_id", r.Ref)
			return nil
		} else if err != nil {
			return fmt.Errorf("the delivery's workspace: %w", err)
		}
		ctx = codec.WithWorkspace(ctx, ws)
		opts.ID = contract.RedeliverWorkflowID(r.Ref, r.ID)
		opts.Priority = d.fairness(ws)
		name, input = contract.RedeliverName, contract.RedeliverInput{DeliveryID: r.Ref}
	default:
		return fmt.Errorf("%w %q", errUnknownKind, r.Kind)
	}
	_, err := d.Temporal.ExecuteWorkflow(ctx, opts, name, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// observe publishes what waits in the outbox.
func (d *Dispatcher) observe(ctx context.Context) {
	b, err := db.New(d.Pool).OutboxBacklog(ctx)
	if err != nil {
		return
	}
	d.Metrics.OutboxWaiting.Set(float64(b.Waiting))
	d.Metrics.OutboxOldest.Set(max(time.Since(b.Oldest).Seconds(), 0))
	d.Metrics.OutboxParked.Set(float64(b.Parked))
}
