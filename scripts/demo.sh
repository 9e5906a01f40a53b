#!/usr/bin/env bash
# make demo: hetl's main job on embedded defaults, needing no servers.
# It seeds an embedded MySQL-compatible server with the demo data set and
# imports it, like Sqoop would, into a local Parquet warehouse (events by
# hour, personal data protected). The demo grows with every capability.
set -euo pipefail
cd "$(dirname "$0")/.."
HETL=${HETL:-bin/hetl}
DEMO_DIR=.hetl/demo
mkdir -p "$DEMO_DIR"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "hetl version"
"$HETL" version

say "a configuration on embedded defaults: local warehouse, SQLite metastore"
cat >"$DEMO_DIR/hetl.yaml" <<YAML
warehouse:
  location: ${DEMO_DIR}/warehouse
metastore:
  url: sqlite:${DEMO_DIR}/metastore.db
log:
  level: info
YAML
if [ -n "${HETL_DEMO_HBASE_THRIFT:-}" ]; then
	# An HBase Thrift2 gateway to show the HBase import on (e.g. the test
	# stack's: HETL_DEMO_HBASE_THRIFT=$HETL_TEST_HBASE_THRIFT).
	printf 'hbase:\n  thrift: %s\n' "$HETL_DEMO_HBASE_THRIFT" >>"$DEMO_DIR/hetl.yaml"
fi
"$HETL" config check --config "$DEMO_DIR/hetl.yaml"

say "the documented example configuration"
"$HETL" config check --config examples/hetl.yaml | tail -n 1

say "a configuration with a typo is refused with file, line and key"
printf 'warehouse:\n  locaton: /tmp/w\n' >"$DEMO_DIR/typo.yaml"
if "$HETL" config check --config "$DEMO_DIR/typo.yaml"; then
	echo "demo: expected the typo to be refused" >&2
	exit 1
fi

say "seed the embedded server and import users, devices and events (events by hour)"
rm -rf "$DEMO_DIR/warehouse"
"$HETL" demo run --config "$DEMO_DIR/hetl.yaml" --rows "${DEMO_ROWS:-20000}" --hours 24 --warehouse-dir "$DEMO_DIR/warehouse"

say "the warehouse: Hive-style hourly partitions of events, each table with a _SUCCESS manifest"
find "$DEMO_DIR/warehouse/events" -maxdepth 2 -name 'hr=*' | sort | head -n 5
echo "..."
head -c 600 "$DEMO_DIR/warehouse/events/_SUCCESS"; echo " ..."

say "the scheduler: the events import and hourly_activity hour by hour, late rows re-run (hetl demo --schedule)"
"$HETL" demo --schedule --log-level error --dir "$DEMO_DIR/schedule"

say "analysts' SQL: the warehouse over the MySQL protocol (hetl sql serve)"
# A demo user with a password generated into .hetl/demo (never on a
# command line); its mysql_native_password hash goes into hetl.yaml.
SQL_PW_FILE=$DEMO_DIR/sql-analyst-password
(umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$SQL_PW_FILE")
SQL_HASH=$("$HETL" sql hash-password <"$SQL_PW_FILE")
cat >>"$DEMO_DIR/hetl.yaml" <<YAML
sql:
  users:
    analyst:
      password_hash: "$SQL_HASH"
      databases: ["*"]
YAML
SQL_LOG=$DEMO_DIR/sql-serve.log
"$HETL" sql serve --config "$DEMO_DIR/hetl.yaml" --listen 127.0.0.1:0 >"$SQL_LOG" 2>&1 &
SQL_PID=$!
trap 'kill -TERM "$SQL_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	grep -q '^serving SQL on' "$SQL_LOG" && break
	kill -0 "$SQL_PID" 2>/dev/null || { cat "$SQL_LOG" >&2; exit 1; }
	sleep 0.1
done
SQL_ADDR=$(sed -n 's/^serving SQL on \([^ ]*\) .*/\1/p' "$SQL_LOG")
[ -n "$SQL_ADDR" ] || { echo "demo: hetl sql serve did not start" >&2; cat "$SQL_LOG" >&2; exit 1; }
sql() { # one statement through the endpoint, with hetl's own MySQL client
	printf 'mysql> %s\n' "$1"
	"$HETL" eval --connect "mysql://analyst@$SQL_ADDR/warehouse" --password-file "$SQL_PW_FILE" -e "$1"
}
sql "SHOW TABLES"
sql "SELECT country, SUM(events) AS events, SUM(errors) AS errors, ROUND(SUM(errors) / SUM(events), 4) AS error_rate FROM agg_events_hourly GROUP BY country ORDER BY events DESC LIMIT 5"
sql "SELECT hr, SUM(events) AS events, MAX(p95_latency_ms) AS worst_p95_ms FROM agg_events_hourly WHERE dt = (SELECT MIN(dt) FROM agg_events_hourly) AND hr <= '05' GROUP BY hr ORDER BY hr"
printf 'mysql> DELETE FROM events    (read-only: refused)\n'
if "$HETL" eval --connect "mysql://analyst@$SQL_ADDR/warehouse" --password-file "$SQL_PW_FILE" -e "DELETE FROM events" 2>&1; then
	echo "demo: expected the endpoint to refuse a DELETE" >&2
	exit 1
fi
kill -TERM "$SQL_PID"
wait "$SQL_PID"
trap - EXIT
echo
echo "The endpoint serves every warehouse table read-only, as database 'warehouse'. To keep it"
echo "running and connect with your own tools (docs/sql.md: TLS, users, limits, BI tools):"
echo "  $HETL sql serve --config $DEMO_DIR/hetl.yaml          # listens on 127.0.0.1:3307"
echo "  mysql -h 127.0.0.1 -P 3307 -u analyst -p warehouse  # the password is in $SQL_PW_FILE"
echo "  DBeaver, Metabase: a MySQL connection to 127.0.0.1:3307, user analyst, database warehouse"
echo "  Python: pymysql.connect(host='127.0.0.1', port=3307, user='analyst', password=..., database='warehouse')"

say "done"
echo "Next: 'hetl --help', docs/configuration.md, docs/scheduling.md, and 'make test' for the full suite against real servers."
