#!/usr/bin/env bash
# make bench-sql: analyst queries over a year (BENCH_HOURS, default 8760)
# of hourly_activity's hourly aggregates (agg_events_hourly, published
# through the pipeline's write step; generated once and kept under
# .hetl/bench/sql), each run BENCH_RUNS times (default 20) through
# sql/engine in-process and, in the same run, in DuckDB (from PyPI) over
# the same Parquet files; each query also runs through the SQL endpoint
# (sql/server in the same process, go-sql-driver/mysql). Prints a table
# for docs/performance.md and whether the target (one-week range p50
# under 100 ms) is met.
set -euo pipefail
cd "$(dirname "$0")/.."
HOURS=${BENCH_HOURS:-8760}
RUNS=${BENCH_RUNS:-20}
BENCH=.hetl/bench/sql
PYLIB=.hetl/bench/pylib
mkdir -p "$BENCH" "$PYLIB"
if ! PYTHONPATH=$PYLIB python3 -c 'import duckdb, pytz' 2>/dev/null; then
	# pytz: DuckDB's Python client returns TIMESTAMPTZ values through it.
	echo "installing duckdb and pytz from PyPI into $PYLIB..." >&2
	python3 -m pip install --quiet --target "$PYLIB" duckdb pytz >&2
fi
go build -o bin/benchsql ./internal/benchsql
# The generator's version is part of the key: a change to it regenerates.
key="$HOURS $(sha256sum internal/benchsql/gen.go | cut -c1-12)"
if [ "$(cat "$BENCH/.generated" 2>/dev/null)" != "$key" ]; then
	echo "publishing $HOURS hours of agg_events_hourly into $BENCH/warehouse (a few minutes; kept for later runs)..." >&2
	rm -f "$BENCH/.generated"
	bin/benchsql gen -dir "$BENCH/warehouse" -hours "$HOURS"
	echo "$key" >"$BENCH/.generated"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bin/benchsql queries >"$OUT/queries.json"
bin/benchsql run -dir "$BENCH/warehouse" -n "$RUNS" >"$OUT/hetl.tsv"
PYTHONPATH=$PYLIB python3 scripts/bench-sql.py "$BENCH/warehouse" "$RUNS" <"$OUT/queries.json" >"$OUT/duckdb.tsv"
files=$(find "$BENCH/warehouse/agg_events_hourly" -name '*.parquet' | wc -l)
rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$BENCH/warehouse/agg_events_hourly/_SUCCESS")
echo "agg_events_hourly: $files hourly partitions, $rows rows; $RUNS runs per query after one untimed run;" \
	"DuckDB $(PYTHONPATH=$PYLIB python3 -c 'import duckdb; print(duckdb.__version__)'); $(nproc) cores"
echo
printf '| query | rows | files read | hetl p50 ms | hetl p95 ms | hetl CPU ms (p50) | hetl over the wire p50 ms | DuckDB p50 ms | DuckDB p95 ms | hetl/DuckDB (p50) | DuckDB on the range'"'"'s files p50 ms | p95 ms | hetl/that (p50) | hetl first run ms | same result |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
paste "$OUT/hetl.tsv" "$OUT/duckdb.tsv" | while IFS=$'\t' read -r name p50 p95 first rows nfiles dig cpu wire dname dp50 dp95 _ drows ddig pp50 pp95 pdig; do
	[ "$name" = "$dname" ] || { echo "query lists differ: $name / $dname" >&2; exit 1; }
	same=yes
	[ "$dig" = "$ddig" ] && [ "$dig" = "$pdig" ] && [ "$rows" = "$drows" ] || same="NO ($dig, DuckDB $ddig, $pdig)"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %s | %s | %.2f | %s | %s |\n' "$name" "$rows" "$nfiles" "$p50" "$p95" "$cpu" "$wire" \
		"$dp50" "$dp95" "$(echo "$p50 / $dp50" | bc -l)" "$pp50" "$pp95" "$(echo "$p50 / $pp50" | bc -l)" "$first" "$same"
done
week=$(awk -F'\t' '$1 == "one week by event type and country" { print $2 }' "$OUT/hetl.tsv")
if [ "$(echo "$week < 100" | bc -l)" = 1 ]; then
	echo; echo "target met: one-week range p50 $week ms < 100 ms"
else
	echo; echo "target missed: one-week range p50 $week ms, target under 100 ms"
fi
