#!/usr/bin/env bash
# make demo: hetl's main job on embedded defaults, needing no servers.
# Today hetl is its foundation (binary, configuration, warehouse filesystem,
# metastore); the demo grows with every capability — next: seeding an
# embedded MySQL-compatible server and importing its tables (see the issues).
set -euo pipefail
cd "$(dirname "$0")/.."
HETL=${HETL:-bin/hetl}
DEMO_DIR=.hetl/demo
mkdir -p "$DEMO_DIR"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "hetl version"
"$HETL" version

say "a configuration on embedded defaults: local warehouse, SQLite metastore"
cat >"$DEMO_DIR/hetl.yaml" <<YAML
warehouse:
  location: ${DEMO_DIR}/warehouse
metastore:
  url: sqlite:${DEMO_DIR}/metastore.db
log:
  level: info
YAML
"$HETL" config check --config "$DEMO_DIR/hetl.yaml"

say "the documented example configuration"
"$HETL" config check --config examples/hetl.yaml | tail -n 1

say "a configuration with a typo is refused with file, line and key"
printf 'warehouse:\n  locaton: /tmp/w\n' >"$DEMO_DIR/typo.yaml"
if "$HETL" config check --config "$DEMO_DIR/typo.yaml"; then
	echo "demo: expected the typo to be refused" >&2
	exit 1
fi

say "done"
echo "Next: 'hetl --help', docs/configuration.md, and 'make test' for the full suite against real servers."
