#!/usr/bin/env bash
# Socket protocol benchmarks: for StateCommitPolicy sync and interval, starts a fresh daemon,
# installs hello and runs perf/protocol-bench: the sequential no-op exec round trip, 64 pipelined
# execs and agent shows, and 64 of each as one batch against 64 requests. It prints the daemon's
# CPU over the run, then runs the C ping-pong floor with the size of one no-op exec frame.
# Usage: perf/protocol-bench.sh [BIN] [PLUGIN_DIR] [SECONDS] [ITERATIONS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
plugins=${2:-$root/out/plugins}
seconds=${3:-5}
iterations=${4:-20000}
build=$(mktemp -d /tmp/mcpzero-protobench.XXXXXX)
daemon=
# A failed step exits under set -e, so the trap also stops the daemon of the current policy.
trap '[ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null; rm -rf "$build"' EXIT
dotnet build "$root/perf/protocol-bench/ProtocolBench.csproj" -c Release -o "$build/bin" --nologo -v q >/dev/null

ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for policy in sync interval; do
  work="$build/$policy"
  mkdir -p "$work"
  socket="$work/s.sock"
  MCPZERO__STATECOMMITPOLICY=$policy MCPZERO__INSTANCESPERPLUGIN=64 "$bin" serve --data "$work/data" --socket "$socket" --allow-unsigned-plugins >"$work/daemon.log" 2>&1 &
  daemon=$!
  for _ in $(seq 1 100); do
    "$bin" status --socket "$socket" >/dev/null 2>&1 && break
    sleep 0.1
  done

  "$bin" plugin install "$plugins/hello.wasm" --socket "$socket" >/dev/null
  echo "StateCommitPolicy=$policy InstancesPerPlugin=64"
  before=$(cpu_ticks "$daemon")
  started=$(date +%s.%N)
  dotnet "$build/bin/ProtocolBench.dll" "$socket" --seconds "$seconds" --iterations "$iterations"
  after=$(cpu_ticks "$daemon")
  ended=$(date +%s.%N)
  awk -v t=$(( after - before )) -v hz="$ticks_per_second" -v s="$started" -v e="$ended" \
    'BEGIN { printf "daemon_cpu_percent_of_one_core=%.0f over %.1f s\n", 100 * t / hz / (e - s), e - s }'
  kill -TERM "$daemon"
  wait "$daemon" || true
  daemon=
done

frame_bytes=$(dotnet build "$root/perf/McpZero.Perf.Load/McpZero.Perf.Load.csproj" -c Release -o "$build/load" --nologo -v q >/dev/null && dotnet "$build/load/McpZero.Perf.Load.dll" frame-size)
bash "$root/perf/peers/pingpong/run.sh" "$build/pingpong.json" 100000 "$frame_bytes" 2>/dev/null
echo "pingpong floor ($frame_bytes-byte messages): $(cat "$build/pingpong.json")"
