#!/usr/bin/env bash
# Stops the named components of the test stack (default: all of them).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rm -f "$HETL_TEST_DIR/endpoints.env"
components=("$@")
[ ${#components[@]} -gt 0 ] || components=(hbase hadoop mariadb)
for c in "${components[@]}"; do
	case $c in
	mariadb) "$CLUSTER_DIR/mariadb.sh" stop ;;
	hadoop | hbase) "$CLUSTER_DIR/jvm.sh" "$c" stop ;;
	*) die "unknown component $c (known: mariadb hadoop hbase)" ;;
	esac
done
