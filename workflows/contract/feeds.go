package contract

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Casso read-back: what the webhooks missed, read from Casso's API.
const (
	// ReadBackName reads Casso back, for every source holding a Casso API
	// key (the schedule's runs) or the ones named (POST
	// /v1/webhook-sources/{id}/sync).
	ReadBackName = "CassoReadBack"
	// ReadBackScheduleID runs it every CASSO_READ_BACK_EVERY.
	ReadBackScheduleID = "tingting-casso-read-back"
	// NoticeCassoKeyRefused tells an owner that Casso refused a source's
	// API key: read-back cannot recover what the webhooks miss.
	NoticeCassoKeyRefused = "casso_key_refused"
)

// ReadBackWorkflowID is the id of a read-back asked for one source: a
// second ask while it runs joins it.
func ReadBackWorkflowID(sourceID uuid.UUID) string { return "casso-read-back:" + sourceID.String() }

// ReadBackStartOptions start a source's read-back, or join the one running.
func ReadBackStartOptions(sourceID uuid.UUID) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       ReadBackWorkflowID(sourceID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// ReadBackDates are the days a read-back reads, as Casso's API takes them
// (YYYY-MM-DD, Vietnam, both included): today and the days before it.
func ReadBackDates(now time.Time, days int) (from, to string) {
	today := now.In(vntime.Zone)
	return today.AddDate(0, 0, -days).Format(time.DateOnly), today.Format(time.DateOnly)
}

// ReadBackInput says which sources and which days a read-back reads. The
// schedule's runs name neither: every source holding a key, Days back
// from the day the run starts.
type ReadBackInput struct {
	SourceIDs []uuid.UUID `json:",omitempty"`
	From, To  string      `json:",omitempty"` // YYYY-MM-DD, Vietnam
	Days      int         `json:",omitempty"`
	// After and Done carry a run of every source across continue-as-new:
	// the last source read and the sum so far.
	After uuid.UUID
	Done  ReadBackResult
}

// ReadBackResult sums a read-back up.
type ReadBackResult struct {
	Sources   int // sources read
	Read      int // transactions Casso listed
	Recovered int // of them, recorded now: what the webhooks had missed
	Refused   int // sources whose key Casso refused
}

// ReadBackSource is one source's read-back.
type ReadBackSource struct {
	SourceID uuid.UUID
	From, To string
}

// ReadBackOutcome is what reading one source back found.
type ReadBackOutcome struct {
	Read, Recovered int
	// RefusedSince: Casso refused the key, since then (zero: it did not).
	RefusedSince time.Time `json:",omitzero"`
	// Tell are the notices of that refusal, if its owners were not told
	// yet; once started, mark them told (ReadBackTold).
	Tell []OwnerNotice `json:",omitempty"`
}

// ReadBackTold marks the owners told of a source's refusal since Since.
type ReadBackTold struct {
	SourceID uuid.UUID
	Since    time.Time
}
