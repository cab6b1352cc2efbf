#!/usr/bin/env bash
# Runs one plugin export N times through the public Extism JavaScript host on Node and writes the
# JSON result to OUT.json. Installs @extism/extism from package-lock.json when node_modules is
# missing. EXTISM_PEER_CONFIG may hold the plugin's config as a JSON object of strings.
# Usage: perf/peers/extism-node/run.sh OUT.json PLUGIN.wasm METHOD INPUT_STRING [ITERATIONS=10000]
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
  echo "usage: $0 OUT.json PLUGIN.wasm METHOD INPUT_STRING [ITERATIONS=10000]" >&2
  exit 2
fi

out=$1
plugin=$2
method=$3
input=$4
iterations=${5:-10000}
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "extism-node: node and npm are required; install them with: apt-get install -y nodejs npm" >&2
  exit 1
fi
if [ ! -f "$plugin" ]; then
  echo "extism-node: plugin '$plugin' not found; build the samples with: make plugins" >&2
  exit 1
fi

if [ ! -d "$here/node_modules/@extism/extism" ]; then
  echo "extism-node: installing @extism/extism with npm ci" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

echo "extism-node: $iterations calls of $method on $plugin" >&2
# Node 20 marks WASI as experimental and prints a warning once per process, which is not an error.
result=$(node --disable-warning=ExperimentalWarning "$here/bench.mjs" "$plugin" "$method" "$input" "$iterations")
mkdir -p "$(dirname "$out")"
printf '%s\n' "$result" > "$out"
echo "extism-node: wrote $out" >&2
