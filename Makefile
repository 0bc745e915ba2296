# Pinned tools (temporal CLI, sqlc, staticcheck, the Temporal server and
# its temporal-sql-tool for `bench -temporal postgres`, helm and kubeconform
# for the chart, oapi-codegen for the API's client) are built from
# tools/go.mod into .data/bin; Redocly, which lints docs/openapi.yaml, is
# installed by npm from tools/openapi's lock file. Nothing is downloaded at
# run time.
BIN := .data/bin
TOOLS := $(BIN)/temporal $(BIN)/sqlc $(BIN)/staticcheck $(BIN)/temporal-server $(BIN)/temporal-sql-tool $(BIN)/helm $(BIN)/kubeconform $(BIN)/oapi-codegen
REDOCLY := tools/openapi/node_modules/.bin/redocly
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_DATABASE_URL

.DEFAULT_GOAL := help
.PHONY: help tools generate dev test lint chart openapi-lint bench chaos soak

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

tools: $(TOOLS) $(REDOCLY) ## build the pinned tools into .data/bin, and install Redocly (first time: several minutes)

$(TOOLS) &: tools/go.mod tools/go.sum
	cd tools && go build -o ../$(BIN)/ tool && mv ../$(BIN)/server ../$(BIN)/temporal-server && mv ../$(BIN)/sql ../$(BIN)/temporal-sql-tool

$(REDOCLY): tools/openapi/package.json tools/openapi/package-lock.json
	cd tools/openapi && npm ci --no-audit --no-fund
	touch $@

# The API's typed client (package apiclient) is generated from the spec.
CLIENT := apiclient/client.gen.go
OAPI_CODEGEN := $(BIN)/oapi-codegen -config apiclient/oapi-codegen.yaml

generate: $(BIN)/sqlc $(BIN)/oapi-codegen ## regenerate db/ code from db/queries and db/migrations, and apiclient from docs/openapi.yaml
	$(BIN)/sqlc generate
	$(OAPI_CODEGEN) -o $(CLIENT) docs/openapi.yaml

dev: ## run everything locally: Temporal dev server, Zalo sandbox, API, worker
	go build -o $(BIN)/tingting-dev ./cmd/tingting-dev && $(BIN)/tingting-dev dev

test: $(BIN)/temporal ## run every test against PostgreSQL (TEST_DATABASE_URL) and a Temporal dev server
	go test -race -count=1 -timeout 30m ./...

bench: $(BIN)/temporal ## measure latency and throughput against the direct baseline (docs/BENCHMARKS.md)
	go build -o $(BIN)/ ./cmd/tingting ./cmd/tingting-dev && $(BIN)/tingting-dev bench $(BENCH_FLAGS)

chaos: $(BIN)/temporal $(BIN)/temporal-server ## the full fault-injection suite, both modes, a few minutes per fault (docs/RELIABILITY.md)
	CHAOS=full go test -count=1 -timeout 90m -v -run TestChaos ./harness/bench/

soak: $(BIN)/temporal-server ## an hour at 20 transactions a second (SOAK_DURATION=15m: shorter), sampling every process each minute (docs/RELIABILITY.md); not in CI
	SOAK=full go test -count=1 -timeout 80m -v -run TestSoak ./harness/bench/

lint: $(TOOLS) chart openapi-lint ## gofmt, go vet, staticcheck, a clean `sqlc diff` and API client, the chart's and the OpenAPI file's checks
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(BIN)/staticcheck ./...
	cd tools && go vet ./... && ../$(BIN)/staticcheck ./...
	$(BIN)/sqlc diff
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		$(OAPI_CODEGEN) -o $$tmp/client.gen.go docs/openapi.yaml && \
		diff -u $(CLIENT) $$tmp/client.gen.go || { echo "$(CLIENT) is not what docs/openapi.yaml generates: run make generate"; exit 1; }

openapi-lint: $(REDOCLY) ## Redocly's recommended rules over docs/openapi.yaml, any warning a failure
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --config tools/openapi/redocly.yaml docs/openapi.yaml

# The chart is checked against the schemas of this Kubernetes release, the
# oldest it supports (Chart.yaml's kubeVersion), and of this Prometheus
# Operator's ServiceMonitor. tools/kubeschemas makes them from those Go
# modules, so kubeconform needs no schema server.
KUBERNETES := v1.30.14
PROMETHEUS_OPERATOR := v0.85.0
SCHEMAS := .data/kubeschemas/$(KUBERNETES)-$(PROMETHEUS_OPERATOR)
CHART := deploy/helm/tingting
HELM := HELM_CACHE_HOME=$(CURDIR)/.data/helm/cache HELM_CONFIG_HOME=$(CURDIR)/.data/helm/config HELM_DATA_HOME=$(CURDIR)/.data/helm/data $(BIN)/helm

$(SCHEMAS)/.made: tools/kubeschemas/main.go
	cd tools && go run ./kubeschemas -kubernetes $(KUBERNETES) -prometheus-operator $(PROMETHEUS_OPERATOR) -out ../$(SCHEMAS)
	touch $@

chart: $(BIN)/helm $(BIN)/kubeconform $(SCHEMAS)/.made ## helm lint the chart, and kubeconform -strict what it renders with each deploy/helm/tingting/ci/*-values.yaml
	@for values in $(CHART)/ci/*-values.yaml; do \
		echo "== $$values"; \
		$(HELM) lint --strict --kube-version $(KUBERNETES) -f $$values $(CHART) && \
		$(HELM) template tingting $(CHART) --kube-version $(KUBERNETES) -f $$values \
			| $(BIN)/kubeconform -strict -summary -schema-location '$(SCHEMAS)/{{ .ResourceKind }}{{ .KindSuffix }}.json' - \
			|| exit 1; \
	done
