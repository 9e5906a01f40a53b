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
	[ -n "$(server_bin)" ] && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null ||
		apt_install mariadb-server mariadb-client
	local bin
	bin=$(server_bin)
	mkdir -p "$DIR/data" "$DIR/tmp"
	if [ ! -d "$DIR/data/mysql" ]; then
		log "initialising MariaDB data dir $DIR/data"
		mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DIR/data" \
			--auth-root-authentication-method=socket >"$LOG_DIR/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed; see $LOG_DIR/mariadb-install.log"
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		die "port $PORT is taken by another process; set HETL_TEST_MYSQL_PORT to a free port"
	fi
	log "starting MariaDB on 127.0.0.1:$PORT"
	# Binary log on (ROW, GTID) because the importer records snapshot coordinates.
	"$bin" --no-defaults --user="$(id -un)" --datadir="$DIR/data" --tmpdir="$DIR/tmp" \
		--socket="$SOCK" --pid-file="$PIDFILE" --port="$PORT" --bind-address=127.0.0.1 \
		--skip-name-resolve --innodb-buffer-pool-size=256M --max-connections=300 \
		--log-bin="$DIR/data/binlog" --binlog-format=ROW --server-id=1 --max-allowed-packet=256M \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		--log-error="$LOG_DIR/mariadb.log" >/dev/null 2>&1 &
	for _ in $(seq 120); do
		mariadb --no-defaults --socket="$SOCK" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.5
	done
	mariadb --no-defaults --socket="$SOCK" -uroot -e 'SELECT 1' >/dev/null 2>&1 ||
		die "MariaDB did not accept connections in 60 s; see $LOG_DIR/mariadb.log"

	local pwfile=$DIR/hetl-password
	[ -s "$pwfile" ] || (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$pwfile")
	local pw
	pw=$(cat "$pwfile")
	mariadb --no-defaults --socket="$SOCK" -uroot <<SQL
CREATE USER IF NOT EXISTS 'hetl'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'hetl'@'localhost' IDENTIFIED BY '$pw';
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
	log "MariaDB ready on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
}

stop() {
	stop_pid MariaDB "$PIDFILE"
	rm -f "$ENVFILE"
}

status() {
	if pid_alive "$PIDFILE"; then echo "mariadb  up    pid $(cat "$PIDFILE")  127.0.0.1:$PORT"; else echo "mariadb  down"; fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: mariadb.sh start|stop|status" ;;
esac
