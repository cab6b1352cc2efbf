#!/usr/bin/env bash
# Runs the daemon in the foreground on a development data directory, installs the signed sample
# plugin bundles and spawns one example agent once the socket answers. Signature checks stay on:
# the daemon trusts the keys in TRUSTED_KEYS. Ctrl-C or SIGTERM stops the daemon cleanly.
#   run-dev.sh BIN BUNDLES DATA TRUSTED_KEYS
set -euo pipefail

bin=$1
bundles=$2
data=$3
trusted_keys=$4
socket="$data/mcpzero.sock"

mkdir -p "$data"
"$bin" serve --data "$data" --socket "$socket" --trusted-keys "$trusted_keys" &
daemon=$!
trap 'kill -TERM "$daemon" 2>/dev/null || true' INT TERM

for _ in $(seq 1 100); do
  if "$bin" status --socket "$socket" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$daemon" 2>/dev/null; then
    wait "$daemon"
    exit $?
  fi
  sleep 0.1
done

# Installing the same module again changes nothing. A different module that the user installed
# under a sample's name is kept: the daemon rejects the sample while agents use that name.
for bundle in "$bundles"/*/; do
  name=$(basename "$bundle")
  if "$bin" plugin install "$bundle" --socket "$socket" >/dev/null 2>"$data/run-dev.err"; then
    echo "run-dev: installed plugin $name"
  else
    echo "run-dev: kept the installed plugin $name: $(cat "$data/run-dev.err")"
  fi
done
rm -f "$data/run-dev.err"

if ! "$bin" agent list --socket "$socket" | awk '$2 == "example" && $3 == "active" { found = 1 } END { exit !found }'; then
  agent=$("$bin" agent spawn --owner example --plugin data_processing --plugin hello --socket "$socket")
  echo "run-dev: spawned example agent $agent"
fi

echo "run-dev: daemon pid $daemon on $socket; try: $bin agent list --socket $socket"

# wait returns early when the trap runs; keep waiting until the daemon has finished its shutdown.
set +e
wait "$daemon"
status=$?
while kill -0 "$daemon" 2>/dev/null; do
  wait "$daemon"
  status=$?
done
exit "$status"
