#!/usr/bin/env bash
# Builds perf/tracebench (Release, run under the JIT) and runs the trace log benchmarks: batch
# append of 100k records, list on a 1M-record log, and start-up of the AOT daemon on that log.
# Usage: perf/tracebench/run.sh [tracebench options...]   (run `make build` first for the daemon part)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/out/perf/tracebench"

mkdir -p "$(dirname "$build")"
echo "tracebench: building $here/TraceBench.csproj" >&2
if ! dotnet build "$here/TraceBench.csproj" -c Release -o "$build" --nologo -v q >"$build.build.log" 2>&1; then
  cat "$build.build.log" >&2
  echo "tracebench: the build failed; the output is above" >&2
  exit 1
fi

work=$(mktemp -d /tmp/mcpzero-tracebench.XXXXXX)
trap 'rm -rf "$work"' EXIT

binary=()
if [ -x "$root/out/bin/mcpzero" ]; then
  binary=(--binary "$root/out/bin/mcpzero")
else
  echo "tracebench: $root/out/bin/mcpzero is missing, so the daemon start-up is not measured; run make build first" >&2
fi

dotnet "$build/tracebench.dll" --work "$work" "${binary[@]}" "$@"
