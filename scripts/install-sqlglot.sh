#!/usr/bin/env bash
# Installs sqlglot (pinned) from PyPI into .hetl/pylib, where the tests of
# package sql/ddl find it: they parse every statement the DDL printer writes
# with sqlglot's Hive, Trino and Spark dialects. Idempotent: does nothing
# when the pinned version is already there. Works on a fresh Debian machine
# (python3 is part of Debian; pip is installed with apt-get when missing and
# this runs as root). Usage: scripts/install-sqlglot.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=30.30.0
PYLIB=${1:-.hetl/pylib}

have() { PYTHONPATH=$PYLIB python3 -c "import sqlglot, sys; sys.exit(sqlglot.__version__ != '$VERSION')" 2>/dev/null; }

command -v python3 >/dev/null || { echo "install-sqlglot: python3 is not installed (Debian: apt-get install python3)" >&2; exit 1; }
if have; then
	exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "install-sqlglot: installing python3-pip with apt-get..." >&2
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >&2
	else
		echo "install-sqlglot: pip is missing: install it (Debian: apt-get install python3-pip) and rerun" >&2
		exit 1
	fi
fi
echo "install-sqlglot: installing sqlglot==$VERSION from PyPI into $PYLIB..." >&2
rm -rf "$PYLIB/sqlglot" "$PYLIB"/sqlglot-*.dist-info
mkdir -p "$PYLIB"
pip=(python3 -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target "$PYLIB" "sqlglot==$VERSION")
if ! "${pip[@]}" >&2; then
	# Debian's python3 is "externally managed" (PEP 668); installing into
	# a directory of our own touches nothing the system manages.
	"${pip[@]}" --break-system-packages >&2
fi
have || { echo "install-sqlglot: sqlglot $VERSION is not importable from $PYLIB after the install" >&2; exit 1; }
