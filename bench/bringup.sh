#!/usr/bin/env bash
# Bring-up time: `moatctl up` until the engine and moatd answer, against
# starting the same dockerd by hand until its socket answers /_ping, in the
# same run. Prints the medians and their ratio.
#   bench/bringup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-7}
moatctl=$build/bin/moatctl
work=$(mktemp -d /tmp/moat-bench-XXXXXX)
chmod 755 "$work"
trap '$moatctl down --root "$work/moat" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cat > "$work/admin.json" <<'JSON'
{"configurationFileVersion": 2,
 "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}}}
JSON

now() { date +%s.%N; }
wait_ping() { until curl -sf --unix-socket "$1" http://engine/_ping >/dev/null 2>&1; do sleep 0.01; done; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$runs"); do
  d="$work/direct"
  mkdir -p "$d"
  t0=$(now)
  dockerd --data-root "$d/data" --exec-root "$d/run" --host "unix://$d/engine.sock" \
    --pidfile "$d/dockerd.pid" --bridge=none --iptables=false --ip6tables=false >"$d/log" 2>&1 &
  pid=$!
  wait_ping "$d/engine.sock"
  t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/direct.times"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  umount "$d/data" 2>/dev/null || true

  t0=$(now)
  $moatctl up --root "$work/moat" --admin-settings "$work/admin.json" >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc >>"$work/moat.times"
  $moatctl down --root "$work/moat" >/dev/null
done

direct=$(median <"$work/direct.times")
moat=$(median <"$work/moat.times")
printf 'bring-up over %d runs (median): dockerd by hand %.3f s, moatctl up %.3f s, ratio %.2f\n' \
  "$runs" "$direct" "$moat" "$(echo "$moat / $direct" | bc -l)"
