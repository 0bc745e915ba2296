package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// WriteReport prints the runs as Markdown tables, with the ratio of each
// run's latency to each earlier one's (the direct baseline's, the floor's).
func WriteReport(w io.Writer, cfg Config, m Machine, results []Result) {
	fmt.Fprintf(w, "\n%s, %d cores, %d MiB, %s, Linux %s, Temporal %s (server %s), PostgreSQL %s, %s\n",
		m.CPU, m.Cores, m.MemoryMiB, m.Go, m.Kernel, m.Temporal, m.TemporalServer, m.Postgres, m.Date)
	load := cfg.Load
	offered := fmt.Sprintf("%.0f/s", load.Rate)
	if load.Rate <= 0 {
		offered = fmt.Sprintf("as fast as accepted (%d in flight)", MaxInFlight)
	}
	if load.Fresh {
		offered = fmt.Sprintf("in a burst (%d in flight), then one fresh a second until delivered", MaxInFlight)
	}
	paced := ""
	if cfg.Stack.SendRate > 0 {
		paced = fmt.Sprintf(", sends paced at %g/s", cfg.Stack.SendRate)
	}
	if shops := cfg.Shops; len(shops) > 0 {
		quiet := shops[len(shops)-1]
		fmt.Fprintf(w, "%d shops posting at once for %s, each with one integration: one %g transactions/s to %d recipients, "+
			"%d of them %g/s to %d; %d transactions, sandbox latency %s%s\n", len(shops), shops[0].Load.Duration(), shops[0].Load.Rate,
			shops[0].Recipients, len(shops)-1, quiet.Load.Rate, quiet.Recipients, load.Transactions, cfg.Latency, paced)
	} else {
		fmt.Fprintf(w, "%d transactions %s, %d integration(s) × %d recipient(s), sandbox latency %s%s\n",
			load.Transactions, offered, cfg.Integrations, cfg.Recipients, cfg.Latency, paced)
	}
	if n := quietOf(cfg.Recipients, cfg.Quiet); n > 0 {
		fmt.Fprintf(w, "%d of each integration's %d recipients quiet for tingting's run (last interaction %s ago), sandbox clock at noon in Vietnam\n",
			n, cfg.Recipients, days(QuietFor))
	}
	if len(cfg.Stack.Env) > 0 {
		fmt.Fprintf(w, "API and worker environment: %s\n", strings.Join(cfg.Stack.Env, " "))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "| mode | messages | missing | duplicates | post errors | p50 | p95 | p99 | max | transactions/s | messages/s | ingest p50 | ingest p99 |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %d/%d | %d | %d | %d | %s | %s | %s | %s | %.1f | %.1f | %s | %s |\n",
			r.Mode, r.Received, r.Expected, r.Missing, len(r.Duplicates), r.PostErrors,
			ms(Percentile(r.Latencies, 50)), ms(Percentile(r.Latencies, 95)), ms(Percentile(r.Latencies, 99)),
			ms(Percentile(r.Latencies, 100)), r.TransactionsPerSecond(), r.MessagesPerSecond(),
			ms(Percentile(r.Ingest, 50)), ms(Percentile(r.Ingest, 99)))
	}
	for i, r := range results {
		for _, base := range results[:i] {
			fmt.Fprintf(w, "\n%s / %s latency: p50 ×%.1f, p99 ×%.1f", r.Mode, base.Mode,
				ratio(Percentile(r.Latencies, 50), Percentile(base.Latencies, 50)),
				ratio(Percentile(r.Latencies, 99), Percentile(base.Latencies, 99)))
		}
	}
	fmt.Fprintln(w)

	writeZalo(w, results)
	writeChatter(w, results)

	writeShops(w, results)

	if load.Fresh {
		fmt.Fprint(w, "\nBurst: how fast it was accepted, and how long a fresh transaction posted during the drain waited:\n\n")
		fmt.Fprintln(w, "| mode | burst accepted/s | fresh transactions | fresh p50 | fresh p99 |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, r := range results {
			fmt.Fprintf(w, "| %s | %.1f | %d | %s | %s |\n", r.Mode, r.IngestPerSecond(), r.Transactions-r.Load.Transactions,
				ms(Percentile(r.Fresh, 50)), ms(Percentile(r.Fresh, 99)))
		}
	}

	names := processes(results, func(r Result) []string { return mapKeys(r.CPU) })
	fmt.Fprint(w, "\nCPU time per transaction, by process (postgres: the backends serving the stack's databases):\n\n")
	fmt.Fprintf(w, "| mode | %s | total |\n", strings.Join(names, " | "))
	fmt.Fprintf(w, "|---|%s---|\n", strings.Repeat("---|", len(names)))
	for _, r := range results {
		var total time.Duration
		fmt.Fprintf(w, "| %s |", r.Mode)
		for _, name := range names {
			total += r.CPU[name]
			fmt.Fprintf(w, " %.1f ms |", perTx(r.CPU[name], r.transactions()))
		}
		fmt.Fprintf(w, " %.1f ms |\n", perTx(total, r.transactions()))
	}

	names = processes(results, func(r Result) []string { return mapKeys(r.RSS) })
	fmt.Fprint(w, "\nPeak RSS during each run (bench: the load generator, the direct baseline):\n\n")
	fmt.Fprint(w, "| process |")
	for _, r := range results {
		fmt.Fprintf(w, " %s |", r.Mode)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(results)))
	for _, name := range names {
		fmt.Fprintf(w, "| %s |", name)
		for _, r := range results {
			fmt.Fprintf(w, " %d MiB |", r.RSS[name]/1024)
		}
		fmt.Fprintln(w)
	}
}

