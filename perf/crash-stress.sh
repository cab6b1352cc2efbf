#!/usr/bin/env bash
# Kill -9 stress run. It starts a daemon on a temporary data directory and lets a client call
# `hello.greet` on one agent in a loop. It kills the daemon with SIGKILL after a random delay,
# restarts it, and checks that the greeting counter kept every acknowledged call and that the trace
# chain verifies. Repeats ROUNDS times; the delays come from bash's RANDOM seeded with SEED.
# Usage: perf/crash-stress.sh [ROUNDS] [SEED] [BIN] [PLUGIN_DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-200}
RANDOM=${2:-1}
bin=${3:-$root/out/bin/mcpzero}
plugins=${4:-$root/out/plugins}

work=$(mktemp -d /tmp/mcpzero-crash.XXXXXX)
socket="$work/s.sock"
daemon=0
writer=0
trap 'kill -9 "$writer" "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT

start_daemon() {
  "$bin" serve --data "$work/data" --socket "$socket" --allow-unsigned-plugins >>"$work/daemon.log" 2>&1 &
  daemon=$!
  for _ in $(seq 1 200); do
    "$bin" status --socket "$socket" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "crash-stress: the daemon did not start; log in $work/daemon.log" >&2
  trap - EXIT
  exit 1
}

greeting_number() {
  sed -n 's/.*(greeting #\([0-9]*\)).*/\1/p'
}

start_daemon
"$bin" plugin install "$plugins/hello.wasm" --socket "$socket" >/dev/null
agent=$("$bin" agent spawn --plugin hello --socket "$socket")
acknowledged=0

for round in $(seq 1 "$rounds"); do
  : >"$work/acked"
  (
    while out=$("$bin" agent exec "$agent" greet stress --socket "$socket" 2>/dev/null); do
      echo "$out" | greeting_number >>"$work/acked"
    done
  ) &
  writer=$!

  sleep "0.$(( RANDOM % 900 + 100 ))"
  kill -9 "$daemon"
  wait "$daemon" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true

  last=$(tail -n 1 "$work/acked")
  acknowledged=${last:-$acknowledged}

  start_daemon
  next=$("$bin" agent exec "$agent" greet check --socket "$socket" | greeting_number)
  # One call may have been in flight at the kill, and it may or may not have survived.
  if [ "$next" -ne $((acknowledged + 1)) ] && [ "$next" -ne $((acknowledged + 2)) ]; then
    echo "crash-stress: round $round: greeting #$next after restart, #$acknowledged was acknowledged; data in $work" >&2
    trap - EXIT
    exit 1
  fi
  acknowledged=$next

  if ! verify=$("$bin" trace verify --socket "$socket"); then
    echo "crash-stress: round $round: trace verify failed: $verify; data in $work" >&2
    trap - EXIT
    exit 1
  fi
done

echo "crash-stress: $rounds rounds passed; $acknowledged greetings acknowledged; $(echo "$verify" | head -n 1)"
