#!/usr/bin/env bash
# Regenerates hbase/internal/thrift2 from the Thrift2 IDL that HBase ships
# inside its hbase-thrift jar on Maven Central. Run through `go generate ./hbase/...`.
# Needs mvn and the Thrift compiler (Debian: thrift-compiler; installed when missing).
# The compiler's version must equal github.com/apache/thrift's in go.mod.
set -euo pipefail
cd "$(dirname "$0")"

HBASE_THRIFT_VERSION=2.6.1 # the newest 2.6.x hbase-thrift on Maven Central
THRIFT_VERSION=0.17.0      # must match github.com/apache/thrift in go.mod

if ! command -v thrift >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq thrift-compiler >/dev/null
fi
have=$(thrift --version | awk '{print $3}')
[ "$have" = "$THRIFT_VERSION" ] || {
	echo "gen.sh: thrift compiler is $have, want $THRIFT_VERSION (the Go library's version)" >&2
	exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -q dependency:copy -Dartifact="org.apache.hbase:hbase-thrift:$HBASE_THRIFT_VERSION" \
	-DoutputDirectory="$work" >&2
(cd "$work" && unzip -q -o "hbase-thrift-$HBASE_THRIFT_VERSION.jar" org/apache/hadoop/hbase/thrift2/hbase.thrift)

thrift -out "$work" --gen go:package=thrift2,package_prefix=github.com/hetl/hetl/hbase/internal/,thrift_import=github.com/apache/thrift/lib/go/thrift,skip_remote \
	"$work/org/apache/hadoop/hbase/thrift2/hbase.thrift"
rm -rf internal/thrift2
mkdir -p internal/thrift2
cp "$work"/thrift2/*.go internal/thrift2/
gofmt -w internal/thrift2
echo "gen.sh: generated internal/thrift2 from hbase-thrift $HBASE_THRIFT_VERSION with thrift $THRIFT_VERSION" >&2
