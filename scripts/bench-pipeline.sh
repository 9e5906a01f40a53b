#!/usr/bin/env bash
# make bench-pipeline: hourly_activity over one hour of BENCH_ROWS
# synthetic events (default 2,000,000) on the local executor, beside
# DuckDB (from PyPI) computing the same aggregation over the same Parquet
# files, twice each: the aggregation only, and with events_clean
# anonymized and written. Prints a table for docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-2000000}
BENCH=.hetl/bench/pipeline
PYLIB=.hetl/bench/pylib
mkdir -p "$BENCH" "$PYLIB"
if ! PYTHONPATH=$PYLIB python3 -c 'import duckdb' 2>/dev/null; then
	echo "installing duckdb from PyPI into $PYLIB..." >&2
	python3 -m pip install --quiet --target "$PYLIB" duckdb >&2
fi
go build -o bin/benchpipeline ./internal/benchpipeline
if [ "$(cat "$BENCH/.rows" 2>/dev/null)" != "$ROWS" ]; then
	echo "generating one hour of $ROWS events..." >&2
	bin/benchpipeline gen -dir "$BENCH" -rows "$ROWS"
	echo "$ROWS" >"$BENCH/.rows"
fi
read -r dn dsecs drps dgroups dsecs2 drps2 dgroups2 < <(PYTHONPATH=$PYLIB python3 scripts/bench-pipeline.py "$BENCH")
read -r an asecs arps arss agroups < <(bin/benchpipeline run -agg-only -dir "$BENCH")
read -r hn hsecs hrps hrss hgroups < <(bin/benchpipeline run -dir "$BENCH")
printf '| run | events | seconds | rows/s | ratio to DuckDB doing the same | peak RSS MiB | groups |\n|---|---|---|---|---|---|---|\n'
printf '| DuckDB %s, the aggregation only | %s | %s | %s | 1.00 | - | %s |\n' "$(PYTHONPATH=$PYLIB python3 -c 'import duckdb; print(duckdb.__version__)')" "$dn" "$dsecs" "$drps" "$dgroups"
printf '| hetl, the aggregation only (hourly_activity without anonymize and events_clean) | %s | %s | %s | %.2f | %s | %s |\n' "$an" "$asecs" "$arps" "$(echo "$asecs / $dsecs" | bc -l)" "$arss" "$agroups"
printf '| DuckDB, anonymizing and writing events_clean, then the aggregation | %s | %s | %s | 1.00 | - | %s |\n' "$dn" "$dsecs2" "$drps2" "$dgroups2"
printf '| hetl hourly_activity (also anonymizes and writes events_clean) | %s | %s | %s | %.2f | %s | %s |\n' "$hn" "$hsecs" "$hrps" "$(echo "$hsecs / $dsecs2" | bc -l)" "$hrss" "$hgroups"
