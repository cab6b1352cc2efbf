#!/usr/bin/env bash
# Pool benchmark: starts a fresh daemon on a temporary data directory, installs the sample
# plugins, and runs perf/pool-bench, which times one job on a fresh agent (spawn, attach, exec,
# terminate) against one job on a pooled agent (lease, exec, return).
# Usage: perf/pool-bench.sh [BIN] [PLUGIN_DIR] [ROUNDS] [POOL_SIZE] [POOL_MAX]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
plugins=${2:-$root/out/plugins}
rounds=${3:-1000}
size=${4:-1}
max=${5:-1}

work=$(mktemp -d /tmp/mcpzero-pool-bench.XXXXXX)
socket="$work/bench.sock"
"$bin" serve --data "$work/data" --socket "$socket" --allow-unsigned-plugins >"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill -TERM "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  "$bin" status --socket "$socket" >/dev/null 2>&1 && break
  sleep 0.1
done

for module in "$plugins"/*.wasm; do
  "$bin" plugin install "$module" --socket "$socket" >/dev/null
done

dotnet build -c Release --nologo -v quiet "$root/perf/pool-bench/PoolBench.csproj" >/dev/null
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
dotnet "$root/perf/pool-bench/bin/Release/net10.0/linux-x64/pool-bench.dll" "$socket" "$rounds" "$size" "$max"
