#!/usr/bin/env bash
# Where audit's cost goes, in instructions: moatd-audit-switch under
# callgrind serves the same load with audit on and then paused, and this
# prints moatd's user-space instructions per request in each mode, what
# audit adds, and the functions that add the most. Unlike the CPU time that
# audit_throughput.sh judges the goal by, the counts do not move with the
# machine, so a change of a few hundred instructions shows; they leave out
# the kernel (the log's write(2)), and valgrind runs OpenSSL's SHA-256
# without the CPU's SHA instructions, so the hash counts about ten times
# what it costs natively (printed on a line of its own). The Ed25519
# functions (fe_*, ge_*, cmov) are the checkpoint signature: at most one a
# second, so under valgrind's slow requests they weigh several times more
# than natively.
#   bench/audit_instructions.sh [BUILD_DIR] [SCENARIO] [SECONDS]
# SCENARIO: ping (default), containers-json or refused-create. Needs root,
# valgrind, busybox-static and BUILD_DIR/bin/{moatctl,moatd-audit-switch,moat-api-load}:
#   scripts/build.sh build-bench -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
scenario=${2:-ping}
seconds=${3:-5}
moatctl=$build/bin/moatctl
# MOAT_BENCH_MOATD: another build's moatd-audit-switch, as in audit_throughput.sh.
moatd=${MOAT_BENCH_MOATD:-$build/bin/moatd-audit-switch}
load=$build/bin/moat-api-load
connections=8

for tool in "$moatctl" "$moatd" "$load"; do
  if [ ! -x "$tool" ]; then
    echo "audit_instructions: $tool is missing; build it with" >&2
    echo "  scripts/build.sh $build -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release" >&2
    exit 2
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "audit_instructions: run as root: moatctl up starts the engine" >&2
  exit 2
fi
for cmd in docker curl valgrind callgrind_control; do
  command -v "$cmd" >/dev/null || { echo "audit_instructions: $cmd is not installed" >&2; exit 2; }
done

. bench/lib/bench_stack.sh
. bench/lib/audit_switch.sh
work=
stack=
cleanup() {
  stop_switched_moatd
  bench_stack_down
}
trap cleanup EXIT
bench_stack_up
socket=$stack/docker.sock
start_switched_moatd valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out"

# Each function's own instructions (not its callees'), "COUNT<TAB>NAME" per
# line, read from the dump itself: callgrind_annotate charges the frames
# that were on the stack at the dump (main, the event loop) with the whole
# program. In the format, a cost line after "calls=" is the call's
# inclusive cost, which belongs to the callee; names are given once with
# their "(id)" and later by the id alone.
self_instructions() {
  awk '
    function name_of(spec,   id, rest) {
      if (!match(spec, /^\([0-9]+\)/)) return spec
      id = substr(spec, RSTART, RLENGTH)
      rest = substr(spec, RLENGTH + 2)
      if (rest != "") names[id] = rest
      return names[id]
    }
    /^fn=/ { current = name_of(substr($0, 4)); next }
    /^cfn=/ { name_of(substr($0, 5)); next }
    /^calls=/ { call_cost_next = 1; next }
    /^[0-9+*-]/ {
      if (call_cost_next) { call_cost_next = 0; next }
      self[current] += $NF
    }
    END { for (f in self) if (self[f] > 0) print self[f] "\t" f }' "$1"
}

# One dump per mode: counters zeroed after the switch (set_audit proves it
# took) and a second of warm-up, dumped after the measured load, so each
# dump holds that mode's requests only.
declare -A requests
dump=0
for mode in on off; do
  set_audit "$mode"
  "$load" --socket "$socket" --connections "$connections" --duration 1 --warmup 0 \
    --scenario "$scenario" --image bench/busybox >/dev/null 2>&1 || true
  callgrind_control -z "$moatd_pid" >/dev/null 2>&1
  if ! "$load" --socket "$socket" --connections "$connections" --duration "$seconds" --warmup 0 \
    --scenario "$scenario" --image bench/busybox --json >"$work/$mode.json" 2>"$work/$mode.err"; then
    echo "audit_instructions: the load with audit $mode failed:" >&2
    cat "$work/$mode.err" >&2
    exit 1
  fi
  callgrind_control -d "$mode" "$moatd_pid" >/dev/null 2>&1
  dump=$((dump + 1))
  requests[$mode]=$(field requests "$work/$mode.json")
  for _ in $(seq 100); do [ -s "$work/callgrind.out.$dump" ] && break; sleep 0.1; done
  self_instructions "$work/callgrind.out.$dump" >"$work/$mode.functions"
  grep -m1 '^summary:' "$work/callgrind.out.$dump" | awk '{ print $2 }' >"$work/$mode.total"
done

printf 'moatd under callgrind, %s at %d connections, %s s per mode after 1 s of warm-up\n' \
  "$scenario" "$connections" "$seconds"
awk -v on_requests="${requests[on]}" -v off_requests="${requests[off]}" \
  -v on_total="$(cat "$work/on.total")" -v off_total="$(cat "$work/off.total")" '
  BEGIN { FS = "\t" }
  FILENAME ~ /on.functions$/ { on[$2] = $1 / on_requests; names[$2] = 1; next }
  { off[$2] = $1 / off_requests; names[$2] = 1 }
  END {
    on_per = on_total / on_requests; off_per = off_total / off_requests
    printf "requests: %d with audit on, %d paused\n", on_requests, off_requests
    printf "instructions per request: %.0f on, %.0f paused, audit adds %.0f (%.1f %%)\n",
      on_per, off_per, on_per - off_per, (on_per / off_per - 1) * 100
    for (name in names) {
      added = on[name] - off[name]
      if (name ~ /sha256_block_data_order/) { sha += added; continue }
      rows[name] = added
    }
    printf "of which SHA-256 blocks %.0f (natively the CPU'"'"'s SHA instructions do them in about a tenth)\n", sha
    printf "\nfunctions whose own instructions per request grow most with audit on (SHA-256 blocks left out):\n"
    n = 0
    for (name in rows) order[++n] = name
    for (i = 2; i <= n; i++) { v = order[i]; j = i - 1; while (j > 0 && rows[order[j]] < rows[v]) { order[j + 1] = order[j]; j-- } order[j + 1] = v }
    for (i = 1; i <= n && i <= 20; i++) {
      name = order[i]; short = name
      if (length(short) > 110) short = substr(short, 1, 107) "..."
      printf "%8.0f  %s\n", rows[name], short
    }
  }' "$work/on.functions" "$work/off.functions"
