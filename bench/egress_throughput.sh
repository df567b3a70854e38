#!/usr/bin/env bash
# Pull throughput through the egress filter: one image of random data pulled
# from a real registry over TLS (Debian's docker-registry in a network
# namespace) by an engine whose only way out is moatd's egress filter
# (moat.registryAccess on) and by an engine that goes direct (the feature
# off), alternately, in the same run. Each pull starts from nothing: the
# image is removed after it. Prints MiB/s per mode and the paired ratio.
#   bench/egress_throughput.sh [BUILD_DIR] [MIB] [ROUNDS]
# Goal: filtered / direct at least 0.95 for 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
mib=${2:-200}
rounds=${3:-15}
moatctl=$build/bin/moatctl

if [ "$(id -u)" != 0 ]; then
  echo "egress_throughput: run as root: it starts engines and a network namespace" >&2
  exit 2
fi
[ -x "$moatctl" ] || { echo "egress_throughput: $moatctl is missing; build it first" >&2; exit 2; }
for cmd in docker docker-registry openssl ip curl; do
  command -v "$cmd" >/dev/null || { echo "egress_throughput: $cmd is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done

. bench/lib/bench_registry.sh
work=$(mktemp -d /tmp/moat-bench-XXXXXX)
chmod 755 "$work"
cleanup() {
  for stack in "$work/filtered" "$work/direct"; do
    [ -d "$stack" ] && { $moatctl down --root "$stack" >/dev/null 2>&1 || true; }
  done
  bench_registry_down
  rm -rf "$work"
}
trap cleanup EXIT
bench_registry_up "$work/registry"

engine_options='"linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}}'
cat >"$work/direct.json" <<JSON
{"configurationFileVersion": 2, $engine_options}
JSON
cat >"$work/filtered.json" <<JSON
{"configurationFileVersion": 2, $engine_options,
 "moat": {"registryAccess": {"locked": true, "value": [{"address": "$registry", "pull": true, "push": true}]}}}
JSON
$moatctl up --root "$work/direct" --admin-settings "$work/direct.json" >/dev/null
$moatctl up --root "$work/filtered" --admin-settings "$work/filtered.json" >/dev/null
direct_engine=unix://$work/direct/engine.sock
filtered_engine=unix://$work/filtered/engine.sock

image=$registry/bench/random:$mib
mkdir -p "$work/image"
head -c "${mib}M" /dev/urandom >"$work/image/payload"
tar -C "$work/image" -c payload | DOCKER_HOST=$direct_engine docker import - "$image" >/dev/null
rm -rf "$work/image"
DOCKER_HOST=$direct_engine docker push "$image" >/dev/null
DOCKER_HOST=$direct_engine docker rmi "$image" >/dev/null

# Seconds one pull takes on an engine, the image removed afterwards.
pull_seconds() {
  local start end
  start=$(date +%s.%N)
  DOCKER_HOST=$1 docker pull -q "$image" >/dev/null
  end=$(date +%s.%N)
  DOCKER_HOST=$1 docker rmi "$image" >/dev/null
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One pull each to warm the page cache of the registry's files.
pull_seconds "$direct_engine" >/dev/null
pull_seconds "$filtered_engine" >/dev/null
# The filtered engine must really have gone through the filter.
if ! $moatctl audit query --rule egress.allowed --root "$work/filtered" | grep -q "egress CONNECT $registry"; then
  echo "egress_throughput: the filtered engine's pull left no egress record; is the filter its proxy?" >&2
  exit 1
fi

direct_rates=
filtered_rates=
ratios=
direct_total=0
filtered_total=0
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then
    d=$(pull_seconds "$direct_engine"); f=$(pull_seconds "$filtered_engine")
  else
    f=$(pull_seconds "$filtered_engine"); d=$(pull_seconds "$direct_engine")
  fi
  direct_rates="$direct_rates $(awk -v m="$mib" -v t="$d" 'BEGIN { printf "%.1f", m / t }')"
  filtered_rates="$filtered_rates $(awk -v m="$mib" -v t="$f" 'BEGIN { printf "%.1f", m / t }')"
  ratios="$ratios $(awk -v d="$d" -v f="$f" 'BEGIN { printf "%.3f", d / f }')"
  direct_total=$(awk -v a="$direct_total" -v t="$d" 'BEGIN { printf "%.3f", a + t }')
  filtered_total=$(awk -v a="$filtered_total" -v t="$f" 'BEGIN { printf "%.3f", a + t }')
  echo "round $round: direct $d s, through the egress filter $f s"
done
ratio=$(echo "$ratios" | median)
echo
echo "docker pull of a $mib MiB image (random data, one layer) from $registry over TLS, $rounds rounds:"
echo "  direct                 $(echo "$direct_rates" | median) MiB/s (median)"
echo "  through egress filter  $(echo "$filtered_rates" | median) MiB/s (median)"
echo "  filtered/direct        $ratio (median of the paired rounds; goal at least 0.95: $(awk -v r="$ratio" 'BEGIN { print (r >= 0.95 ? "met" : "MISSED") }'))"
# A second view that a few slow rounds on either side cannot tilt alone.
echo "  total time             direct $direct_total s, filtered $filtered_total s, ratio $(awk -v d="$direct_total" -v f="$filtered_total" 'BEGIN { printf "%.3f", d / f }')"
