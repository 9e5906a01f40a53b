#!/usr/bin/env bash
# make bench-hbase: hetl import into HBase (through the test stack's Thrift2
# gateway) with 1, 2 and 4 readers, beside the Parquet import of the same
# table, in one run. BENCH_ROWS sets the table size (default 500,000: the
# mini HBase takes its time). Results: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-500000}
bash testing/cluster/up.sh >/dev/null
source .hetl-test/endpoints.env
export HETL_MYSQL_PASSWORD=$HETL_TEST_MYSQL_PASSWORD
M=(mariadb -h "$HETL_TEST_MYSQL_HOST" -P "$HETL_TEST_MYSQL_PORT" -u "$HETL_TEST_MYSQL_USER" "-p$HETL_TEST_MYSQL_PASSWORD")
have=$("${M[@]}" -N -e "SELECT COUNT(*) FROM hetl_bench_hbase.bench" 2>/dev/null || echo 0)
if [ "$have" != "$ROWS" ]; then
	echo "creating hetl_bench_hbase.bench with $ROWS rows (100-200 bytes each, mixed types)..." >&2
	"${M[@]}" -e "DROP DATABASE IF EXISTS hetl_bench_hbase; CREATE DATABASE hetl_bench_hbase; USE hetl_bench_hbase;
	CREATE TABLE bench (id BIGINT PRIMARY KEY, user_id INT NOT NULL, amount DECIMAL(12,2), score DOUBLE,
	  status TINYINT, created_at DATETIME(3) NOT NULL, email VARCHAR(64), note VARCHAR(120));
	INSERT INTO bench SELECT seq, seq % 50000, (seq % 100000) / 100, seq / 7, seq % 5,
	  '2026-11-21 00:00:00' + INTERVAL (seq % 86400) SECOND, CONCAT('user', seq % 50000, '@example.com'),
	  SUBSTRING(REPEAT(MD5(seq), 4), 1, 40 + seq % 80) FROM seq_1_to_$ROWS;"
fi
go build -o bin/hetl ./cmd/hetl
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat >"$OUT/hetl.yaml" <<YAML
hbase:
  thrift: $HETL_TEST_HBASE_THRIFT
  transport: ${HETL_TEST_HBASE_THRIFT_TRANSPORT:-buffered}
  protocol: ${HETL_TEST_HBASE_THRIFT_PROTOCOL:-binary}
YAML
CONNECT="mysql://$HETL_TEST_MYSQL_USER@$HETL_TEST_MYSQL_HOST:$HETL_TEST_MYSQL_PORT/hetl_bench_hbase"
printf '| run | rows/s | ratio to Parquet -m 1 | peak RSS MiB |\n|---|---|---|---|\n'
base=""
run() { # name mappers extra-args...
	local name=$1 m=$2
	shift 2
	"${TIME:-/usr/bin/time}" -f '%M' -o "$OUT/rss" bin/hetl --config "$OUT/hetl.yaml" import --connect "$CONNECT" \
		--table bench -m "$m" "$@" >"$OUT/out" 2>"$OUT/err" || { cat "$OUT/err" >&2; exit 1; }
	local line rows s rps
	line=$(head -n 1 "$OUT/out")
	rows=$(sed -E 's/.*: ([0-9]+) rows.*/\1/' <<<"$line")
	s=$(sed -E 's/.* in ([0-9.]+)s.*/\1/' <<<"$line")
	rps=$(awk -v r="$rows" -v s="$s" 'BEGIN { printf "%.0f", r/s }')
	[ -n "$base" ] || base=$rps
	awk -v n="$name" -v r="$rps" -v b="$base" -v rss="$(cat "$OUT/rss")" 'BEGIN { printf "| %s | %d | %.2f | %.0f |\n", n, r, r/b, rss/1024 }'
}
run "Parquet, local, -m 1" 1 --target-dir "$OUT/parquet/bench" --delete-target-dir
for m in 1 2 4; do
	table="hetl_bench_$m"
	run "HBase typed, -m $m" "$m" --hbase-table "$table" --column-family d --hbase-create-table --hbase-salt-buckets 8
done
