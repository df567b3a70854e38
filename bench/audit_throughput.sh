#!/usr/bin/env bash
# What the audit log costs: the same Docker API load through moatd with audit
# on and with audit paused, at 1 and 8 connections, for GET /_ping, GET
# /containers/json and a create that moatd refuses (privileged, / bound) and
# records. One moatd process serves every round (moatd-audit-switch, moatd
# with a benchmark-only switch: SIGUSR2 pauses audit, SIGUSR1 resumes it),
# because the CPU a request costs differs between two processes of the same
# binary by up to 1.5x, far more than audit costs. The two modes run back to
# back for each scenario; paused audit builds no request summary and writes
# nothing, so the difference is all of audit's cost. Prints, per scenario,
# moatd's CPU per request in each mode and the median of each pair's added
# percentage, and ops/s with its paired ratio; then the goal's figure from
# one run per scenario that switches audit on and off every 0.05 s (see
# below) and, from the same runs, what audit adds to moatd's and dockerd's
# CPU together; then the records/s AuditLog::append writes per fsync policy
# (audit_append_bench).
#   bench/audit_throughput.sh [BUILD_DIR] [SECONDS] [ROUNDS]
# Needs root, busybox-static and BUILD_DIR/bin/{moatctl,moatd-audit-switch,moat-api-load,audit_append_bench}:
#   scripts/build.sh build-bench -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
# Goal at 8 connections: audit adds under 5 % to moatd's CPU per request.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
seconds=${2:-3}
rounds=${3:-8}
moatctl=$build/bin/moatctl
# MOAT_BENCH_MOATD: another build's moatd-audit-switch, to measure a change
# against its base in one sitting. Between sittings this machine's cost of
# a paused request moved by more than most changes do (30 to 44 us for a
# ping within an hour), so alternate the two builds run by run.
moatd=${MOAT_BENCH_MOATD:-$build/bin/moatd-audit-switch}
load=$build/bin/moat-api-load
append_bench=$build/bin/audit_append_bench
warmup=0.5
# How often the switched runs flip audit (MOAT_BENCH_SWITCH_EVERY, seconds).
# Short slices: the machine's speed drifts over seconds, so the shorter a
# pair, the more alike its two slices' machine. 60 s of ping gave a 95 %
# interval of +-3.2 points with 0.25 s slices and +-0.9 with 0.05 s, and
# +-1.2 with 0.05 s and exact CPU readings (bench/README.md).
switch_every=${MOAT_BENCH_SWITCH_EVERY:-0.05}
# MOAT_BENCH_SCENARIOS="refused-create" runs one scenario only.
read -r -a scenarios <<<"${MOAT_BENCH_SCENARIOS:-ping containers-json refused-create}"
# MOAT_BENCH_CONNECTIONS="8" runs at 8 connections only.
read -r -a connection_counts <<<"${MOAT_BENCH_CONNECTIONS:-1 8}"
modes=(on off)

if [ -n "${MOAT_BENCH_MOATD:-}" ] && [ ! -x "$moatd" ]; then
  echo "audit_throughput: MOAT_BENCH_MOATD names $moatd, which is not an executable" >&2
  exit 2
fi
for tool in "$moatctl" "$moatd" "$load" "$append_bench"; do
  if [ ! -x "$tool" ]; then
    echo "audit_throughput: $tool is missing; build it with" >&2
    echo "  scripts/build.sh $build -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release" >&2
    exit 2
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "audit_throughput: run as root: moatctl up starts the engine" >&2
  exit 2
fi
for cmd in docker curl; do
  command -v "$cmd" >/dev/null || { echo "audit_throughput: $cmd is not installed" >&2; exit 2; }
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
export DOCKER_HOST=unix://$stack/engine.sock

# write(2)-family calls moatd made so far: its sockets send with sendmsg(2)
# and splice(2), so these are the audit log's writes (and its stderr).
moatd_writes() { awk '$1 == "syscw:" { print $2 }' "/proc/$moatd_pid/io"; }

# From here on moatd runs as this script's child, started the same way in
# both modes, so the only difference between them is the flag.
start_switched_moatd
for mode in "${modes[@]}"; do set_audit "$mode"; done
# The engine behind moatd: the switched runs also read its CPU, for the
# whole cost of serving a request (moatd's share is the goal's figure).
engine_pid=$(stack_pid dockerd)
if [ -z "$engine_pid" ] || ! kill -0 "$engine_pid" 2>/dev/null; then
  echo "audit_throughput: no running dockerd in $stack/state/stack.json" >&2
  exit 1
