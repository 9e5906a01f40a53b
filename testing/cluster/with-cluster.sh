#!/usr/bin/env bash
# Runs a command against the test stack: starts what is not running, exports
# the endpoints and HETL_REQUIRE_CLUSTER=1 (so a missing server fails tests,
# never skips them), runs the command, then stops what it started, also when
# the command fails. Exits with the command's status.
# Usage: with-cluster.sh CMD [ARG...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "usage: with-cluster.sh CMD [ARG...]"

started=()
cleanup() {
	if [ ${#started[@]} -gt 0 ]; then
		log "stopping what this run started: ${started[*]}"
		"$CLUSTER_DIR/down.sh" "${started[@]}" || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
up_out=$("$CLUSTER_DIR/up.sh") || {
	mapfile -t started <<<"$up_out"
	die "the test stack did not start"
}
[ -z "$up_out" ] || mapfile -t started <<<"$up_out"
log "test stack ready in $(($(date +%s) - t0))s"

set -a
source "$HETL_TEST_DIR/endpoints.env"
set +a
export HETL_REQUIRE_CLUSTER=1
status=0
"$@" || status=$?
exit "$status"
