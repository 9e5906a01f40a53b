#!/usr/bin/env bash
# Runs hetl's own test MariaDB (not the system service): data dir, socket and
# logs under $HETL_TEST_DIR/mysql, a private loopback port, and a user `hetl`
# with a generated password and all privileges. Usage: mariadb.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DIR=$HETL_TEST_DIR/mysql
PIDFILE=$DIR/mariadb.pid
ENVFILE=$HETL_TEST_DIR/mariadb.env
SOCK=$DIR/mysql.sock
PORT=${HETL_TEST_MYSQL_PORT:-3406}

server_bin() { command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null || true; }

start() {
	if pid_alive "$PIDFILE" && [ -s "$ENVFILE" ]; then
		log "MariaDB already running (pid $(cat "$PIDFILE"))"
		return 0
	fi
	stop_pid MariaDB "$PIDFILE" # a server left half-started by an interrupted run
	rm -f "$ENVFILE"
	if [ -z "$(server_bin)" ] || ! command -v mariadb-install-db >/dev/null || ! command -v mariadb >/dev/null; then
		apt_install mariadb-server mariadb-client
	fi
	local bin user
	bin=$(server_bin)
	[ -n "$bin" ] || die "neither mariadbd nor mysqld found after installing mariadb-server"
	# mariadbd refuses to run as root unless told so; any other user runs as itself.
	user=$(id -un)
	mkdir -p "$DIR/data" "$DIR/tmp"
	if [ ! -d "$DIR/data/mysql" ]; then
		log "initialising MariaDB data dir $DIR/data"
		mariadb-install-db --no-defaults --user="$user" --datadir="$DIR/data" \
			--auth-root-authentication-method=socket >"$LOG_DIR/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed; see $LOG_DIR/mariadb-install.log"
	fi
	port_in_use "$PORT" && die "port $PORT is taken by another process; set HETL_TEST_MYSQL_PORT to a free port"
	log "starting MariaDB on 127.0.0.1:$PORT (log: $LOG_DIR/mariadb.log)"
	# Binary log on (ROW, GTID) because the importer records snapshot coordinates.
	# setsid: the server outlives this script and is not hit by the caller's Ctrl-C.
	setsid "$bin" --no-defaults --user="$user" --datadir="$DIR/data" --tmpdir="$DIR/tmp" \
		--socket="$SOCK" --pid-file="$PIDFILE" --port="$PORT" --bind-address=127.0.0.1 \
		--skip-name-resolve --innodb-buffer-pool-size=256M --max-connections=300 \
		--log-bin="$DIR/data/binlog" --binlog-format=ROW --server-id=1 --gtid-strict-mode=ON \
		--expire-logs-days=1 --max-allowed-packet=256M \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		--log-error="$LOG_DIR/mariadb.log" >/dev/null 2>&1 </dev/null 9>&- &
	local pid=$! waited=0
	until mariadb --no-defaults --socket="$SOCK" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || die "MariaDB exited during start-up; see $LOG_DIR/mariadb.log"
		[ "$waited" -lt 120 ] || { kill -TERM "$pid" 2>/dev/null; die "MariaDB did not accept connections in 60 s; see $LOG_DIR/mariadb.log"; }
		sleep 0.5
		waited=$((waited + 1))
	done
	[ -s "$PIDFILE" ] || echo "$pid" >"$PIDFILE"

	# The password is generated once and kept, so it survives restarts of the server.
	local pwfile=$DIR/hetl-password pw
	[ -s "$pwfile" ] || (umask 077 && random_password >"$pwfile")
	pw=$(cat "$pwfile")
	[ -n "$pw" ] || die "empty password in $pwfile"
	mariadb --no-defaults --socket="$SOCK" -uroot <<SQL || die "creating the test user hetl failed"
CREATE USER IF NOT EXISTS 'hetl'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'hetl'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'hetl'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'hetl'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'hetl'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'hetl'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
	local tmp=$ENVFILE.tmp
	cat >"$tmp" <<ENV
export HETL_TEST_MYSQL_HOST=127.0.0.1
export HETL_TEST_MYSQL_PORT=$PORT
export HETL_TEST_MYSQL_USER=hetl
export HETL_TEST_MYSQL_PASSWORD=$pw
export HETL_TEST_MYSQL_DSN='hetl:$pw@tcp(127.0.0.1:$PORT)/'
export HETL_TEST_MYSQL_SOCKET=$SOCK
ENV
	mv "$tmp" "$ENVFILE"
	log "MariaDB ready in $((waited / 2))s on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
}

stop() {
	stop_pid MariaDB "$PIDFILE"
	rm -f "$ENVFILE"
}

status() {
	if pid_alive "$PIDFILE" && [ -s "$ENVFILE" ]; then
		printf '%-11s up    pid %s  HETL_TEST_MYSQL_DSN=hetl:***@tcp(127.0.0.1:%s)/\n' mariadb "$(cat "$PIDFILE")" "$PORT"
	elif pid_alive "$PIDFILE"; then
		printf '%-11s starting  pid %s\n' mariadb "$(cat "$PIDFILE")"
	else
		printf '%-11s down\n' mariadb
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: mariadb.sh start|stop|status" ;;
esac