fi

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The middle half of the values (nearest rank), to show how far pairs disagree.
quartiles() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else { lo = int((NR + 3) / 4); hi = int((3 * NR + 3) / 4); printf "%.1f to %.1f", v[lo], v[hi] } }'; }
spread() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.0f-%.0f", lo, hi; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
num() { awk -v a="$1" 'BEGIN { if (a == "") print "-"; else printf "%.0f", a }'; }
# How much more moatd's CPU per request is with audit on, in percent.
added_percent() { awk -v on="$1" -v off="$2" 'BEGIN { if (on == "" || off == "" || off + 0 == 0) print "-"; else printf "%.2f", (on / off - 1) * 100 }'; }
# under_goal FIGURE [LOW HIGH]: judged by the 95 % interval when there is
# one, so that noise cannot pass or fail the goal: "met" only when all of the
# interval is under 5 %, "MISSED" only when none of it is.
under_goal() {
  awk -v a="$1" -v lo="${2:-}" -v hi="${3:-}" 'BEGIN {
    if (a == "" || a == "-") print "n/a"
    else if (lo == "" || hi == "") print (a + 0 < 5 ? "met" : "MISSED")
    else if (hi + 0 < 5) print "met"
    else if (lo + 0 >= 5) print "MISSED"
    else print "not resolved: run longer (MOAT_BENCH_SWITCHED_SECONDS)"
  }'
}
# interval JSON: the 95 % interval moat-api-load computed, "LOW HIGH" or nothing.
interval() {
  local lo hi
  lo=$(field added_percent_95_low "$1" || true)
  hi=$(field added_percent_95_high "$1" || true)
  [ -n "$lo" ] && [ -n "$hi" ] && echo "$lo $hi"
  return 0
}
show_interval() { awk -v lo="${1:-}" -v hi="${2:-}" 'BEGIN { if (lo == "") print "no interval: too few pairs"; else printf "95 %% interval %.2f to %.2f", lo, hi }'; }

failed=0
declare -A samples p50 err paired cpu paired_cpu
records_written=0
writes_on=0
requests_on=0
current_mode=off
for round in $(seq "$rounds"); do
  for scenario in "${scenarios[@]}"; do
    for conns in "${connection_counts[@]}"; do
      # The two modes run back to back, so each pair sees the same machine;
      # a pair starts in the mode the last one ended in, so which mode goes
      # first alternates and the switch is flipped once a pair.
      order=(on off)
      [ "$current_mode" = off ] && order=(off on)
      declare -A pair=()
      for mode in "${order[@]}"; do
        if [ "$mode" != "$current_mode" ]; then
          set_audit "$mode"
          current_mode=$mode
        fi
        key=$scenario-$conns-$mode
        out=$work/$key-$round
        before=$(audit_lines)
        writes_before=$(moatd_writes)
        if ! "$load" --socket "$socket" --connections "$conns" --duration "$seconds" \
          --warmup "$warmup" --scenario "$scenario" --image bench/busybox --server-pid "$moatd_pid" --json \
          >"$out.json" 2>"$out.err"; then
          err[$key]="${err[$key]:-}${err[$key]:+, }round $round: $(field errors "$out.json" || echo '?')"
          failed=1
        fi
        pair[$mode]=$(field ops_per_s "$out.json" || true)
        pair[cpu-$mode]=$(field server_cpu_us_per_request "$out.json" || true)
        cpu[$key]="${cpu[$key]:-} ${pair[cpu-$mode]}"
        samples[$key]="${samples[$key]:-} ${pair[$mode]}"
        p50[$key]="${p50[$key]:-} $(field p50_us "$out.json" || true)"
        if [ "$mode" = on ]; then
          write_staged  # what the run staged is in audit.log, counted with it
          requests=$(field requests "$out.json" || true)
          requests_on=$((requests_on + ${requests:-0}))
          records_written=$((records_written + $(audit_lines) - before))
          writes_on=$((writes_on + $(moatd_writes) - writes_before))
        fi
      done
      paired[$scenario-$conns]="${paired[$scenario-$conns]:-} $(ratio "${pair[on]}" "${pair[off]}")"
      paired_cpu[$scenario-$conns]="${paired_cpu[$scenario-$conns]:-} $(added_percent "${pair[cpu-on]}" "${pair[cpu-off]}")"
    done
  done
