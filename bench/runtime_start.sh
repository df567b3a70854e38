#!/usr/bin/env bash
# Container start cost of Enhanced Container Isolation: `docker run --rm
# IMAGE true` on a stack whose engine runs containers through moat-runc,
# against the same stack with ECI off (plain runc), in the same run, for a
# 1-layer and a 20-layer image; then the runtime alone: `create`, `start`
# and `delete` of one bundle whose root is an overlay of 1 or 20 layers, as
# the engine lays it out, by moat-runc and by plain runc. Prints medians and
# ratios.
# The two run in rounds, one of each, and which goes first alternates. The
# goals are judged on the paired figures (the median of each round's ratio or
# difference): this VM's speed drifts (plain runc's `docker run` took 214 ms
# in one run, 374 ms in another), which moves a difference of two medians by
# more than the runtime adds, while the two runs of one round see the same
# machine. Both figures are printed. A runtime round costs a third of a
# `docker run`, so the runtime part takes RUNTIME_RUNS rounds (default 4 x
# RUNS): with 20 rounds, three runs in a row of the same binaries on this VM
# (10 % steal) gave 7.9, 7.0 and 17.6 ms of paired added time for 20 layers.
#   bench/runtime_start.sh [BUILD_DIR] [RUNS] [RUNTIME_RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-40}
runtime_runs=${3:-$((runs * 4))}
moatctl=$build/bin/moatctl
work=$(mktemp -d /tmp/moat-bench-XXXXXX)
chmod 755 "$work"
cleanup() {
  for s in eci plain; do $moatctl down --root "$work/$s" >/dev/null 2>&1 || true; done
  for m in "$work"/bundle-*/rootfs; do umount "$m" 2>/dev/null || true; done
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
# per_round OP A B: line i of B over (ratio) or minus (difference) line i of A.
per_round() {
  paste "$2" "$3" | awk -v op="$1" '{ print (op == "ratio" ? $2 / $1 : $2 - $1) }'
}
# paired OP A B: the median of per_round, on which the goals are judged.
paired() { per_round "$@" | median; }
# spread OP A B: its first and third quartile (differences, in µs, shown in
# ms): how widely rounds differ.
spread() {
  per_round "$@" | sort -n | awk -v op="$1" '{a[NR]=$1} END {
    if (op == "ratio") printf "%.3f to %.3f", a[int((NR+3)/4)], a[int((3*NR+3)/4)]
    else printf "%.1f to %.1f", a[int((NR+3)/4)] / 1000, a[int((3*NR+3)/4)] / 1000 }'
}
# Which of the two goes first in round $1: alternates, so neither always
# runs on the caches (or behind the cleanup) of the other.
in_order() { if [ $(($1 % 2)) = 1 ]; then echo "$2 $3"; else echo "$3 $2"; fi; }
declare -A result
for image in one-layer twenty-layers; do
  for i in $(seq "$runs"); do
    for s in $(in_order "$i" plain eci); do
      export DOCKER_HOST=unix://$work/$s/engine.sock
      t0=$(date +%s%N)
      docker run --rm "bench/$image" true
      t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000000 )) >> "$work/$s-$image.ms"
    done
  done
  for s in plain eci; do result[$s-$image]=$(median < "$work/$s-$image.ms"); done
  ratio=$(echo "${result[eci-$image]} / ${result[plain-$image]}" | bc -l)
  paired_ratio=$(paired ratio "$work/plain-$image.ms" "$work/eci-$image.ms")
  printf '%-14s docker run --rm true, median of %d: plain runc %d ms, moat-runc %d ms, ratio %.3f, added %d ms; paired ratio %.3f, middle half %s (goal <= 1.10: %s)\n' \
    "$image" "$runs" "${result[plain-$image]}" "${result[eci-$image]}" "$ratio" \
    $(( ${result[eci-$image]} - ${result[plain-$image]} )) "$paired_ratio" \
    "$(spread ratio "$work/plain-$image.ms" "$work/eci-$image.ms")" \
    "$( [ "$(echo "$paired_ratio <= 1.10" | bc -l)" = 1 ] && echo met || echo MISSED)"
done

