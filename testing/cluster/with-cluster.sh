#!/usr/bin/env bash
# Runs a command against the test stack: starts what is not running, exports
# the endpoints and HETL_REQUIRE_CLUSTER=1 (so a missing server fails tests,
# never skips them), runs the command, then stops what it started, also when
# the command fails or is interrupted. Exits with the command's status.
# Usage: with-cluster.sh CMD [ARG...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "usage: with-cluster.sh CMD [ARG...]"

# What is down now is what this run starts, and so what it stops at the end
# (decided up front, so an interrupted start is cleaned up too).
started=()
for c in $COMPONENTS; do
	case $c in
	mariadb) st=$("$CLUSTER_DIR/mariadb.sh" status) ;;
	*) st=$("$CLUSTER_DIR/jvm.sh" "$c" status) ;;
	esac
	[ "$(awk '{print $2}' <<<"$st")" = up ] || started+=("$c")
done
cleanup() {
	if [ ${#started[@]} -gt 0 ]; then
		log "stopping what this run started: ${started[*]}"
		"$CLUSTER_DIR/down.sh" "${started[@]}" || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
"$CLUSTER_DIR/up.sh" >/dev/null || die "the test stack did not start (logs in $LOG_DIR)"
log "test stack ready in $((SECONDS - t0))s"

set -a
source "$HETL_TEST_DIR/endpoints.env"
set +a
export HETL_REQUIRE_CLUSTER=1
status=0
"$@" || status=$?
exit "$status"
