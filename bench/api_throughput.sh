#!/usr/bin/env bash
# Docker API throughput and latency over keep-alive connections, in one run,
# for three ways to the same engine: its socket directly, through moatd, and
# through HAProxy set up as a path-filtering docker socket proxy. Prints
# operations/s, p50/p99 and the ratios moatd/direct and moatd/HAProxy for
# each scenario at 1 and 8 connections.
#   bench/api_throughput.sh [BUILD_DIR] [SECONDS]
# Needs root, haproxy, busybox-static and BUILD_DIR/bin/{moatctl,moat-api-load}:
#   scripts/build.sh build-bench -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
# Goals at 8 connections: moatd >= 0.85 x direct and >= 2 x HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
seconds=${2:-10}
moatctl=$build/bin/moatctl
load=$build/bin/moat-api-load
warmup=1
scenarios=(ping containers-json create-remove)
connection_counts=(1 8)
targets=(direct moatd haproxy)

for tool in "$moatctl" "$load"; do
  if [ ! -x "$tool" ]; then
    echo "api_throughput: $tool is missing; build it with" >&2
    echo "  scripts/build.sh $build -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release" >&2
    exit 2
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "api_throughput: run as root: moatctl up starts the engine" >&2
  exit 2
fi
for cmd in haproxy docker curl; do
  command -v "$cmd" >/dev/null || { echo "api_throughput: $cmd is not installed" >&2; exit 2; }
done

. bench/lib/bench_stack.sh
work=
stack=
haproxy_pid=
cleanup() {
  if [ -n "$haproxy_pid" ]; then
    kill "$haproxy_pid" 2>/dev/null || true
    wait "$haproxy_pid" 2>/dev/null || true
  fi
  bench_stack_down
}
trap cleanup EXIT
bench_stack_up
declare -A socket=(
  [direct]=$stack/engine.sock
  [moatd]=$stack/docker.sock
  [haproxy]=$work/haproxy.sock
)

export DOCKER_HOST=unix://${socket[direct]}

# Path filter in the style of the common docker socket proxies: an allow list
# of API sections, with or without a /v1.xx prefix; everything else is 403.
cat > "$work/haproxy.cfg" <<CFG
global
  nbthread 2
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 10m
  timeout server 10m
  timeout http-request 1m
  timeout http-keep-alive 10m

frontend docker
  bind unix@$work/haproxy.sock mode 666
  http-request allow if { path,url_dec -m reg -i ^(/v[0-9.]+)?/(_ping|version|containers|images|info|events|exec)(/|\$) }
  http-request deny deny_status 403
  default_backend engine

backend engine
  server engine unix@${socket[direct]}
CFG
haproxy -c -q -f "$work/haproxy.cfg"
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 100); do
  [ -S "${socket[haproxy]}" ] && break
  sleep 0.05
done

# Sanity: every target answers, and HAProxy really filters.
for t in "${targets[@]}"; do
  if [ "$(curl -s --max-time 5 --unix-socket "${socket[$t]}" http://docker/v1.41/_ping)" != OK ]; then
    echo "api_throughput: $t (${socket[$t]}) does not answer /_ping" >&2
    cat "$work/haproxy.log" >&2
    exit 1
  fi
done
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "${socket[haproxy]}" \
  http://docker/v1.41/volumes)
if [ "$status" != 403 ]; then
  echo "api_throughput: HAProxy answered GET /v1.41/volumes with $status, not 403: the filter is not active" >&2
  exit 1
fi

# Reads a number from moat-api-load's one-line JSON (numbers come before
# the free-text error samples).
field() { grep -o "\"$1\":[0-9.eE+-]*" "$2" | head -n1 | cut -d: -f2; }

