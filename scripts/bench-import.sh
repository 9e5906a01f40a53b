#!/usr/bin/env bash
# make bench-import: hetl import against the bare drain rate of the same
# MariaDB on this machine. Writes a table of results to stdout; see
# docs/performance.md. BENCH_ROWS sets the table size (default 2,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_ROWS:-2000000}
bash testing/cluster/up.sh >/dev/null
source .hetl-test/endpoints.env
export HETL_MYSQL_PASSWORD=$HETL_TEST_MYSQL_PASSWORD
M=(mariadb -h "$HETL_TEST_MYSQL_HOST" -P "$HETL_TEST_MYSQL_PORT" -u "$HETL_TEST_MYSQL_USER" "-p$HETL_TEST_MYSQL_PASSWORD")
have=$("${M[@]}" -N -e "SELECT COUNT(*) FROM hetl_bench.bench" 2>/dev/null || echo 0)
if [ "$have" != "$ROWS" ]; then
	echo "creating hetl_bench.bench with $ROWS rows (100-200 bytes each, mixed types)..." >&2
	"${M[@]}" -e "DROP DATABASE IF EXISTS hetl_bench; CREATE DATABASE hetl_bench; USE hetl_bench;
	CREATE TABLE bench (id BIGINT PRIMARY KEY, user_id INT NOT NULL, amount DECIMAL(12,2), score DOUBLE,
	  status TINYINT, created_at DATETIME(3) NOT NULL, email VARCHAR(64), note VARCHAR(120));
	INSERT INTO bench SELECT seq, seq % 50000, (seq % 100000) / 100, seq / 7, seq % 5,
	  '2026-11-21 00:00:00' + INTERVAL (seq % 86400) SECOND, CONCAT('user', seq % 50000, '@example.com'),
	  SUBSTRING(REPEAT(MD5(seq), 4), 1, 40 + seq % 80) FROM seq_1_to_$ROWS;"
fi
go build -o bin/hetl ./cmd/hetl
go build -o bin/benchimport ./internal/benchimport
DSN="$HETL_TEST_MYSQL_USER@tcp($HETL_TEST_MYSQL_HOST:$HETL_TEST_MYSQL_PORT)/hetl_bench"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
read -r n secs rps mbps < <(bin/benchimport -dsn "$DSN" -table bench)
printf '| run | rows/s | MB/s read | ratio to bare drain | peak RSS MiB |\n|---|---|---|---|---|\n'
printf '| bare Go drain of SELECT * | %.0f | %.1f | 1.00 | - |\n' "$rps" "$mbps"
base=$rps
run() { # name target mappers
	local name=$1 target=$2 m=$3
	"${TIME:-/usr/bin/time}" -f '%M' -o "$OUT/rss" bin/hetl import --connect "mysql://$HETL_TEST_MYSQL_USER@$HETL_TEST_MYSQL_HOST:$HETL_TEST_MYSQL_PORT/hetl_bench" \
		--table bench --target-dir "$target" --delete-target-dir -m "$m" >"$OUT/out" 2>"$OUT/err" || { cat "$OUT/err" >&2; exit 1; }
	local line rows s mib
	line=$(cat "$OUT/out")
	rows=$(sed -E 's/.*: ([0-9]+) rows.*/\1/' <<<"$line")
	s=$(sed -E 's/.* in ([0-9.]+)s.*/\1/' <<<"$line")
	mib=$(sed -E 's/.*\(([0-9.]+) MiB read\).*/\1/' <<<"$line")
	awk -v n="$name" -v r="$rows" -v s="$s" -v mib="$mib" -v b="$base" -v rss="$(cat "$OUT/rss")" \
		'BEGIN { printf "| %s | %.0f | %.1f | %.2f | %.0f |\n", n, r/s, mib*1.048576/s, (r/s)/b, rss/1024 }'
}
run "hetl -m 1 → local Parquet" "$OUT/local1/bench" 1
run "hetl -m 2 → local Parquet" "$OUT/local2/bench" 2
run "hetl -m 1 → HDFS Parquet" "$HETL_TEST_HDFS/bench-import/m1/bench" 1
run "hetl -m 2 → HDFS Parquet" "$HETL_TEST_HDFS/bench-import/m2/bench" 2
