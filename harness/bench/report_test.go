package bench

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func result(mode string, load Load) Result {
	r := Result{Mode: mode, Load: load, Recipients: 3, Transactions: load.Transactions, Expected: 3 * load.Transactions,
		Received: 3 * load.Transactions, Window: 2 * time.Second, Accepted: time.Second,
		CPU: map[string]time.Duration{Temporal: 200 * time.Millisecond, Bench: 10 * time.Millisecond},
		RSS: map[string]int64{Temporal: 150 * 1024, Bench: 40 * 1024}}
	for i := range r.Received {
		r.Latencies = append(r.Latencies, time.Duration(i+1)*time.Millisecond)
	}
	r.Ingest = []time.Duration{2 * time.Millisecond, 4 * time.Millisecond}
	return r
}

// The JSON's keys are a contract with whoever plots the numbers.
func TestJSONReportShape(t *testing.T) {
	modeKeys := []string{"offered_per_s", "transactions", "messages", "missing", "duplicates", "tx_per_s", "msg_per_s",
		"p50_ms", "p95_ms", "p99_ms", "max_ms", "ingest_p50_ms", "ingest_p99_ms", "cpu_ms_per_tx", "peak_rss_mib"}
	for _, tc := range []struct {
		name  string
		load  Load
		extra []string
	}{
		{"steady", Load{Transactions: 10, Rate: 20}, nil},
		{"burst", Load{Transactions: 10, Fresh: true}, []string{"ingest_per_s", "fresh_p50_ms", "fresh_p99_ms"}},
		{"shops", Load{Transactions: 10, Rate: 20}, []string{"shops"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var results []Result
			for _, mode := range []string{"direct", "floor", "tingting"} {
				r := result(mode, tc.load)
				if tc.name == "shops" {
					noisy, quiet := result(mode, tc.load), result(mode, tc.load)
					noisy.Noisy = true
					r.Shops = []Result{noisy, quiet}
				}
				results = append(results, r)
			}
			results[2].Zalo = &ZaloStats{Calls: map[string]int{"cs": 20, "template": 15}, Refused: map[string]int{"-230": 5}}
			b, err := json.Marshal(NewJSONReport(Machine{CPU: "x", Temporal: FlavourPostgres}, results))
			require.NoError(t, err)
			var doc map[string]map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &doc))
			assert.ElementsMatch(t, []string{"machine", "modes"}, mapKeys(doc))
			assert.ElementsMatch(t, []string{"cpu", "cores", "memory_mib", "go", "kernel", "date", "temporal", "temporal_server", "postgres"},
				mapKeys(doc["machine"]))
			assert.ElementsMatch(t, []string{"direct", "floor", "tingting"}, mapKeys(doc["modes"]))
			var tingting map[string]any
			require.NoError(t, json.Unmarshal(doc["modes"]["tingting"], &tingting))
			assert.ElementsMatch(t, append(slices.Clone(modeKeys), append(slices.Clone(tc.extra),
				"zalo_calls", "zalo_refused", "zalo_calls_per_message")...), mapKeys(tingting), "the sandbox's count, on tingting's run")
			assert.Equal(t, map[string]any{"cs": 20.0, "template": 15.0, "template_phone": 0.0}, tingting["zalo_calls"])
			assert.Equal(t, map[string]any{"-230": 5.0}, tingting["zalo_refused"])
			assert.Equal(t, 1.167, tingting["zalo_calls_per_message"], "35 calls for 30 messages")
			var floor map[string]any
			require.NoError(t, json.Unmarshal(doc["modes"]["floor"], &floor))
			assert.ElementsMatch(t, append(slices.Clone(modeKeys), tc.extra...), mapKeys(floor))
			assert.Equal(t, map[string]any{"temporal": 20.0, "bench": 1.0}, floor["cpu_ms_per_tx"], "ms per transaction")
			assert.Equal(t, map[string]any{"temporal": 150.0, "bench": 40.0}, floor["peak_rss_mib"])
			assert.Equal(t, 30.0, floor["messages"])
			assert.Equal(t, 15.0, floor["p50_ms"])
			assert.Equal(t, 30.0, floor["max_ms"])
			assert.Equal(t, 5.0, floor["tx_per_s"], "10 transactions over a 2 s window")
			if tc.name == "shops" {
				var shops struct {
					Shops []map[string]any `json:"shops"`
				}
				require.NoError(t, json.Unmarshal(doc["modes"]["floor"], &shops))
				require.Len(t, shops.Shops, 2)
				assert.ElementsMatch(t, []string{"noisy", "transactions", "tx_per_s", "msg_per_s", "fresh_p50_ms", "fresh_p99_ms"}, mapKeys(shops.Shops[0]))
				assert.Equal(t, true, shops.Shops[0]["noisy"])
				assert.Equal(t, false, shops.Shops[1]["noisy"])
				assert.Equal(t, 15.0, shops.Shops[1]["msg_per_s"], "30 messages over a 2 s window")
				assert.Equal(t, 30.0, shops.Shops[1]["fresh_p99_ms"])
			}
			if tc.load.Fresh {
				assert.Equal(t, 10.0, floor["ingest_per_s"], "10 transactions accepted in 1 s")
				assert.Equal(t, 10.0, floor["offered_per_s"], "at rate 0 what was offered is what was accepted")
			} else {
				assert.Equal(t, 20.0, floor["offered_per_s"])
			}
		})
	}
}

