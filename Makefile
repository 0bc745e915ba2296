# Pinned tools (temporal CLI, sqlc, staticcheck, and the Temporal server and
# its temporal-sql-tool for `bench -temporal postgres`) are built from
# tools/go.mod into .data/bin; nothing is downloaded at run time.
BIN := .data/bin
TOOLS := $(BIN)/temporal $(BIN)/sqlc $(BIN)/staticcheck $(BIN)/temporal-server $(BIN)/temporal-sql-tool
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_DATABASE_URL

.DEFAULT_GOAL := help
.PHONY: help tools generate dev test lint bench chaos

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

tools: $(TOOLS) ## build the pinned tools into .data/bin (first time: several minutes)

$(TOOLS) &: tools/go.mod tools/go.sum
	cd tools && go build -o ../$(BIN)/ tool && mv ../$(BIN)/server ../$(BIN)/temporal-server && mv ../$(BIN)/sql ../$(BIN)/temporal-sql-tool

generate: $(BIN)/sqlc ## regenerate db/ code from db/queries and db/migrations
	$(BIN)/sqlc generate

dev: ## run everything locally: Temporal dev server, Zalo sandbox, API, worker
	go build -o $(BIN)/tingting-dev ./cmd/tingting-dev && $(BIN)/tingting-dev dev

test: $(BIN)/temporal ## run every test against PostgreSQL (TEST_DATABASE_URL) and a Temporal dev server
	go test -race -count=1 -timeout 20m ./...

bench: $(BIN)/temporal ## measure latency and throughput against the direct baseline (docs/BENCHMARKS.md)
	go build -o $(BIN)/ ./cmd/tingting ./cmd/tingting-dev && $(BIN)/tingting-dev bench $(BENCH_FLAGS)

chaos: $(BIN)/temporal ## the full fault-injection suite, a few minutes per fault (docs/RELIABILITY.md)
	CHAOS=full go test -count=1 -timeout 60m -v -run TestChaos ./harness/bench/

lint: $(TOOLS) ## gofmt, go vet, staticcheck and a clean `sqlc diff`
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/sqlc diff
