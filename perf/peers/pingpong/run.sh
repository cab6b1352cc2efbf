#!/usr/bin/env bash
# Builds and runs the C Unix-socket ping-pong and writes its JSON result to OUT.json.
# Usage: perf/peers/pingpong/run.sh OUT.json [ITERATIONS=100000] [MESSAGE_BYTES=64]
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 OUT.json [ITERATIONS=100000] [MESSAGE_BYTES=64]" >&2
  exit 2
fi

out=$1
iterations=${2:-100000}
message_bytes=${3:-64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build="$root/out/perf"

compiler=$(command -v cc || command -v clang || command -v gcc || true)
if [ -z "$compiler" ]; then
  echo "pingpong: no C compiler found (cc, clang or gcc); install one with: apt-get install -y clang" >&2
  exit 1
fi

mkdir -p "$build"
if [ ! -x "$build/pingpong" ] || [ "$here/pingpong.c" -nt "$build/pingpong" ]; then
  echo "pingpong: building with $compiler" >&2
  "$compiler" -O2 -Wall -Wextra -o "$build/pingpong" "$here/pingpong.c"
fi

work=$(mktemp -d /tmp/mcpzero-pingpong.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "pingpong: $iterations round trips of $message_bytes bytes" >&2
result=$("$build/pingpong" "$work/pingpong.sock" "$iterations" "$message_bytes")
mkdir -p "$(dirname "$out")"
printf '%s\n' "$result" > "$out"
echo "pingpong: wrote $out" >&2
