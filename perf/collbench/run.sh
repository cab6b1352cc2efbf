#!/usr/bin/env bash
# Builds perf/collbench (Release, run under the JIT) and runs it. Options go to the program, for
# example --documents 100000 --batch 10000 --finds 2000.
# Usage: perf/collbench/run.sh [collbench options...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/out/perf/collbench"

mkdir -p "$(dirname "$build")"
echo "collbench: building $here/CollBench.csproj" >&2
if ! dotnet build "$here/CollBench.csproj" -c Release -o "$build" --nologo -v q >"$build.build.log" 2>&1; then
  cat "$build.build.log" >&2
  echo "collbench: the build failed; the output is above" >&2
  exit 1
fi

exec "$build/collbench" "$@"