failed=0
declare -A rps p50 p99 err cpu
for scenario in "${scenarios[@]}"; do
  for conns in "${connection_counts[@]}"; do
    # Targets back to back for each cell, so drift hits all three alike.
    for t in "${targets[@]}"; do
      out=$work/$scenario-$conns-$t
      key=$scenario-$conns-$t
      if "$load" --socket "${socket[$t]}" --connections "$conns" --duration "$seconds" \
        --warmup "$warmup" --scenario "$scenario" --image bench/busybox --json \
        >"$out.json" 2>"$out.err"; then
        err[$key]=0
      else
        err[$key]=$(field errors "$out.json" || true)
        err[$key]=${err[$key]:-?}
        failed=1
      fi
      rps[$key]=$(field ops_per_s "$out.json" || true)
      p50[$key]=$(field p50_us "$out.json" || true)
      p99[$key]=$(field p99_us "$out.json" || true)
      cpu[$key]=$(field generator_cpu_s "$out.json" || true)
    done
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
num() { awk -v a="$1" 'BEGIN { if (a == "") print "-"; else printf "%.0f", a }'; }
verdict() { awk -v r="$1" -v goal="$2" 'BEGIN { if (r == "-") print "n/a"; else if (r + 0 >= goal) print "met"; else print "MISSED" }'; }
lat() { echo "${p50[$1]:--}/${p99[$1]:--}"; }

echo
echo "Docker API over keep-alive connections: $seconds s per run after ${warmup} s warm-up; ops/s, latency p50/p99 in us"
echo "(create-remove: one operation = POST containers/create + DELETE containers/ID?force=1)"
printf '%-16s %5s %10s %10s %10s %8s %8s %15s %15s %15s\n' \
  scenario conns direct moatd haproxy m/direct m/hapx "direct lat" "moatd lat" "haproxy lat"
for scenario in "${scenarios[@]}"; do
  for conns in "${connection_counts[@]}"; do
    k=$scenario-$conns
    printf '%-16s %5s %10s %10s %10s %8s %8s %15s %15s %15s\n' "$scenario" "$conns" \
      "$(num "${rps[$k-direct]}")" "$(num "${rps[$k-moatd]}")" "$(num "${rps[$k-haproxy]}")" \
      "$(ratio "${rps[$k-moatd]}" "${rps[$k-direct]}")" \
      "$(ratio "${rps[$k-moatd]}" "${rps[$k-haproxy]}")" \
      "$(lat "$k-direct")" "$(lat "$k-moatd")" "$(lat "$k-haproxy")"
  done
done

echo
echo "Goals at 8 connections: moatd >= 0.85 x direct, moatd >= 2 x haproxy"
for scenario in "${scenarios[@]}"; do
  k=$scenario-8
  vs_direct=$(ratio "${rps[$k-moatd]}" "${rps[$k-direct]}")
  vs_haproxy=$(ratio "${rps[$k-moatd]}" "${rps[$k-haproxy]}")
  printf '  %-16s moatd/direct %5s %-8s  moatd/haproxy %5s %s\n' "$scenario" \
    "$vs_direct" "($(verdict "$vs_direct" 0.85))" "$vs_haproxy" "($(verdict "$vs_haproxy" 2))"
done

echo
busiest=$(for k in "${!cpu[@]}"; do echo "${cpu[$k]:-0} $k"; done | sort -rn | head -n1)
awk -v c="${busiest%% *}" -v s="$seconds" -v w="$warmup" -v k="${busiest#* }" \
  'BEGIN { printf "Load generator: at most %.0f%% of one core (%s)\n", 100 * c / (s + w), k }'

if [ "$failed" != 0 ]; then
  echo
  echo "Runs with errors (results of those runs are not comparable):"
  for scenario in "${scenarios[@]}"; do
    for conns in "${connection_counts[@]}"; do
      for t in "${targets[@]}"; do
        key=$scenario-$conns-$t
        if [ "${err[$key]}" != 0 ]; then
          echo "  $scenario, $conns conns, $t: ${err[$key]} failed operation(s)"
          sed 's/^/    /' "$work/$key.err"
        fi
      done
    done
  done
  exit 1
fi