func TestWriteReport(t *testing.T) {
	load := Load{Transactions: 10, Fresh: true}
	results := []Result{result("direct", load), result("floor", load), result("tingting", load)}
	results[2].Fresh = []time.Duration{900 * time.Millisecond, 1100 * time.Millisecond}
	results[2].Transactions = 12
	var out strings.Builder
	WriteReport(&out, Config{Load: load, Integrations: 1, Recipients: 3, Stack: StackConfig{SendRate: 30}},
		Machine{CPU: "AMD EPYC", Cores: 2, Temporal: FlavourDevServer}, results)
	s := out.String()
	for _, want := range []string{
		"in a burst (64 in flight)", "sends paced at 30/s",
		"| floor | 30/30 | 0 | 0 | 0 |",
		"tingting / floor latency", "floor / direct latency", "tingting / direct latency",
		"| tingting | 10.0 | 2 | 900 ms | 1100 ms |",
		"| mode | temporal | bench | total |",
		"| temporal | 150 MiB | 150 MiB | 150 MiB |",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "Zalo message calls", "no run counted them")
	assert.NotContains(t, s, "quiet")
}

// A many-shops run's report gives each shop its line, the noisy one marked.
func TestWriteReportShops(t *testing.T) {
	shops := ShopLoads(3, 10, 30, 3, 90*time.Second, 60)
	load := total(shops)
	r := result("tingting", load)
	noisy, quiet := result("tingting", shops[0].Load), result("tingting", shops[1].Load)
	noisy.Noisy = true
	r.Shops = []Result{noisy, quiet, quiet}
	var out strings.Builder
	WriteReport(&out, Config{Load: load, Shops: shops, Stack: StackConfig{SendRate: 60}}, Machine{}, []Result{r})
	s := out.String()
	for _, want := range []string{
		"3 shops posting at once for 1m30s, each with one integration: one 10 transactions/s to 30 recipients, 2 of them 1/s to 3; 1080 transactions",
		"| 1 (noisy) | 900 |", "| 2 | 90 |", "| 3 | 90 |",
	} {
		assert.Contains(t, s, want)
	}
}

// With quiet recipients the report says how many, what the product ran
// with, and what tingting's run cost in Zalo calls.
func TestWriteReportZaloCalls(t *testing.T) {
	load := Load{Transactions: 10, Rate: 20}
	results := []Result{result("direct", load), result("floor", load), result("tingting", load)}
	results[2].Zalo = &ZaloStats{Calls: map[string]int{"cs": 20, "template": 15, "template_phone": 0},
		Refused: map[string]int{"-230": 5, "-32": 0}}
	var out strings.Builder
	WriteReport(&out, Config{Load: load, Integrations: 1, Recipients: 3, Quiet: 0.5,
		Stack: StackConfig{Env: []string{"ZALO_NIGHT=off", "ZALO_CS_WINDOW=87600h"}}}, Machine{}, results)
	s := out.String()
	for _, want := range []string{
		"2 of each integration's 3 recipients quiet for tingting's run (last interaction 10 days ago)",
		"API and worker environment: ZALO_NIGHT=off ZALO_CS_WINDOW=87600h",
		"| mode | cs | template | template_phone | refused | messages delivered | calls per delivered message |",
		"| tingting | 20 | 15 | 0 | -230: 5 | 30 | 1.167 |",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "| direct | 0 |", "only the runs that counted")
}

// A -chatter run: tingting quiet, then chattered; the report compares
// their latency and says what the strangers wrote and were answered, in
// the text and the JSON.
func TestWriteReportChatter(t *testing.T) {
	load := Load{Transactions: 10, Rate: 20}
	results := []Result{result("tingting", load), result("tingting+chatter", load)}
	results[1].Chatter = &ChatterResult{Commands: 400, Failed: 1, Strangers: 200, Answers: 200, Answered: 200, MostToOne: 1}
	var out strings.Builder
	WriteReport(&out, Config{Load: load, Integrations: 1, Recipients: 3}, Machine{}, results)
	s := out.String()
	for _, want := range []string{
		"tingting+chatter / tingting latency: p50 ×1.0, p99 ×1.0",
		"| mode | commands | per second | not taken | strangers | answers | strangers answered | most answers to one |",
		"| tingting+chatter | 400 | 200.0 | 1 | 200 | 200 | 200 | 1 |",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "| tingting | 0 |", "only the chattered run")

	b, err := json.Marshal(NewJSONReport(Machine{}, results))
	require.NoError(t, err)
	var doc struct {
		Modes map[string]map[string]json.RawMessage `json:"modes"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.NotContains(t, doc.Modes["tingting"], "chatter")
	assert.JSONEq(t, `{"commands":400,"not_taken":1,"strangers":200,"answers":200,"strangers_answered":200,"most_answers_to_one":1}`,
		string(doc.Modes["tingting+chatter"]["chatter"]))
}
