#!/usr/bin/env bash
# Builds perf/statebench (Release, run under the JIT) and runs the same agent-state workload on
# the product's FASTER-based StateStore and on SQLite, writing the JSON result to OUT.json.
# Options after OUT.json go to the program, for example --ops 500000 or --commit-every 100.
# Usage: perf/statebench/run.sh OUT.json [statebench options...]
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 OUT.json [--agents N] [--variables N] [--value-bytes N] [--read-percent N] [--ops N] [--warmup N] [--commit-every N] [--seed N] [--sqlite-synchronous NORMAL|FULL]" >&2
  exit 2
fi

out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/out/perf/statebench"

if ! command -v dotnet >/dev/null; then
  echo "statebench: the .NET 10 SDK is missing: install it and put dotnet on PATH" >&2
  exit 1
fi

mkdir -p "$(dirname "$build")"
echo "statebench: building $here/StateBench.csproj" >&2
if ! dotnet build "$here/StateBench.csproj" -c Release -o "$build" --nologo -v q >"$build.build.log" 2>&1; then
  cat "$build.build.log" >&2
  echo "statebench: the build failed; the output is above" >&2
  exit 1
fi

work=$(mktemp -d /tmp/mcpzero-statebench.XXXXXX)
trap 'rm -rf "$work"' EXIT

result=$(dotnet "$build/statebench.dll" --work "$work/stores" "$@")
mkdir -p "$(dirname "$out")"
printf '%s\n' "$result" > "$out"
echo "statebench: wrote $out" >&2