# The runtime alone. The bundle's root is an overlay mounted where the engine
# would mount it, so moat-runc does what it does for the engine: its own
# ID-mapped overlay of the same layers, the range, the audit record (to the
# ECI stack's moatd). Times come from bash's clock, no process of its own.
runtime_bundle() {  # image layers
  local b=$work/bundle-$1 lowers=""
  mkdir -p "$b/rootfs" "$b/layers/upper/diff" "$b/layers/upper/work"
  for i in $(seq "$2"); do
    mkdir -p "$b/layers/$i"
    if [ "$i" = 1 ]; then cp /bin/busybox "$b/layers/1/busybox"; else echo "$i" > "$b/layers/$i/f$i"; fi
    lowers="$b/layers/$i${lowers:+:$lowers}"
  done
  mount -t overlay overlay -o "lowerdir=$lowers,upperdir=$b/layers/upper/diff,workdir=$b/layers/upper/work" "$b/rootfs"
  (cd "$b" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/busybox", "true"]
c["root"]["readonly"] = False
json.dump(c, open("config.json", "w"))
PY
  )
  cp "$b/config.json" "$b/config.orig.json"
}

now_us() { echo "${EPOCHREALTIME/./}"; }
runtime_round() {  # runtime-command image id
  local b=$work/bundle-$2 t0 t1 t2 t3 t4 pid state
  cp "$b/config.orig.json" "$b/config.json"  # moat-runc rewrites it
  t0=$(now_us)
  $1 create --bundle "$b" --pid-file "$b/pid" "$3" </dev/null >/dev/null 2>"$b/err" || { cat "$b/err"; exit 1; }
  t1=$(now_us)
  $1 start "$3" </dev/null >/dev/null 2>>"$b/err" || { cat "$b/err"; exit 1; }
  t2=$(now_us)
  pid=$(cat "$b/pid")
  # Stopped as runc sees it: gone, or a zombie (this VM's pid 1 reaps
  # orphans seconds late, which made a round take seconds).
  while { read -r _ _ state _ < "/proc/$pid/stat"; } 2>/dev/null && [ "$state" != Z ]; do sleep 0.001; done
  t3=$(now_us)
  $1 delete "$3" </dev/null >/dev/null 2>>"$b/err" || { cat "$b/err"; exit 1; }
  t4=$(now_us)
  echo "$(( t1 - t0 )) $(( t2 - t1 )) $(( t4 - t3 ))"
}

plain_runc="runc --root $work/runc-root"
moat_runc="$build/bin/moat-runc --moat-state $work/eci/runtime --moat-audit $work/eci/control.sock --root $work/runc-root"
for image in one-layer:1 twenty-layers:20; do
  name=${image%%:*}
  runtime_bundle "$name" "${image##*:}"
  runtime_round "$plain_runc" "$name" "warm-$name" >/dev/null
  runtime_round "$moat_runc" "$name" "warm-$name" >/dev/null
  for i in $(seq "$runtime_runs"); do
    for r in $(in_order "$i" plain moat); do
      [ $r = plain ] && cmd=$plain_runc || cmd=$moat_runc
      runtime_round "$cmd" "$name" "bench-$r-$i" >> "$work/rt-$r-$name"
    done
  done
  for r in plain moat; do
    for col in 1 2 3; do awk -v c=$col '{print $c}' "$work/rt-$r-$name" | median > "$work/rt-$r-$name.$col"; done
    awk '{print $1 + $2 + $3}' "$work/rt-$r-$name" > "$work/rt-$r-$name.sums"
    median < "$work/rt-$r-$name.sums" > "$work/rt-$r-$name.sum"
  done
  p() { echo "scale=1; $(cat "$work/rt-$1-$name.$2") / 1000" | bc; }
  added_us=$(( $(cat "$work/rt-moat-$name.sum") - $(cat "$work/rt-plain-$name.sum") ))
  paired_us=$(paired difference "$work/rt-plain-$name.sums" "$work/rt-moat-$name.sums")
  printf '%-14s runtime create+start+delete, median of %d: runc %s ms (%s/%s/%s), moat-runc %s ms (%s/%s/%s), ratio %.2f, added %.1f ms; paired added %.1f ms, middle half %s ms (goal < 15: %s)\n' \
    "$name" "$runtime_runs" "$(p plain sum)" "$(p plain 1)" "$(p plain 2)" "$(p plain 3)" \
    "$(p moat sum)" "$(p moat 1)" "$(p moat 2)" "$(p moat 3)" \
    "$(echo "$(cat "$work/rt-moat-$name.sum") / $(cat "$work/rt-plain-$name.sum")" | bc -l)" \
    "$(echo "$added_us / 1000" | bc -l)" "$(echo "$paired_us / 1000" | bc -l)" \
    "$(spread difference "$work/rt-plain-$name.sums" "$work/rt-moat-$name.sums")" \
    "$( [ "$(echo "$paired_us < 15000" | bc -l)" = 1 ] && echo met || echo MISSED)"
done
