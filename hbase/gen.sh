#!/usr/bin/env bash
# Regenerates hbase/internal/thrift2 from the Thrift2 IDL inside HBase's
# hbase-thrift jar on Maven Central, so the IDL is never copied into the tree.
# Run it as `go generate ./hbase/...`. Needs mvn, unzip and the Thrift
# compiler at the Go library's version (Debian: apt-get install thrift-compiler);
# building hetl needs none of them.
set -euo pipefail
cd "$(dirname "$0")"

# The newest 2.6.x on Maven Central, and the test stack's (testing/cluster/hbase/pom.xml).
HBASE_THRIFT_VERSION=2.6.1
# Must equal github.com/apache/thrift in go.mod: generated code and library go together.
THRIFT_VERSION=0.17.0
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

for tool in mvn unzip thrift gofmt; do
	command -v "$tool" >/dev/null || { echo "gen.sh: $tool not found" >&2; exit 1; }
done
have=$(thrift --version | awk '{print $3}')
want_lib=$(cd .. && go list -m -f '{{.Version}}' github.com/apache/thrift)
if [ "$have" != "$THRIFT_VERSION" ] || [ "$want_lib" != "v$THRIFT_VERSION" ]; then
	echo "gen.sh: thrift compiler $have, go.mod's library $want_lib; both must be $THRIFT_VERSION" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -q "$DEPENDENCY_PLUGIN:copy" -Dartifact="org.apache.hbase:hbase-thrift:$HBASE_THRIFT_VERSION" \
	-DoutputDirectory="$work" >&2
unzip -p "$work/hbase-thrift-$HBASE_THRIFT_VERSION.jar" org/apache/hadoop/hbase/thrift2/hbase.thrift >"$work/hbase.thrift"

# package_prefix makes imports resolve inside this module; skip_remote drops
# the generated command-line tool, which hetl does not ship.
thrift -out "$work" \
	--gen go:package=thrift2,package_prefix=github.com/hetl/hetl/hbase/internal/,thrift_import=github.com/apache/thrift/lib/go/thrift,skip_remote \
	"$work/hbase.thrift"
rm -rf internal/thrift2
mkdir -p internal/thrift2
cp "$work"/thrift2/*.go internal/thrift2/
gofmt -w internal/thrift2
echo "gen.sh: internal/thrift2 from hbase-thrift $HBASE_THRIFT_VERSION by thrift $THRIFT_VERSION" >&2
