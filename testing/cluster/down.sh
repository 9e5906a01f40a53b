#!/usr/bin/env bash
# Stops the named components of the test stack (default: all of them), in
# parallel: TERM, then KILL after 30 s. Removes endpoints.env.
# Usage: down.sh [mariadb|hadoop|hdfs-secure|hbase ...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
with_lock

rm -f "$HETL_TEST_DIR/endpoints.env"
components=("$@")
[ ${#components[@]} -gt 0 ] || read -r -a components <<<"$COMPONENTS"
pids=()
for c in "${components[@]}"; do
	case $c in
	mariadb) "$CLUSTER_DIR/mariadb.sh" stop & ;;
	hadoop | hdfs-secure | hbase) "$CLUSTER_DIR/jvm.sh" "$c" stop & ;;
	*) die "unknown component $c (known: $COMPONENTS)" ;;
	esac
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit "$failed"
