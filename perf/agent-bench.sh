#!/usr/bin/env bash
# The classic agent benchmark: starts a fresh daemon on a temporary data directory, installs the
# sample plugins, records the daemon's idle RSS, runs `mcpzero bench` (spawn, attach
# data_processing, 100 x process, terminate) and prints the figures with the machine and date.
# Usage: perf/agent-bench.sh [BIN] [PLUGIN_DIR] [extra `mcpzero bench` options...]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
plugins=${2:-$root/out/plugins}
shift $(( $# >= 2 ? 2 : $# ))

work=$(mktemp -d /tmp/mcpzero-bench.XXXXXX)
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

sleep 1
idle_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status")

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "command: mcpzero bench $*"
echo "daemon idle RSS after installing the samples: $(awk -v kb="$idle_kb" 'BEGIN { printf "%.1f MB", kb / 1024 }')"
"$bin" bench --socket "$socket" "$@"
