#!/usr/bin/env bash
# The cost of execution governance: for AdmissionControl=true and false, starts a fresh daemon,
# installs data_processing and measures (1) the daemon's CPU at a steady 1,000 exec/s, as utime plus
# stime from /proc/PID/stat over wall time, (2) sequential throughput on one connection and
# (3) concurrent throughput of four agents with two connections each, both unthrottled.
# Usage: perf/governance-bench.sh [BIN] [PLUGIN_DIR] [SECONDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/out/bin/mcpzero}
plugins=${2:-$root/out/plugins}
seconds=${3:-10}
load=$(mktemp -d /tmp/mcpzero-load.XXXXXX)
dotnet build "$root/perf/exec-load/ExecLoad.csproj" -c Release -o "$load" --nologo -v q >/dev/null
ticks_per_second=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_mode() {
  local admission=$1
  local work
  work=$(mktemp -d /tmp/mcpzero-gov.XXXXXX)
  local socket="$work/s.sock"
  MCPZERO__ADMISSIONCONTROL=$admission "$bin" serve --data "$work/data" --socket "$socket" --allow-unsigned-plugins >"$work/daemon.log" 2>&1 &
  local daemon=$!
  for _ in $(seq 1 100); do
    "$bin" status --socket "$socket" >/dev/null 2>&1 && break
    sleep 0.1
  done

  "$bin" plugin install "$plugins/data_processing.wasm" --socket "$socket" >/dev/null
  local agents=()
  for _ in 1 2 3 4; do
    agents+=("$("$bin" agent spawn --owner bench --plugin data_processing --socket "$socket")")
  done
  dotnet "$load/ExecLoad.dll" "$socket" "${agents[0]}" 0 2 1 >/dev/null

  echo "AdmissionControl=$admission"
  local before after
  before=$(cpu_ticks "$daemon")
  echo "  steady 1000/s:  $(dotnet "$load/ExecLoad.dll" "$socket" "${agents[0]}" 1000 "$seconds" 4)"
  after=$(cpu_ticks "$daemon")
  awk -v t=$((after - before)) -v hz="$ticks_per_second" -v s="$seconds" \
    'BEGIN { printf "  daemon CPU at 1000/s: %.1f%% of one core (%d ticks in %d s)\n", 100 * t / hz / s, t, s }'

  echo "  sequential:     $(dotnet "$load/ExecLoad.dll" "$socket" "${agents[0]}" 0 "$seconds" 1)"
  local pids=() outputs=()
  for agent in "${agents[@]}"; do
    dotnet "$load/ExecLoad.dll" "$socket" "$agent" 0 "$seconds" 2 >"$work/concurrent-$agent.txt" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for agent in "${agents[@]}"; do
    echo "  concurrent $agent: $(cat "$work/concurrent-$agent.txt")"
  done

  kill -TERM "$daemon"
  wait "$daemon" || true
  rm -rf "$work"
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
run_mode true
run_mode false
rm -rf "$load"
