#!/usr/bin/env bash
# Prints this machine's telemetry as a JSON array of records, one per sample, for feeding the
# data_processing plugin: load averages, memory from /proc/meminfo and CPU busy share from two
# readings of /proc/stat taken INTERVAL seconds apart.
# Usage: telemetry.sh [SAMPLES] [INTERVAL_SECONDS]
set -euo pipefail

samples=${1:-3}
interval=${2:-0.5}
host=$(hostname)

cpu_times() {
  # user nice system idle iowait irq softirq steal from the aggregate "cpu" line
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat
}

printf '['
for i in $(seq 1 "$samples"); do
  read -r busy1 idle1 < <(cpu_times)
  sleep "$interval"
  read -r busy2 idle2 < <(cpu_times)
  read -r load1 load5 load15 _ < /proc/loadavg
  mem_total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  mem_available=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)

  [ "$i" -gt 1 ] && printf ','
  awk -v host="$host" -v b1="$busy1" -v i1="$idle1" -v b2="$busy2" -v i2="$idle2" \
      -v l1="$load1" -v l5="$load5" -v l15="$load15" -v total="$mem_total" -v avail="$mem_available" \
      -v ts="$(date -u +%Y-%m-%dT%H:%M:%SZ)" 'BEGIN {
    busy = b2 - b1; idle = i2 - i1
    cpu = (busy + idle) > 0 ? 100 * busy / (busy + idle) : 0
    printf "{\"host\":\"%s\",\"time\":\"%s\",\"cpu_busy_pct\":%.2f,\"load1\":%s,\"load5\":%s,\"load15\":%s,\"mem_used_mb\":%.1f,\"mem_available_mb\":%.1f}", \
      host, ts, cpu, l1, l5, l15, (total - avail) / 1024, avail / 1024
  }'
done
printf ']\n'
