# Shared helpers for the test-stack scripts; sourced, never run.
# Everything lives under $HETL_TEST_DIR (default: <repo>/.hetl-test).

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HETL_TEST_DIR=${HETL_TEST_DIR:-$REPO_ROOT/.hetl-test}
CLUSTER_DIR=$REPO_ROOT/testing/cluster
LOG_DIR=$HETL_TEST_DIR/logs
mkdir -p "$LOG_DIR"

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pid_alive FILE: the pid in FILE names a running process.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid NAME PIDFILE: TERM, wait up to 30 s, then KILL.
stop_pid() {
	local name=$1 pidfile=$2 pid
	pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
	pid=$(cat "$pidfile")
	log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name did not stop in 30 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# apt_install PKG...: installs Debian packages when a command is missing.
apt_install() {
	command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
	log "installing $* from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >"$LOG_DIR/apt-update.log" 2>&1 || die "apt-get update failed; see $LOG_DIR/apt-update.log"
	apt-get install -y -qq "$@" >"$LOG_DIR/apt-install.log" 2>&1 || die "apt-get install $* failed; see $LOG_DIR/apt-install.log"
}

# free_port: prints a loopback TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
