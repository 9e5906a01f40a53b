#!/usr/bin/env bash
# Prints each component of the test stack: up or down, pid and endpoint.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$CLUSTER_DIR/mariadb.sh" status
"$CLUSTER_DIR/jvm.sh" hadoop status
"$CLUSTER_DIR/jvm.sh" hdfs-secure status
"$CLUSTER_DIR/jvm.sh" hbase status
if [ -s "$HETL_TEST_DIR/endpoints.env" ]; then
	echo "endpoints: $HETL_TEST_DIR/endpoints.env"
else
	echo "endpoints: none (run make cluster-up)"
fi