done

echo
echo "Docker API through one moatd, audit on vs paused: $rounds rounds x $seconds s per run, after ${warmup} s warm-up,"
echo "the two modes back to back. Throughput: median ops/s of each mode (range) and the paired on/off"
echo "(median of each pair's on/off). Cost: moatd's CPU (all threads, user and system) per request in"
echo "the measured window, median of each mode, and the paired added % (median of each pair's on/off - 1)."
if [ -n "${MOAT_BENCH_MOATD:-}" ]; then echo "moatd measured: $moatd (MOAT_BENCH_MOATD)"; fi
printf '%-16s %5s %9s %9s %7s %15s %15s %8s %8s %7s %9s\n' \
  scenario conns "on ops/s" "off ops/s" paired "on range" "off range" "cpu on" "cpu off" "added" "p50 on/off"
declare -A on_off added
for scenario in "${scenarios[@]}"; do
  for conns in "${connection_counts[@]}"; do
    k=$scenario-$conns
    on_off[$k]=$(echo "${paired[$k]:-}" | median)
    added[$k]=$(echo "${paired_cpu[$k]:-}" | median)
    printf '%-16s %5s %9s %9s %7.3f %15s %15s %8.1f %8.1f %6.1f%% %9s\n' "$scenario" "$conns" \
      "$(num "$(echo "${samples[$k-on]:-}" | median)")" "$(num "$(echo "${samples[$k-off]:-}" | median)")" \
      "${on_off[$k]:-0}" "$(echo "${samples[$k-on]:-}" | spread)" "$(echo "${samples[$k-off]:-}" | spread)" \
      "$(echo "${cpu[$k-on]:-}" | median)" "$(echo "${cpu[$k-off]:-}" | median)" "${added[$k]:-0}" \
      "$(num "$(echo "${p50[$k-on]:-}" | median)")/$(num "$(echo "${p50[$k-off]:-}" | median)")"
  done
done
echo
echo "Audit lines written while audit was on: $records_written for $requests_on measured requests (warm-up included in lines),"
echo "in $writes_on write(2) calls: $(awk -v l="$records_written" -v w="$writes_on" 'BEGIN { if (w > 0) printf "%.2f", l / w; else print "-" }') lines per write"

