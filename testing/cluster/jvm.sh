#!/usr/bin/env bash
# Builds and runs one launcher JVM of the test stack.
# Usage: jvm.sh hadoop|hdfs-secure|hbase build|start|stop|status
#   hadoop:      MiniDFSCluster + YARN ResourceManager and NodeManager (Hadoop 3.4)
#   hdfs-secure: MiniKdc + Kerberized MiniDFSCluster (Hadoop 3.4; same Maven
#                project as hadoop, own JVM: Hadoop's security mode is per process)
#   hbase:       TestingHBaseCluster + Thrift2 gateway (HBase 2.6, Hadoop 3 build)
# A launcher writes $HETL_TEST_DIR/<name>.env only when its servers serve.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NAME=${1:-}
ACTION=${2:-}
USAGE="usage: jvm.sh hadoop|hdfs-secure|hbase build|start|stop|status"
PROJECT=$CLUSTER_DIR/$NAME
HEAP=1500m
case "$NAME" in
hadoop) MAIN=dev.hetl.testcluster.HadoopCluster ;;
hdfs-secure)
	MAIN=dev.hetl.testcluster.SecureHdfsCluster
	PROJECT=$CLUSTER_DIR/hadoop
	HEAP=512m
	;;
hbase) MAIN=dev.hetl.testcluster.HBaseCluster ;;
*) die "$USAGE" ;;
esac
PIDFILE=$HETL_TEST_DIR/$NAME.pid
ENVFILE=$HETL_TEST_DIR/$NAME.env
LOG=$LOG_DIR/$NAME.log
READY_TIMEOUT=${HETL_TEST_READY_TIMEOUT:-300}

# Java 17 needs these for Hadoop 3.4 and HBase 2.6 (reflection into the JDK).
JAVA_OPTS=(
	"-Xmx$HEAP" -XX:+IgnoreUnrecognizedVMOptions -Djava.net.preferIPv4Stack=true
	-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true
	--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
)
for p in java.io java.lang java.lang.invoke java.lang.reflect java.math java.net java.nio java.text java.util \
	java.util.concurrent java.util.concurrent.atomic java.util.zip jdk.internal.ref sun.nio.ch sun.nio.cs \
	sun.security.action sun.security.util sun.security.x509 sun.util.calendar; do
	JAVA_OPTS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
for p in jdk.internal.misc sun.net.dns sun.net.util; do
	JAVA_OPTS+=("--add-exports=java.base/$p=ALL-UNNAMED")
done

# build compiles the launcher and records its classpath, skipping the work when
# neither the pom, the sources nor MAVEN_OPTS changed since the last build and
# every jar on the recorded classpath is still there.
build() {
	command -v java >/dev/null || die "java not found: install a JDK (17 works)"
	command -v mvn >/dev/null || die "mvn not found: install Maven"
	local stamp=$PROJECT/target/build.stamp sum
	sum=$({
		cat "$PROJECT/pom.xml"
		find "$PROJECT/src" -type f -print0 | sort -z | xargs -0 cat
		echo "MAVEN_OPTS=${MAVEN_OPTS:-}"
	} | sha256sum | cut -d' ' -f1)
	if [ -s "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && classpath_complete; then
		return 0
	fi
	log "building the $NAME launcher (the first run downloads its jars from Maven Central into ~/.m2)"
	local t0=$SECONDS
	(cd "$PROJECT" && mvn -B -q -Dstyle.color=never package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt) \
		>"$LOG_DIR/$NAME-build.log" 2>&1 || die "building the $NAME launcher failed; see $LOG_DIR/$NAME-build.log"
	echo "$sum" >"$stamp"
	log "built the $NAME launcher in $((SECONDS - t0))s"
}

# classpath_complete: target/classpath.txt exists and names no missing jar.
classpath_complete() {
	local cp=$PROJECT/target/classpath.txt jar
	local -a jars
	[ -s "$cp" ] || return 1
	IFS=: read -r -a jars <"$cp" || true # one line, no final newline
	for jar in "${jars[@]}"; do [ -e "$jar" ] || return 1; done
}

start() {
	if pid_alive "$PIDFILE" && [ -s "$ENVFILE" ]; then
		log "$NAME already running (pid $(cat "$PIDFILE"))"
		return 0
	fi
	stop_pid "$NAME" "$PIDFILE"
	build
	rm -rf "${HETL_TEST_DIR:?}/$NAME" "$ENVFILE"
	log "starting $NAME (log: $LOG)"
	local args=("$HETL_TEST_DIR/$NAME" "$ENVFILE")
	case $NAME in
	hadoop | hdfs-secure) args=("$HETL_TEST_DIR/$NAME" "$HETL_TEST_DIR/$NAME-conf" "$ENVFILE") ;;
	esac
	# setsid: the JVM outlives this script and is not hit by the caller's Ctrl-C.
	setsid java "${JAVA_OPTS[@]}" -cp "$PROJECT/target/classes:$(cat "$PROJECT/target/classpath.txt")" \
		"$MAIN" "${args[@]}" >"$LOG" 2>&1 </dev/null 9>&- &
	local pid=$! waited=0
	echo "$pid" >"$PIDFILE"
	until [ -s "$ENVFILE" ]; do
		# kill -0, not pid_alive: until setsid has exec'd java the command line is still bash's.
		kill -0 "$pid" 2>/dev/null || die "$NAME exited during start-up; see $LOG"
		[ "$waited" -lt "$((READY_TIMEOUT * 2))" ] || { stop_pid "$NAME" "$PIDFILE"; die "$NAME not ready in ${READY_TIMEOUT}s; see $LOG"; }
		sleep 0.5
		waited=$((waited + 1))
	done
	log "$NAME ready in $((waited / 2))s (pid $pid)"
}

stop() {
	stop_pid "$NAME" "$PIDFILE"
	rm -f "$ENVFILE"
}

status() {
	if pid_alive "$PIDFILE" && [ -s "$ENVFILE" ]; then
		printf '%-11s up    pid %s  %s\n' "$NAME" "$(cat "$PIDFILE")" \
			"$(grep -E 'HETL_TEST_(HDFS|HDFS_SECURE|HDFS_SECURE_PRINCIPAL|YARN_RM|HBASE_THRIFT)=' "$ENVFILE" | sed 's/^export //' | tr '\n' ' ')"
	elif pid_alive "$PIDFILE"; then
		printf '%-11s starting  pid %s\n' "$NAME" "$(cat "$PIDFILE")"
	else
		printf '%-11s down\n' "$NAME"
	fi
}

case "$ACTION" in
build) build ;;
start) start ;;
stop) stop ;;
status) status ;;
*) die "$USAGE" ;;
esac
