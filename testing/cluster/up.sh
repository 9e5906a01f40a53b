#!/usr/bin/env bash
# Starts every test server that is not running yet (MariaDB, the Hadoop JVM,
# the Kerberized HDFS JVM, the HBase JVM) and writes
# $HETL_TEST_DIR/endpoints.env once all serve.
# Idempotent: what already runs is left alone, and a lock keeps two runs from
# starting two of anything.
#
# Prints on stdout the name of each component it starts, one per line, before
# starting it (with-cluster.sh uses that to stop exactly what it started, also
# after a failed start).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
with_lock

ctl() { # ctl NAME ACTION: runs a component's script.
	case $1 in
	mariadb) "$CLUSTER_DIR/mariadb.sh" "$2" ;;
	hadoop | hdfs-secure | hbase) "$CLUSTER_DIR/jvm.sh" "$1" "$2" ;;
	esac
}

t0=$SECONDS
rm -f "$HETL_TEST_DIR/endpoints.env"
todo=()
for c in $COMPONENTS; do
	[ "$(ctl "$c" status | awk '{print $2}')" = up ] || todo+=("$c")
done

# Build the launchers one after the other (two Maven processes downloading
# into one ~/.m2 can corrupt it), then start everything side by side.
for c in "${todo[@]}"; do
	[ "$c" = mariadb ] || ctl "$c" build
done
pids=()
for c in "${todo[@]}"; do
	echo "$c"
	ctl "$c" start &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" -eq 0 ] || die "a server failed to start; see the logs in $LOG_DIR"

tmp=$HETL_TEST_DIR/endpoints.env.tmp
{
	echo "# Written by testing/cluster/up.sh; source it to reach the test servers."
	for c in $COMPONENTS; do cat "$HETL_TEST_DIR/$c.env"; done
} >"$tmp"
mv "$tmp" "$HETL_TEST_DIR/endpoints.env"
if [ ${#todo[@]} -eq 0 ]; then
	log "test stack already up; endpoints in $HETL_TEST_DIR/endpoints.env"
else
	log "test stack up in $((SECONDS - t0))s (started: ${todo[*]}); endpoints in $HETL_TEST_DIR/endpoints.env"
fi
