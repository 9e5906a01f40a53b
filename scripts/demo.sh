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

say "done"
echo "Next: 'hetl --help', docs/configuration.md, docs/scheduling.md, and 'make test' for the full suite against real servers."
