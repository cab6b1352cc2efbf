#!/usr/bin/env bash
# Plugin host benchmark: builds perf/plugin-bench (Release, under the JIT) and the count-vowels
# test module, then measures per-call cost in process, RSS over load/unload cycles, and cold and
# warm first calls through the AOT daemon. Prints the machine and one JSON object.
# Usage: perf/plugin-bench.sh [BIN] [CALLS=1000000] [CYCLES=100000]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
calls=${2:-1000000}
cycles=${3:-100000}

if [ ! -x "$bin" ]; then
  echo "plugin-bench: '$bin' not found; build it with: make build" >&2
  exit 1
fi
if ! command -v wat2wasm >/dev/null; then
  echo "plugin-bench: wat2wasm is required; install it with: apt-get install -y wabt" >&2
  exit 1
fi

work=$(mktemp -d /tmp/mcpzero-plugin-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
wat2wasm "$root/tests/McpZero.Plugins.Tests/Modules/vowels.wat" -o "$work/vowels.wasm"
dotnet build -c Release --nologo -v quiet "$root/perf/plugin-bench/PluginBench.csproj" >/dev/null

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$root/perf/plugin-bench/bin/Release/net10.0/linux-x64/plugin-bench.dll" "$work/vowels.wasm" "$bin" "$calls" "$cycles"
