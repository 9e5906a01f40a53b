# hetl — the two commands at the top of README.md are `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/hetl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/hetl/hetl/cmd/hetl/command.version=$(VERSION)

.PHONY: all build demo test test-short vet fmt fmt-check docs generate sqlglot bench bench-import bench-hbase bench-pipeline bench-sql \
	cluster-up cluster-down cluster-status

all: build

build: ## Build bin/hetl, bin/hetl-sql (the SQL engine behind hetl sql query/serve) and bin/hetl-demo-mysql (the demo's embedded server); both kept out of hetl to keep it lean.
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/hetl
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/hetl-sql ./cmd/hetl-sql
	$(GO) build -o bin/hetl-demo-mysql ./cmd/hetl-demo-mysql

demo: build ## Run hetl's main job on embedded defaults (no servers needed).
	@bash scripts/demo.sh

test: sqlglot ## Run every test against real MariaDB, HDFS, YARN and HBase (started and stopped as needed).
	bash testing/cluster/with-cluster.sh $(GO) test -count=1 ./...

test-short: ## Unit tests only; tests that need servers skip unless HETL_REQUIRE_CLUSTER=1.
	$(GO) test ./...

sqlglot: ## Install the pinned sqlglot from PyPI into .hetl/pylib (sql/ddl's tests parse the DDL they print with it).
	@bash scripts/install-sqlglot.sh

bench: ## Go benchmarks (speed and memory targets live here, never in tests).
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-hbase: ## hetl import into HBase with 1, 2 and 4 readers beside a Parquet import of the same table (BENCH_ROWS, default 500k); see docs/performance.md.
	@bash scripts/bench-hbase.sh

bench-pipeline: ## hourly_activity over one hour of BENCH_ROWS events (default 2M) beside DuckDB over the same Parquet files; see docs/performance.md.
	@bash scripts/bench-pipeline.sh

bench-sql: ## Analyst queries (a day, week, month; top-N) over a year of agg_events_hourly through sql/engine beside DuckDB: p50/p95 (target: one-week range p50 under 100 ms); see docs/performance.md.
	@bash scripts/bench-sql.sh

bench-import: ## hetl import vs a bare Go drain of the same MariaDB table (BENCH_ROWS, default 2M); see docs/performance.md.
	@bash scripts/bench-import.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "not gofmt-formatted:"; echo "$$out"; exit 1; }

docs: ## Regenerate docs/cli from the command tree.
	$(GO) run ./cmd/hetl docs --dir docs/cli

generate: ## Regenerate generated code (HBase Thrift2 bindings; needs thrift-compiler and mvn).
	$(GO) generate ./...

# --- the test stack: MariaDB + Hadoop mini clusters + HBase testing cluster (see docs/development.md) ---
cluster-up: ## Start the test servers that are not running; writes .hetl-test/endpoints.env.
	@bash testing/cluster/up.sh >/dev/null

cluster-down: ## Stop every test server.
	@bash testing/cluster/down.sh

cluster-status: ## Show each test server, its pid and endpoint.
	@bash testing/cluster/status.sh
# --- end of the test stack ---