# The goal's figure. Separate runs of a few seconds disagree by more than
# audit costs (the middle half of the pairs above spans up to 25 points for
# ping), so for each scenario one run of 60 s switches moatd
# between audit on and paused every $switch_every s (moat-api-load
# --switch-every): both modes see the same machine within a fraction of a
# second, and the figure is moatd's CPU per request over all slices of each.
# Each is followed by a calibration run of the same length that switches
# to audit on at every switch (moat-api-load --same-mode): the two kinds of
# slice then run the same code, so what that run reads is the method's own
# bias and noise, printed beside the figure. Both print a 95 % interval
# (moat-api-load resamples the pairs), and the goal is judged by it.
# MOAT_BENCH_SWITCHED_SECONDS sets the length: the interval narrows with
# its square root. The audit log's own thread ("audit-log") writes, in a
# slice with audit paused, lines staged with audit on in the slice before,
# so its CPU is taken out of every slice (moat-api-load --first-mode-thread)
# and each request with audit on is charged what the thread costs a request
# in a run of $thread_seconds s with audit on throughout, just before
# (--first-mode-thread-cost). Sharing the switched run's own thread CPU
# over its slices with audit on would charge them twice what it costs:
# most of the thread's work comes once a second (the checkpoint's
# signature, sync and state file) whatever the rate of records, and a
# switched run has half the records to share it over. Both are shown.
switched_seconds=${MOAT_BENCH_SWITCHED_SECONDS:-60}
# MOAT_BENCH_THREAD_SECONDS: the run with audit on throughout.
thread_seconds=${MOAT_BENCH_THREAD_SECONDS:-20}
switched_added=()
switched_interval=()
switched_lines=()
calibration_added=()
calibration_interval=()
whole_lines=()
calibration_whole_added=()
# whole_added JSON: the added % of moatd's and the engine's CPU together.
whole_added() {
  local on off engine_on engine_off
  on=$(field sigusr1_cpu_us_per_request "$1" || true)
  off=$(field sigusr2_cpu_us_per_request "$1" || true)
  engine_on=$(field sigusr1_engine_cpu_us_per_request "$1" || true)
  engine_off=$(field sigusr2_engine_cpu_us_per_request "$1" || true)
  if [ -z "$on" ] || [ -z "$off" ] || [ -z "$engine_on" ] || [ -z "$engine_off" ]; then
    echo "-"
    return
  fi
  added_percent "$(awk -v a="$on" -v b="$engine_on" 'BEGIN { print a + b }')" \
    "$(awk -v a="$off" -v b="$engine_off" 'BEGIN { print a + b }')"
}
# thread_run SCENARIO OUT: audit on throughout; sets $steady to the
# audit-log thread's CPU per request in the measured window.
thread_run() {
  set_audit on
  if ! "$load" --socket "$socket" --connections 8 --duration "$thread_seconds" --warmup "$warmup" \
    --scenario "$1" --image bench/busybox --server-pid "$moatd_pid" --first-mode-thread audit-log \
    --json >"$2.json" 2>"$2.err"; then
    echo "audit_throughput: the run of $1 with audit on throughout failed: $(cat "$2.err")" >&2
    failed=1
  fi
  steady=$(field first_mode_thread_cpu_us_per_request "$2.json" || true)
  if [ -z "$steady" ]; then
    echo "audit_throughput: the run of $1 with audit on throughout did not report the audit-log thread's CPU" >&2
    failed=1
  fi
}
# switched_run SCENARIO OUT THREAD_US [--same-mode]
switched_run() {
  set_audit on
  current_mode=on
  if ! "$load" --socket "$socket" --connections 8 --duration "$switched_seconds" --warmup "$warmup" \
    --scenario "$1" --image bench/busybox --server-pid "$moatd_pid" --engine-pid "$engine_pid" \
    --switch-every "$switch_every" --first-mode-thread audit-log ${3:+--first-mode-thread-cost "$3"} \
    ${4:+"$4"} --json >"$2.json" 2>"$2.err"; then
    echo "audit_throughput: the switched run ${4:+($4) }of $1 failed: $(cat "$2.err")" >&2
    failed=1
  fi
}
for scenario in "${scenarios[@]}"; do
  thread_run "$scenario" "$work/$scenario-thread"
  out=$work/$scenario-switched
  switched_run "$scenario" "$out" "$steady"
  on=$(field sigusr1_cpu_us_per_request "$out.json" || true)
  off=$(field sigusr2_cpu_us_per_request "$out.json" || true)
  pairs=$(grep -o '"pair_added_percent":\[[^]]*\]' "$out.json" | cut -d'[' -f2 | tr -d ']' | tr ',' ' ')
  switched_added+=("$(added_percent "$on" "$off")")
  switched_interval+=("$(interval "$out.json")")
  writer=$(field first_mode_thread_cpu_us_per_request "$out.json" || true)
  switched_lines+=("$(printf '%8.1f %8.1f  %s slices; middle half of the pairs: %s %%; audit-log thread %.2f us a request with audit on throughout (this run'"'"'s own, over its slices with audit on: %.2f us)' \
    "${on:-0}" "${off:-0}" "$(field slices "$out.json" || echo '?')" "$(echo "$pairs" | quartiles)" "${steady:-0}" "${writer:-0}")")
  whole_lines+=("$(printf '%8.1f %8.1f' "$(field sigusr1_engine_cpu_us_per_request "$out.json" || echo 0)" \
    "$(field sigusr2_engine_cpu_us_per_request "$out.json" || echo 0)")  added $(whole_added "$out.json") %")
  switched_run "$scenario" "$work/$scenario-calibration" "$steady" --same-mode
  calibration_added+=("$(added_percent "$(field sigusr1_cpu_us_per_request "$work/$scenario-calibration.json" || true)" \
    "$(field sigusr2_cpu_us_per_request "$work/$scenario-calibration.json" || true)")")
  calibration_interval+=("$(interval "$work/$scenario-calibration.json")")
  calibration_whole_added+=("$(whole_added "$work/$scenario-calibration.json")")
done