// writeShops prints each shop's part of the many-shops runs.
func writeShops(w io.Writer, results []Result) {
	for _, r := range results {
		if len(r.Shops) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s, shop by shop (latency: from the post to the message; a second: from the shop's first post to its last message):\n\n", r.Mode)
		fmt.Fprintln(w, "| shop | transactions | messages | missing | duplicates | transactions/s | messages/s | p50 | p99 | max |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
		for i, s := range r.Shops {
			name := fmt.Sprintf("%d", i+1)
			if s.Noisy {
				name += " (noisy)"
			}
			fmt.Fprintf(w, "| %s | %d | %d/%d | %d | %d | %.1f | %.1f | %s | %s | %s |\n", name, s.transactions(), s.Received, s.Expected,
				s.Missing, len(s.Duplicates), s.TransactionsPerSecond(), s.MessagesPerSecond(),
				ms(Percentile(s.Latencies, 50)), ms(Percentile(s.Latencies, 99)), ms(Percentile(s.Latencies, 100)))
		}
	}
}

// writeZalo prints the Zalo calls of the runs that counted them.
func writeZalo(w io.Writer, results []Result) {
	var counted []Result
	kinds := slices.Clone(zaloKinds)
	for _, r := range results {
		if r.Zalo != nil {
			counted = append(counted, r)
			for _, k := range r.Zalo.kinds() {
				if !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
	}
	if len(counted) == 0 {
		return
	}
	fmt.Fprint(w, "\nZalo message calls during the run, by kind, refused or not, and refusals by code (the sandbox's count):\n\n")
	fmt.Fprintf(w, "| mode | %s | refused | messages delivered | calls per delivered message |\n", strings.Join(kinds, " | "))
	fmt.Fprintf(w, "|---|%s---|---|---|\n", strings.Repeat("---|", len(kinds)))
	for _, r := range counted {
		fmt.Fprintf(w, "| %s |", r.Mode)
		for _, k := range kinds {
			fmt.Fprintf(w, " %d |", r.Zalo.Calls[k])
		}
		fmt.Fprintf(w, " %s | %d | %.3f |\n", r.Zalo.refusals(), r.Received, r.Zalo.CallsPer(r.Received))
	}
}

// writeChatter prints what strangers wrote during the runs they wrote in,
// and what the OA answered them.
func writeChatter(w io.Writer, results []Result) {
	header := false
	for _, r := range results {
		c := r.Chatter
		if c == nil {
			continue
		}
		if !header {
			fmt.Fprint(w, "\nCommands from people in no integration during the run, and the OA's answers to them:\n\n")
			fmt.Fprintln(w, "| mode | commands | per second | not taken | strangers | answers | strangers answered | most answers to one |")
			fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
			header = true
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %d | %d | %d | %d | %d |\n", r.Mode, c.Commands, perSecond(c.Commands, r.Window), c.Failed,
			c.Strangers, c.Answers, c.Answered, c.MostToOne)
	}
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// days is d in days, for the report.
func days(d time.Duration) string {
	return fmt.Sprintf("%g days", d.Hours()/24)
}

// processes lists the processes any result names, in the stack's order.
func processes(results []Result, names func(Result) []string) []string {
	var out []string
	for _, name := range []string{Temporal, Postgres, Sandbox, API, Worker, Floor, Bench} {
		for _, r := range results {
			if slices.Contains(names(r), name) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// JSONReport is the report -json writes: the machine, and each mode's
// numbers under its name (direct, floor, tingting).
type JSONReport struct {
	Machine Machine               `json:"machine"`
	Modes   map[string]ModeReport `json:"modes"`
}

// ModeReport is one mode's numbers. Times are in milliseconds; ingest is
// how long a POST took to answer. IngestPerSecond and the fresh
// latencies are there for burst runs only.
type ModeReport struct {
	OfferedPerSecond float64            `json:"offered_per_s"`
	Transactions     int                `json:"transactions"`
	Messages         int                `json:"messages"`
	Missing          int                `json:"missing"`
	Duplicates       int                `json:"duplicates"`
	TxPerSecond      float64            `json:"tx_per_s"`
	MsgPerSecond     float64            `json:"msg_per_s"`
	P50              float64            `json:"p50_ms"`
	P95              float64            `json:"p95_ms"`
	P99              float64            `json:"p99_ms"`
	Max              float64            `json:"max_ms"`
	IngestP50        float64            `json:"ingest_p50_ms"`
	IngestP99        float64            `json:"ingest_p99_ms"`
	CPUPerTx         map[string]float64 `json:"cpu_ms_per_tx"`
	PeakRSS          map[string]int64   `json:"peak_rss_mib"`
	IngestPerSecond  *float64           `json:"ingest_per_s,omitempty"`
	FreshP50         *float64           `json:"fresh_p50_ms,omitempty"`
	FreshP99         *float64           `json:"fresh_p99_ms,omitempty"`
	// The Zalo calls during the run, where the sandbox's count was read
	// (tingting's run): message calls by kind (refused or not), refusals
	// by Zalo error code, and message calls per message delivered.
	ZaloCalls           map[string]int `json:"zalo_calls,omitzero"`
	ZaloRefused         map[string]int `json:"zalo_refused,omitzero"`
	ZaloCallsPerMessage *float64       `json:"zalo_calls_per_message,omitempty"`
	// Chatter: what strangers wrote during the run and what the OA
	// answered them (a -chatter run).
	Chatter *ChatterReport `json:"chatter,omitempty"`
	// Shops is each shop's numbers in a many-shops run (-shops), the
	// noisy one first; the mode's missing and duplicates count them all.
	Shops []ShopReport `json:"shops,omitempty"`
}

// ChatterReport is a -chatter run's strangers: the commands they wrote
// (and those not taken), and the answers the OA sent them.
type ChatterReport struct {
	Commands  int `json:"commands"`
	Failed    int `json:"not_taken"`
	Strangers int `json:"strangers"`
	Answers   int `json:"answers"`
	Answered  int `json:"strangers_answered"`
	MostToOne int `json:"most_answers_to_one"`
}

// NewJSONReport gathers the runs' numbers.
func NewJSONReport(m Machine, results []Result) JSONReport {
	out := JSONReport{Machine: m, Modes: map[string]ModeReport{}}
	for _, r := range results {
		out.Modes[r.Mode] = r.Report()
	}
	return out
}

// Report is the run's numbers for JSON.
func (r Result) Report() ModeReport {
	m := ModeReport{
		OfferedPerSecond: round1(r.OfferedPerSecond()),
		Transactions:     r.transactions(),
		Messages:         r.Received,
		Missing:          r.Missing,
		Duplicates:       len(r.Duplicates),
		TxPerSecond:      round1(r.TransactionsPerSecond()),
		MsgPerSecond:     round1(r.MessagesPerSecond()),
		P50:              msf(Percentile(r.Latencies, 50)),
		P95:              msf(Percentile(r.Latencies, 95)),
		P99:              msf(Percentile(r.Latencies, 99)),
		Max:              msf(Percentile(r.Latencies, 100)),
		IngestP50:        msf(Percentile(r.Ingest, 50)),
		IngestP99:        msf(Percentile(r.Ingest, 99)),
		CPUPerTx:         map[string]float64{},
		PeakRSS:          map[string]int64{},
	}
	for name, d := range r.CPU {
		m.CPUPerTx[name] = round1(perTx(d, r.transactions()))
	}
	for name, kb := range r.RSS {
		m.PeakRSS[name] = kb / 1024
	}
	if r.Load.Fresh {
		ingest, p50, p99 := round1(r.IngestPerSecond()), msf(Percentile(r.Fresh, 50)), msf(Percentile(r.Fresh, 99))
		m.IngestPerSecond, m.FreshP50, m.FreshP99 = &ingest, &p50, &p99
	}
	m.Shops = r.shopReports()
	if z := r.Zalo; z != nil {
		per := math.Round(z.CallsPer(r.Received)*1000) / 1000
		m.ZaloCalls, m.ZaloRefused, m.ZaloCallsPerMessage = map[string]int{}, map[string]int{}, &per
		for _, k := range z.kinds() {
			m.ZaloCalls[k] = z.Calls[k]
		}
		for code, n := range z.Refused {
			m.ZaloRefused[code] = n
		}
	}
	if c := r.Chatter; c != nil {
		m.Chatter = &ChatterReport{Commands: c.Commands, Failed: c.Failed, Strangers: c.Strangers, Answers: c.Answers,
			Answered: c.Answered, MostToOne: c.MostToOne}
	}
	return m
}

// transactions is how many were posted, fresh ones included.
func (r Result) transactions() int {
	if r.Transactions == 0 {
		return r.Load.Transactions
	}
	return r.Transactions
}

// OfferedPerSecond is the load's rate; at rate 0 (and in a burst), the
// rate at which the stack accepted the posts, which is what was offered.
func (r Result) OfferedPerSecond() float64 {
	if r.Load.Rate > 0 {
		return r.Load.Rate
	}
	return r.IngestPerSecond()
}

// IngestPerSecond is how fast the load's transactions were accepted: from
// the first post to the last answer.
func (r Result) IngestPerSecond() float64 {
	if r.Accepted <= 0 {
		return 0
	}
	return float64(r.Load.Transactions) / r.Accepted.Seconds()
}

// TransactionsPerSecond is the sustained rate: transactions over the time
// from the first post to the last message.
func (r Result) TransactionsPerSecond() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.transactions()) / r.Window.Seconds()
}

// MessagesPerSecond is messages received over the same window.
func (r Result) MessagesPerSecond() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Received) / r.Window.Seconds()
}

// Percentile is the nearest-rank p-th percentile of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func perTx(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000 / float64(n)
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

// msf is d in milliseconds, to 0.1 ms.
func msf(d time.Duration) float64 { return round1(float64(d.Microseconds()) / 1000) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
