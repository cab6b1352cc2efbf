#!/usr/bin/env bash
# Batching benchmark: starts a fresh daemon on a temporary data directory, installs the sample
# plugins, and runs perf/batch-bench, which compares the client library with automatic batching
# off and on under the same closed loop of small exec calls.
# Usage: perf/batch-bench.sh [BIN] [PLUGIN_DIR] [CALLS] [CONCURRENCY] [CONNECTIONS] [ROUNDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
plugins=${2:-$root/out/plugins}
calls=${3:-20000}
concurrency=${4:-64}
connections=${5:-1}
rounds=${6:-3}

work=$(mktemp -d /tmp/mcpzero-batch-bench.XXXXXX)
socket="$work/bench.sock"
# Queue limits far above the concurrency, so that both modes measure calls, not Busy retries.
MCPZERO__MAXQUEUEDPERAGENT=4096 MCPZERO__MAXQUEUEDEXECUTIONS=8192 "$bin" serve --data "$work/data" --socket "$socket" --allow-unsigned-plugins >"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill -TERM "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  "$bin" status --socket "$socket" >/dev/null 2>&1 && break
  sleep 0.1
done

for module in "$plugins"/*.wasm; do
  "$bin" plugin install "$module" --socket "$socket" >/dev/null
done

dotnet build -c Release --nologo -v quiet "$root/perf/batch-bench/BatchBench.csproj" >/dev/null
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
dotnet "$root/perf/batch-bench/bin/Release/net10.0/linux-x64/batch-bench.dll" "$socket" "$calls" "$concurrency" "$connections" "$rounds"