echo
echo "Goal at 8 connections: audit adds under 5 % to the cost of a request: moatd's CPU per request with"
echo "audit on against paused, switched every $switch_every s through one $switched_seconds s run per scenario"
echo "(throughput on/off from the paired runs above, which on this 2-vCPU machine also moves with dockerd and the generator)"
printf '  %-16s %8s %8s\n' scenario "cpu on" "cpu off"
for i in "${!scenarios[@]}"; do
  scenario=${scenarios[$i]}
  read -r lo hi <<<"${switched_interval[$i]:-}" || true
  printf '  %-16s %s\n  %-16s CPU added %6.2f %%, %s (%s)   throughput on/off %6.3f\n' "$scenario" "${switched_lines[$i]}" "" \
    "${switched_added[$i]:-0}" "$(show_interval "${lo:-}" "${hi:-}")" "$(under_goal "${switched_added[$i]:-}" "${lo:-}" "${hi:-}")" \
    "${on_off[$scenario-8]:-0}"
  read -r lo hi <<<"${calibration_interval[$i]:-}" || true
  printf '  %-16s calibration, audit on in both kinds of slice: %6.2f %%, %s (the method'"'"'s own bias and noise: the interval should hold 0)\n' "" \
    "${calibration_added[$i]:-0}" "$(show_interval "${lo:-}" "${hi:-}")"
done
echo
echo "The whole cost of serving a request, from the same switched runs: dockerd's CPU per request with audit"
echo "on and paused, and the added % of moatd's and dockerd's CPU together (not the goal's figure; the client's"
echo "own CPU is left out). refused-create never reaches dockerd."
printf '  %-16s %8s %8s\n' scenario "dockerd on" "off"
for i in "${!scenarios[@]}"; do
  printf '  %-16s %s (calibration %s %%)\n' "${scenarios[$i]}" "${whole_lines[$i]}" "${calibration_whole_added[$i]}"
done

# The stack is no longer needed: tear it down so the writer benchmark has
# the machine to itself.
stop_switched_moatd
$moatctl down --root "$stack" >/dev/null 2>&1 || true

echo
echo "AuditLog::append, ~400-byte request summary, checkpoint every 1000 records, in ${TMPDIR:-/tmp}"
echo "(raw write: lines of the same length, one write(2) each, synced as the policy syncs)"
csv=$work/append.csv
"$append_bench" --benchmark_min_time=0.3 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true \
  --benchmark_format=csv >"$csv" 2>"$work/append.err" || {
  echo "audit_throughput: audit_append_bench failed:" >&2
  cat "$work/append.err" "$csv" >&2
  exit 1
}
# items_per_second of the median of each benchmark.
rate() { awk -F, -v name="\"$1/real_time_median\"" '$1 == name { print $7 }' "$csv"; }
cpu_rate() { awk -F, -v name="\"$1_median\"" '$1 == name { print $7 }' "$csv"; }
printf '%-24s %14s %14s %9s\n' "fsync policy" "audit rec/s" "raw write/s" audit/raw
for policy in checkpoints every_record never; do
  a=$(rate "audit_append/fsync:$policy")
  r=$(rate "raw_write/fsync:$policy")
  printf '%-24s %14s %14s %9s\n' "$policy" "$(num "$a")" "$(num "$r")" "$(ratio "$a" "$r")"
done
printf '%-24s %14s\n' "checkpoints, rotate 1MiB" "$(num "$(rate "audit_append/fsync:checkpoints/rotate:1MiB")")"
printf '%-24s %14s\n' "checkpoints, write-behind" "$(num "$(rate "audit_append/fsync:checkpoints/write-behind")")"
for policy in checkpoints never; do
  printf '%-24s %14s\n' "$policy, no state file" "$(num "$(rate "audit_append/fsync:$policy/no-state-file")")"
done
echo "CPU only: to_line + sha256 $(num "$(cpu_rate cpu/to_line+sha256)")/s, refused create's summary + line + sha256 $(num "$(cpu_rate cpu/refused_create_record)")/s, checkpoint signature $(num "$(cpu_rate cpu/checkpoint_sign)")/s"

if [ "$failed" != 0 ]; then
  echo
  echo "Runs with errors (results of those runs are not comparable):"
  for k in "${!err[@]}"; do
    echo "  $k: ${err[$k]} failed operation(s)"
  done
  for f in "$work"/*.err; do
    [ -s "$f" ] && sed "s|^|  $(basename "$f" .err): |" "$f"
  done
  exit 1
fi
