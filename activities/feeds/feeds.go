// Package feeds holds the activities of the bank feeds: reading Casso back
// to record what its webhooks missed.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/ingest"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool    *db.Pool
	Box     *secret.Box // opens the sources' Casso API keys
	Casso   Casso
	Metrics *metrics.Metrics
	Now     func() time.Time
}

// Casso is the part of Casso's API read-back uses (CassoAPI).
type Casso interface {
	Transactions(ctx context.Context, apiKey, from, to string, page int) (casso.Page, error)
}

// SourcesPage asks for the sources to read back after After.
type SourcesPage struct {
	After uuid.UUID
	Max   int
}

// ReadBackSources lists the live sources holding a Casso API key, by id.
func (a *Activities) ReadBackSources(ctx context.Context, in SourcesPage) ([]uuid.UUID, error) {
	return db.New(a.Pool).ReadBackSources(ctx, db.ReadBackSourcesParams{After: in.After, MaxRows: int32(in.Max)})
}

// maxPages bounds one source's read-back: 100,000 transactions in a few
// days is beyond any shop; a Casso that never says the last page must not
// keep an activity going for ever.
const maxPages = 1000

// progress is how far a read-back went, kept in its heartbeat so that a
// retry goes on from the page it was at.
type progress struct {
	Page, Read, Recovered int
}

// ReadBack reads one source's transactions back from Casso, page by page,
// and records those its webhooks missed, each notified as any transaction
// is (via "reconcile"). A key Casso refuses is noted on the source, and
// the outcome says whom to tell while they have not been told.
func (a *Activities) ReadBack(ctx context.Context, in contract.ReadBackSource) (contract.ReadBackOutcome, error) {
	q := db.New(a.Pool)
	src, err := q.ReadBackSource(ctx, in.SourceID)
	if errors.Is(err, db.ErrNotFound) {
		return contract.ReadBackOutcome{}, nil // deleted, or its key removed, since
	} else if err != nil {
		return contract.ReadBackOutcome{}, err
	}
	key, err := a.Box.Open(src.CassoAPIKey, secret.CassoAPIKey)
	if err != nil {
		return contract.ReadBackOutcome{}, err
	}
	at := progress{Page: 1}
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &at)
	}
	for ; at.Page <= maxPages; at.Page++ {
		activity.RecordHeartbeat(ctx, at)
		page, err := a.Casso.Transactions(ctx, key, in.From, in.To, at.Page)
		var refused *KeyRefusedError
		if errors.As(err, &refused) {
			return a.refused(ctx, q, src, refused)
		} else if err != nil {
			return contract.ReadBackOutcome{}, err
		}
		recovered, err := a.record(ctx, src, page)
		if err != nil {
			return contract.ReadBackOutcome{}, err
		}
		at.Read += len(page.Records)
		at.Recovered += recovered
		if at.Page >= page.TotalPages || len(page.Records)+len(page.Bad) == 0 {
			break
		}
	}
	if err := q.ReadBackDone(ctx, src.ID); err != nil {
		return contract.ReadBackOutcome{}, err
	}
	return contract.ReadBackOutcome{Read: at.Read, Recovered: at.Recovered}, nil
}

// record records a page's transactions the source has not recorded yet:
// one query finds them, and each is recorded in a transaction of its own
// (a webhook bringing it meanwhile makes it a duplicate, not a second
// one). It says how many were new.
func (a *Activities) record(ctx context.Context, src db.ReadBackSourceRow, page casso.Page) (int, error) {
	log := activity.GetLogger(ctx)
	for _, e := range page.Bad {
		log.Warn("Casso read-back: a transaction left out", "source_id", src.ID, "casso_id", e.ID, "problem", e.Err.Error())
	}
	txns := make([]ingest.Transaction, 0, len(page.Records))
	ids := make([]string, 0, len(page.Records))
	for _, r := range page.Records {
		t := ingest.FromCasso(r)
		if err := t.Check(ingest.Cut, a.Now()); err != nil {
			log.Warn("Casso read-back: a transaction left out", "source_id", src.ID, "casso_id", r.ID, "problem", err.Error())
			continue
		}
		txns = append(txns, t)
		ids = append(ids, t.ExternalID)
	}
	q := db.New(a.Pool)
	known, err := q.KnownExternalIDs(ctx, db.KnownExternalIDsParams{SourceID: src.ID, ExternalIds: ids})
	if err != nil {
		return 0, err
	}
	seen := make(map[string]bool, len(known))
	for _, id := range known {
		seen[id] = true
	}
	feed := ingest.Feed(src.WorkspaceID, src.ID, db.TransactionViaReconcile)
	recovered := 0
	for _, t := range txns {
		if seen[t.ExternalID] {
			continue
		}
		var rec ingest.Recorded
		err := db.InTx(ctx, a.Pool, func(q *db.Queries) error {
			rec, err = ingest.Record(ctx, q, feed, t)
			return err
		})
		if errors.Is(err, ingest.ErrReusedID) {
			log.Warn("Casso read-back: a transaction id reused", "source_id", src.ID, "external_id", t.ExternalID, "transaction_id", rec.ID)
			continue
		} else if err != nil {
			return recovered, fmt.Errorf("recording %s: %w", t.ExternalID, err)
		}
		if !rec.Duplicate {
			recovered++
			a.Metrics.Ingested.WithLabelValues("casso_read_back", "false").Inc()
			log.Warn("Casso read-back recovered a transaction its webhooks missed",
				"source_id", src.ID, "external_id", t.ExternalID, "transaction_id", rec.ID)
		}
	}
	return recovered, nil
}

// refused notes on the source that Casso refused its key and, unless its
// owners were told of this refusal, says whom to tell: one notice per
// owner among the workspace's active integrations, keyed by the source
// and when the refusal began.
func (a *Activities) refused(ctx context.Context, q *db.Queries, src db.ReadBackSourceRow, e *KeyRefusedError) (contract.ReadBackOutcome, error) {
	activity.GetLogger(ctx).Warn("Casso refused a source's API key", "source_id", src.ID, "status", e.Status)
	r, err := q.ReadBackRefused(ctx, db.ReadBackRefusedParams{ID: src.ID, SyncError: e.Error()})
	if err != nil {
		return contract.ReadBackOutcome{}, err
	}
	out := contract.ReadBackOutcome{RefusedSince: r.Since}
	if r.Told {
		return out, nil
	}
	owners, err := q.SourceOwners(ctx, src.ID)
	if err != nil {
		return contract.ReadBackOutcome{}, err
	}
	for _, integration := range owners {
		out.Tell = append(out.Tell, contract.OwnerNotice{
			IntegrationID: integration, Kind: contract.NoticeCassoKeyRefused, About: src.ID.String()[:8],
			Key: src.ID.String() + ":" + r.Since.UTC().Format(time.RFC3339),
		})
	}
	return out, nil
}

// ReadBackTold marks a source's owners told of its key's refusal.
func (a *Activities) ReadBackTold(ctx context.Context, in contract.ReadBackTold) error {
	return db.New(a.Pool).ReadBackRefusalTold(ctx, db.ReadBackRefusalToldParams{ID: in.SourceID, Since: in.Since})
}
