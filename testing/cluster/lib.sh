# Shared helpers for the test-stack scripts; sourced, never run.
# Everything lives under $HETL_TEST_DIR (default: <repo>/.hetl-test).

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HETL_TEST_DIR=${HETL_TEST_DIR:-$REPO_ROOT/.hetl-test}
CLUSTER_DIR=$REPO_ROOT/testing/cluster
LOG_DIR=$HETL_TEST_DIR/logs
# The components of the stack, in start order (they start in parallel).
COMPONENTS="mariadb hadoop hdfs-secure hbase"
mkdir -p "$LOG_DIR"
HETL_TEST_DIR=$(cd "$HETL_TEST_DIR" && pwd) # absolute: it is written into endpoints and command lines
LOG_DIR=$HETL_TEST_DIR/logs

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pid_alive FILE: the pid in FILE names a running process of this stack (its
# command line names $HETL_TEST_DIR, so a pid reused after a reboot is not
# mistaken for a server).
pid_alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(cat "$1")
	kill -0 "$pid" 2>/dev/null || return 1
	[ -r "/proc/$pid/cmdline" ] || return 0
	[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"$HETL_TEST_DIR"* ]]
}

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

# random_password: prints 24 random letters and digits (no python needed on a fresh machine).
random_password() {
	head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | cut -c1-24
}

# port_in_use PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# with_lock: serialises start and stop of the stack (two `make cluster-up` at
# once must not start two of anything). Holds the lock until the script exits.
with_lock() {
	command -v flock >/dev/null || return 0
	exec 9>"$HETL_TEST_DIR/cluster.lock"
	flock -w 900 9 || die "another start or stop of the test stack holds $HETL_TEST_DIR/cluster.lock"
}
