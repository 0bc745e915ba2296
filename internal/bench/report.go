package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// WriteReport prints the runs as Markdown tables, with the ratio of each
// run's latency to the first (the direct baseline, when it ran).
func WriteReport(w io.Writer, cfg Config, results []Result, rss map[string]int64) {
	fmt.Fprintf(w, "\n%d transactions at %.0f/s, %d integration(s) × %d recipient(s), sandbox latency %s, %d CPUs, %s\n\n",
		cfg.Load.Transactions, cfg.Load.Rate, cfg.Integrations, cfg.Recipients, cfg.Latency, runtime.NumCPU(),
		time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| mode | messages | missing | duplicates | post errors | p50 | p95 | p99 | max | transactions/s | messages/s | ingest p50 | ingest p99 |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %d/%d | %d | %d | %d | %s | %s | %s | %s | %.1f | %.1f | %s | %s |\n",
			r.Mode, r.Received, r.Expected, r.Missing, len(r.Duplicates), r.PostErrors,
			ms(Percentile(r.Latencies, 50)), ms(Percentile(r.Latencies, 95)), ms(Percentile(r.Latencies, 99)),
			ms(Percentile(r.Latencies, 100)), r.TransactionsPerSecond(), r.MessagesPerSecond(),
			ms(Percentile(r.Ingest, 50)), ms(Percentile(r.Ingest, 99)))
	}
	if len(results) > 1 {
		base := results[0]
		for _, r := range results[1:] {
			fmt.Fprintf(w, "\n%s / %s latency: p50 ×%.1f, p99 ×%.1f\n", r.Mode, base.Mode,
				ratio(Percentile(r.Latencies, 50), Percentile(base.Latencies, 50)),
				ratio(Percentile(r.Latencies, 99), Percentile(base.Latencies, 99)))
		}
	}
	fmt.Fprint(w, "\nCPU time per transaction, by process:\n\n")
	fmt.Fprintln(w, "| mode | temporal | zalosim | api | worker | bench | total |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range results {
		var total time.Duration
		fmt.Fprintf(w, "| %s |", r.Mode)
		for _, name := range []string{Temporal, Sandbox, API, Worker, Bench} {
			total += r.CPU[name]
			fmt.Fprintf(w, " %.1f ms |", perTx(r.CPU[name], r.Load.Transactions))
		}
		fmt.Fprintf(w, " %.1f ms |\n", perTx(total, r.Load.Transactions))
	}
	fmt.Fprintln(w, "\n| process | peak RSS |")
	fmt.Fprintln(w, "|---|---|")
	for _, name := range []string{Temporal, Sandbox, API, Worker} {
		fmt.Fprintf(w, "| %s | %d MiB |\n", name, rss[name]/1024)
	}
	fmt.Fprintf(w, "| bench (load generator, direct baseline) | %d MiB |\n", peakRSS(os.Getpid())/1024)
}

// TransactionsPerSecond is the sustained rate: transactions over the time
// from the first post to the last message.
func (r Result) TransactionsPerSecond() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Load.Transactions) / r.Window.Seconds()
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

func perTx(d time.Duration, n int) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
