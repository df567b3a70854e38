#!/usr/bin/env bash
# Bulk stream throughput through moatd against the engine socket directly,
# in the same run: `docker load -i` of an image tarball of MIB MiB, and
# `docker cp` of a MIB MiB file out of a created container. The payload is
# random, so nothing on the way can compress it. Each is timed 3 times per
# target, interleaved; prints the medians in MiB/s and moatd/direct.
#   bench/stream_throughput.sh [BUILD_DIR] [MIB]
# Needs root and BUILD_DIR/bin/moatctl:
#   scripts/build.sh build-bench -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
# Goal: a 1 GiB stream through moatd >= 0.95 x direct.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
mib=${2:-1024}
runs=3
moatctl=$build/bin/moatctl
targets=(direct moatd)

if [ ! -x "$moatctl" ]; then
  echo "stream_throughput: $moatctl is missing; build it with" >&2
  echo "  scripts/build.sh $build -DMOAT_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "stream_throughput: run as root: moatctl up starts the engine" >&2
  exit 2
fi

# Peak use is about 3 x MIB (payload, image tarball, the engine's copy of the
# layer); ask for 4 x to leave room for the rest of the machine.
free_mib=$(df -Pk /tmp | awk 'NR == 2 { print int($4 / 1024) }')
if [ "$free_mib" -lt $((4 * mib)) ]; then
  scaled=$((free_mib / 4))
  echo "stream_throughput: WARNING: only $free_mib MiB free in /tmp, $((4 * mib)) MiB needed for $mib MiB streams;" \
    "scaling down to $scaled MiB (results then say less about the 1 GiB goal)" >&2
  mib=$scaled
fi
if [ "$mib" -lt 16 ]; then
  echo "stream_throughput: not enough free space in /tmp for a meaningful stream ($mib MiB)" >&2
  exit 2
fi

# Unix socket paths must stay under 108 bytes: keep the root short.
work=$(mktemp -d /tmp/moat-bench-XXXXXX)
chmod 755 "$work"
stack=$work/stack
trap '$moatctl down --root "$stack" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

cat > "$work/admin.json" <<'JSON'
{"configurationFileVersion": 2,
 "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}}}
JSON
$moatctl up --root "$stack" --admin-settings "$work/admin.json" >/dev/null
declare -A socket=([direct]=$stack/engine.sock [moatd]=$stack/docker.sock)
# The docker CLI runs as root for both targets; only the socket differs.
on() { local t=$1; shift; DOCKER_HOST=unix://${socket[$t]} docker "$@"; }

# One image with one layer holding one random file of MIB MiB, saved once.
mkdir "$work/payload"
head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/payload/blob"
tar -C "$work/payload" -c blob | on direct import - bench/stream >/dev/null
rm -rf "$work/payload"
on direct save -o "$work/image.tar" bench/stream
on direct rmi bench/stream >/dev/null
tar_mib=$(stat -c %s "$work/image.tar" | awk '{ printf "%.0f", $1 / 1048576 }')

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
record() {  # record NAME START_NS
  echo $(( ($(now) - $2) / 1000000 )) >> "$work/$1.ms"
}

for _ in $(seq "$runs"); do
  for t in "${targets[@]}"; do  # interleaved, so drift hits both alike
    t0=$(now)
    on "$t" load -q -i "$work/image.tar" >/dev/null
    record "load-$t" "$t0"
    on direct rmi bench/stream >/dev/null
  done
done

on direct load -q -i "$work/image.tar" >/dev/null
rm -f "$work/image.tar"
# Never started: docker cp reads the file from the container's filesystem.
on direct create --name bench-stream-cp bench/stream /blob >/dev/null
for _ in $(seq "$runs"); do
  for t in "${targets[@]}"; do
    t0=$(now)
    on "$t" cp bench-stream-cp:/blob - >/dev/null
    record "cp-$t" "$t0"
  done
done
on direct rm -f bench-stream-cp >/dev/null
on direct rmi bench/stream >/dev/null

rate() { awk -v mib="$1" -v ms="$2" 'BEGIN { printf "%.1f", mib / (ms / 1000) }'; }
echo
echo "Streams of $mib MiB of random data (image tarball $tar_mib MiB); median of $runs, interleaved"
printf '%-28s %12s %12s %13s %9s\n' operation "direct MiB/s" "moatd MiB/s" "moatd/direct" "goal 0.95"
for op in load cp; do
  direct_ms=$(median < "$work/$op-direct.ms")
  moatd_ms=$(median < "$work/$op-moatd.ms")
  # Same payload both ways, so the throughput ratio is the inverse time ratio.
  ratio=$(awk -v d="$direct_ms" -v m="$moatd_ms" 'BEGIN { printf "%.3f", d / m }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.95 ? "met" : "MISSED") }')
  label=$([ "$op" = load ] && echo "docker load -i (${tar_mib} MiB)" || echo "docker cp out (${mib} MiB)")
  size=$([ "$op" = load ] && echo "$tar_mib" || echo "$mib")
  printf '%-28s %12s %12s %13s %9s\n' "$label" "$(rate "$size" "$direct_ms")" \
    "$(rate "$size" "$moatd_ms")" "$ratio" "$verdict"
done
echo "each run, in ms (direct | moatd):"
for op in load cp; do
  echo "  $op: $(paste -sd' ' "$work/$op-direct.ms") | $(paste -sd' ' "$work/$op-moatd.ms")"
done
