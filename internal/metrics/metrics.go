// Package metrics holds tingting's Prometheus metrics: one Metrics per
// process, served at /metrics.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the numbers an operator watches.
type Metrics struct {
	registry *prometheus.Registry

	// Ingested counts transactions received, by source (api, casso_v1,
	// casso_v2, sepay; casso_read_back for what read-back recovered) and
	// whether they were duplicates.
	Ingested *prometheus.CounterVec
	// Messages counts deliveries by final outcome (sent, skipped, failed)
	// and reason.
	Messages *prometheus.CounterVec
	// IngestToSent is the time from a transaction's arrival to Zalo
	// accepting its message.
	IngestToSent prometheus.Histogram
	// ZaloCalls times each call to Zalo's message API by route and result.
	ZaloCalls *prometheus.HistogramVec

	// OutboxWaiting and OutboxOldest are what the outbox holds: recorded
	// work whose workflow has not started (Temporal away, or a backlog).
	OutboxWaiting prometheus.Gauge
	OutboxOldest  prometheus.Gauge
	// OutboxParked is the work whose start Temporal refused for good, set
	// aside until an operator runs `tingting outbox retry`.
	OutboxParked prometheus.Gauge
	// OutboxStarted and OutboxStartFailures count starts by kind.
	OutboxStarted       *prometheus.CounterVec
	OutboxStartFailures *prometheus.CounterVec

	// WebhooksRefused counts webhooks answered with an error, by webhook
	// (zalo, casso) and error code (bad_signature, rate_limited…).
	WebhooksRefused *prometheus.CounterVec

	// OARefreshUncertain counts OA token refreshes whose answer was lost.
	OARefreshUncertain prometheus.Counter
	// InDoubt counts sends whose answer was lost, by how they were
	// settled: found (in the conversation, or by a receipt), resent
	// (evidence showed it never arrived), unchecked, or maybe_duplicate
	// (sent again for want of evidence).
	InDoubt *prometheus.CounterVec

	// RoutePauses counts the times a route was stopped for the whole OA,
	// by route and Zalo's code; RoutesPaused is how many are stopped now,
	// as this process last read them.
	RoutePauses  *prometheus.CounterVec
	RoutesPaused prometheus.Gauge
	// CostVND sums what the alerts sent cost, by route.
	CostVND *prometheus.CounterVec
	// OAHealthy is 1 when getoa last showed the OA verified, with a
	// package and a linked paying account; 0 when a piece was missing.
	OAHealthy prometheus.Gauge
}

// New registers tingting's metrics and the Go runtime's.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		registry: r,
		Ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tingting_transactions_ingested_total", Help: "Transactions received, by source and whether they were seen before.",
		}, []string{"source", "duplicate"}),
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tingting_messages_total", Help: "Deliveries by final outcome and reason.",
		}, []string{"outcome", "reason"}),
		IngestToSent: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tingting_ingest_to_sent_seconds", Help: "From a transaction's arrival to Zalo accepting its message.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600},
		}),
		ZaloCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tingting_zalo_call_seconds", Help: "Calls to Zalo's message API, by route and result.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "result"}),
	}
	m.OutboxWaiting = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tingting_outbox_waiting", Help: "Recorded work (transactions, Zalo events, redeliveries) whose workflow has not started yet.",
	})
	m.OutboxOldest = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tingting_outbox_oldest_seconds", Help: "How long the oldest recorded work has waited for its workflow to start.",
	})
	m.OutboxParked = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tingting_outbox_parked", Help: "Recorded work whose workflow Temporal refused to start for good, waiting for `tingting outbox retry`.",
	})
	m.OutboxStarted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_outbox_started_total", Help: "Workflows started from the outbox, by kind.",
	}, []string{"kind"})
	m.OutboxStartFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_outbox_start_failures_total", Help: "Workflow starts that failed and wait to be tried again, by kind.",
	}, []string{"kind"})
	m.WebhooksRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_webhooks_refused_total", Help: "Webhooks answered with an error, by webhook (zalo, casso) and error code.",
	}, []string{"webhook", "code"})
	m.OARefreshUncertain = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tingting_oa_refresh_uncertain_total", Help: "OA token refreshes whose answer was lost (the refresh token may be spent).",
	})
	m.InDoubt = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_in_doubt_total", Help: "Sends whose answer was lost, by how they were settled: found (it had arrived), resent, unchecked, maybe_duplicate (no evidence in time: sent again).",
	}, []string{"resolution"})
	m.RoutePauses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_route_pauses_total", Help: "Times a route was stopped for the whole OA until a person acts, by route and Zalo's code.",
	}, []string{"route", "code"})
	m.RoutesPaused = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tingting_routes_paused", Help: "Routes stopped for the whole OA now (readyz says degraded).",
	})
	m.CostVND = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tingting_cost_vnd_total", Help: "What the alerts sent cost, in đồng, by route.",
	}, []string{"route"})
	m.OAHealthy = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tingting_oa_healthy", Help: "1 when getoa last showed the OA verified, with a package and a linked paying account.",
	})
	r.MustRegister(m.RoutePauses, m.RoutesPaused, m.CostVND, m.OAHealthy)
	r.MustRegister(m.Ingested, m.Messages, m.IngestToSent, m.ZaloCalls, m.OARefreshUncertain, m.InDoubt,
		m.OutboxWaiting, m.OutboxOldest, m.OutboxParked, m.OutboxStarted, m.OutboxStartFailures, m.WebhooksRefused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveZalo records one Zalo call that started at start.
func (m *Metrics) ObserveZalo(route, result string, start time.Time) {
	m.ZaloCalls.WithLabelValues(route, result).Observe(time.Since(start).Seconds())
}
