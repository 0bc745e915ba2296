package bench

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, o Options)
		err   string
	}{
		{name: "defaults", check: func(t *testing.T, o Options) {
			assert.Equal(t, 3000, o.Transactions)
			assert.Equal(t, 100.0, o.Rate)
			assert.Equal(t, FlavourDevServer, o.Temporal)
			assert.True(t, o.Direct)
			l := o.Load()
			assert.Equal(t, Load{Transactions: 3000, Rate: 100, Copies: 1, Patience: 3 * time.Minute}, l)
			cfg := o.Config(StackConfig{Binary: "tingting"})
			assert.True(t, cfg.Floor, "the floor runs in every benchmark")
			assert.Equal(t, "tingting", cfg.Stack.Binary)
		}},
		{name: "as fast as accepted", args: []string{"-rate", "0", "-n", "50"}, check: func(t *testing.T, o Options) {
			assert.Equal(t, Load{Transactions: 50, Copies: 1, Patience: 3 * time.Minute}, o.Load())
		}},
		{name: "burst", args: []string{"-burst", "600", "-send-rate", "30", "-recipients", "5", "-json", "out.json"},
			check: func(t *testing.T, o Options) {
				l := o.Load()
				assert.Equal(t, 600, l.Transactions)
				assert.Zero(t, l.Rate, "as fast as accepted")
				assert.True(t, l.Fresh)
				// 600 × 5 sends at 30/s drain in 100 s; twice that, and 3 minutes.
				assert.Equal(t, 3*time.Minute+200*time.Second, l.Patience)
				cfg := o.Config(StackConfig{})
				assert.Equal(t, 30.0, cfg.Stack.SendRate, "ZALO_SEND_RATE for the worker")
				assert.Equal(t, "out.json", cfg.JSONPath)
			}},
		{name: "postgres", args: []string{"-temporal", "postgres"}, check: func(t *testing.T, o Options) {
			assert.Equal(t, FlavourPostgres, o.Temporal)
		}},
		{name: "repeatable flags", args: []string{"-env", "A=1", "-env", "B=2", "-temporal-arg", "--x"}, check: func(t *testing.T, o Options) {
			assert.Equal(t, []string{"A=1", "B=2"}, o.Config(StackConfig{}).Stack.Env)
			assert.Equal(t, []string{"--x"}, o.TemporalArgs)
		}},
		{name: "quiet", args: []string{"-quiet", "0.5", "-recipients", "10"}, check: func(t *testing.T, o Options) {
			cfg := o.Config(StackConfig{})
			assert.Equal(t, 0.5, cfg.Quiet)
			assert.Equal(t, []string{"ZALO_NIGHT=off"}, cfg.Stack.Env, "templates pushed by day and night alike")
		}},
		{name: "quiet without the tracking", args: []string{"-quiet", "0.5", "-env", "ZALO_CS_WINDOW=87600h"}, check: func(t *testing.T, o Options) {
			assert.Equal(t, []string{"ZALO_NIGHT=off", "ZALO_CS_WINDOW=87600h"}, o.Config(StackConfig{}).Stack.Env,
				"-env comes last, so it may set ZALO_NIGHT too")
		}},
		{name: "nobody quiet", args: []string{"-quiet", "0"}, check: func(t *testing.T, o Options) {
			assert.Empty(t, o.Config(StackConfig{}).Stack.Env, "the product's own night")
		}},
		{name: "chatter", args: []string{"-chatter", "200", "-send-rate", "60"}, check: func(t *testing.T, o Options) {
			cfg := o.Config(StackConfig{})
			assert.Equal(t, Chatter{Rate: 200, Strangers: 200}, cfg.Chatter)
			assert.False(t, cfg.Floor, "tingting against itself, quiet and chattered")
		}},
		{name: "negative chatter", args: []string{"-chatter", "-5"}, err: "must not be negative"},
		{name: "no strangers", args: []string{"-chatter", "5", "-strangers", "0"}, err: "-strangers must be positive"},
		{name: "shops", args: []string{"-shops", "10", "-noisy-shop", "10", "-noisy-recipients", "30", "-send-rate", "60", "-duration", "90s"},
			check: func(t *testing.T, o Options) {
				cfg := o.Config(StackConfig{})
				require.Len(t, cfg.Shops, 10)
				assert.Equal(t, ShopLoad{Noisy: true, Recipients: 30, Load: Load{Transactions: 900, Rate: 10, Copies: 1, Patience: cfg.Shops[0].Load.Patience}}, cfg.Shops[0])
				for _, q := range cfg.Shops[1:] {
					assert.Equal(t, ShopLoad{Recipients: 3, Load: Load{Transactions: 90, Rate: 1, Copies: 1, Patience: cfg.Shops[0].Load.Patience}}, q)
				}
				// 900 × 30 + 9 × 90 × 3 sends at 60/s drain in 490.5 s; twice that, and 3 minutes.
				assert.Equal(t, 3*time.Minute+981*time.Second, cfg.Shops[0].Load.Patience)
				assert.Equal(t, 1710, cfg.Load.Transactions)
				assert.False(t, cfg.Direct, "the baselines have no shops")
				assert.False(t, cfg.Floor)
			}},
		{name: "one shop", args: []string{"-shops", "1"}, err: "want 2 or more"},
		{name: "shops in a burst", args: []string{"-shops", "3", "-burst", "10"}, err: "not with -burst"},
		{name: "shops for no time", args: []string{"-shops", "3", "-duration", "0s"}, err: "a second or more"},
		{name: "quiet above 1", args: []string{"-quiet", "1.5"}, err: "want a share from 0 to 1"},
		{name: "quiet negative", args: []string{"-quiet", "-0.1"}, err: "want a share from 0 to 1"},
		{name: "quiet NaN", args: []string{"-quiet", "NaN"}, err: "want a share from 0 to 1"},
		{name: "negative rate", args: []string{"-rate", "-1"}, err: "must not be negative"},
		{name: "no transactions", args: []string{"-n", "0"}, err: "must be positive"},
		{name: "unknown flavour", args: []string{"-temporal", "cassandra"}, err: "want devserver or postgres"},
		{name: "dev server flags on postgres", args: []string{"-temporal", "postgres", "-temporal-arg", "--x"}, err: "for the dev server"},
		{name: "stray argument", args: []string{"now"}, err: "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseOptions(tc.args, io.Discard)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			tc.check(t, o)
		})
	}
}
