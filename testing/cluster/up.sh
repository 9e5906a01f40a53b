#!/usr/bin/env bash
# Starts every test server that is not running yet (MariaDB, the Hadoop JVM,
# the HBase JVM; the JVMs start in parallel) and writes
# $HETL_TEST_DIR/endpoints.env once all serve. Prints the names of the
# components it started on stdout, one per line (with-cluster.sh uses that to
# stop only what it started).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

started=()
up() { # up NAME CMD...: runs CMD unless NAME is already up.
	local name=$1
	shift
	if [ "$("$@" status | awk '{print $2}')" = up ]; then
		return 0
	fi
	started+=("$name")
}

rm -f "$HETL_TEST_DIR/endpoints.env"
up mariadb "$CLUSTER_DIR/mariadb.sh"
up hadoop "$CLUSTER_DIR/jvm.sh" hadoop
up hbase "$CLUSTER_DIR/jvm.sh" hbase

# Build sequentially (Maven's local repository is not safe for concurrent
# downloads), then start the JVMs side by side.
pids=()
for c in "${started[@]}"; do
	case $c in
	mariadb) "$CLUSTER_DIR/mariadb.sh" start ;;
	hadoop | hbase)
		"$CLUSTER_DIR/jvm.sh" "$c" start &
		pids+=($!)
		# Give the first JVM's Maven build a head start before the second one builds.
		[ ${#pids[@]} -eq 1 ] && [ ! -s "$CLUSTER_DIR/$c/target/build.stamp" ] && wait "${pids[0]}"
		;;
	esac
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
for c in "${started[@]}"; do echo "$c"; done
[ "$failed" -eq 0 ] || die "a server failed to start; see the logs in $LOG_DIR"

tmp=$HETL_TEST_DIR/endpoints.env.tmp
{
	echo "# Written by testing/cluster/up.sh; source it to reach the test servers."
	cat "$HETL_TEST_DIR/mariadb.env" "$HETL_TEST_DIR/hadoop.env" "$HETL_TEST_DIR/hbase.env"
} >"$tmp"
mv "$tmp" "$HETL_TEST_DIR/endpoints.env"
log "test stack up; endpoints in $HETL_TEST_DIR/endpoints.env"
