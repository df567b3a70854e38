#!/usr/bin/env bash
# Container start cost of Enhanced Container Isolation: `docker run --rm
# IMAGE true` on a stack whose engine runs containers through moat-runc,
# against the same stack with ECI off (plain runc), in the same run, for a
# 1-layer and a 20-layer image. Prints medians and ratios.
#   bench/runtime_start.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-20}
moatctl=$build/bin/moatctl
work=$(mktemp -d /tmp/moat-bench-XXXXXX)
chmod 755 "$work"
cleanup() {
  for s in eci plain; do $moatctl down --root "$work/$s" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for s in eci plain; do
  eci=$([ $s = eci ] && echo true || echo false)
  cat > "$work/$s.json" <<JSON
{"configurationFileVersion": 2,
 "enhancedContainerIsolation": {"locked": true, "value": $eci},
 "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}}}
JSON
  $moatctl up --root "$work/$s" --admin-settings "$work/$s.json" >/dev/null
  export DOCKER_HOST=unix://$work/$s/engine.sock
  tar -C /bin -c busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - bench/one-layer >/dev/null
  mkdir -p "$work/ctx"
  { echo "FROM bench/one-layer"; for i in $(seq 19); do echo "RUN [\"/busybox\", \"sh\", \"-c\", \"echo $i > /f$i\"]"; done; } > "$work/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t bench/twenty-layers "$work/ctx" >/dev/null 2>&1
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A result
for image in one-layer twenty-layers; do
  for i in $(seq "$runs"); do
    for s in plain eci; do  # interleaved, so drift hits both alike
      export DOCKER_HOST=unix://$work/$s/engine.sock
      t0=$(date +%s%N)
      docker run --rm "bench/$image" true
      t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000000 )) >> "$work/$s-$image.ms"
    done
  done
  for s in plain eci; do result[$s-$image]=$(median < "$work/$s-$image.ms"); done
  printf '%-14s docker run --rm true, median of %d: plain runc %d ms, moat-runc %d ms, ratio %.2f, added %d ms\n' \
    "$image" "$runs" "${result[plain-$image]}" "${result[eci-$image]}" \
    "$(echo "${result[eci-$image]} / ${result[plain-$image]}" | bc -l)" \
    $(( ${result[eci-$image]} - ${result[plain-$image]} ))
done
