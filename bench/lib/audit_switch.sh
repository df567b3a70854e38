# Sourced by the audit benches, after bench_stack_up: replaces the stack's
# moatd by moatd-audit-switch ($moatd), a child of the script, and flips its
# audit between on (SIGUSR1) and paused (SIGUSR2), proving each flip took.
# Needs $moatd, $load, $stack and $work; sets $moatd_pid. Messages name the
# sourcing script.

moatd_pid=
audit_switch_name=${0##*/}
audit_switch_name=${audit_switch_name%.sh}

# The pid a process of the stack was started with (stack.json), or nothing.
stack_pid() { grep -o "\"$1\": *[0-9]*" "$stack/state/stack.json" | grep -o '[0-9]*$' || true; }

# Reads a number from moat-api-load's one-line JSON (numbers come before
# the free-text error samples).
field() { grep -o "\"$1\":[0-9.eE+-]*" "$2" | head -n1 | cut -d: -f2; }

# Lines in moatd's audit log files, all rotations included.
audit_lines() { cat "$stack"/audit/moatd/audit.log* 2>/dev/null | wc -l; }
# Of those, the records (a checkpoint may come while audit is paused).
audit_records() { cat "$stack"/audit/moatd/audit.log* 2>/dev/null | grep -c '"type":"record"' || true; }

# Has moatd write to audit.log what it staged (POST /audit/write-staged on
# its root-only control socket, as root's `moatctl audit` does).
write_staged() {
  # 30 s: under callgrind (audit_instructions.sh) moatd answers slowly.
  if ! curl -sf --max-time 30 --unix-socket "$stack/control.sock" -X POST http://moat/audit/write-staged >/dev/null; then
    echo "$audit_switch_name: moatd did not write its staged audit records (POST /audit/write-staged)" >&2
    exit 1
  fi
}

# start_switched_moatd [WRAPPER...]: stops the moatd `moatctl up` started
# (it holds the audit log's lock), once, then starts moatd-audit-switch,
# under WRAPPER when given (valgrind), and waits until it answers.
start_switched_moatd() {
  local up_moatd
  up_moatd=$(stack_pid moatd)
  if [ -n "$up_moatd" ] && kill -0 "$up_moatd" 2>/dev/null; then
    kill "$up_moatd" 2>/dev/null || true
    for _ in $(seq 200); do
      kill -0 "$up_moatd" 2>/dev/null || break
      sleep 0.05
    done
  fi
  # Each build makes a staging file of its own size (MOAT_BENCH_MOATD may be
  # an older one); the moatd stopped above wrote what it staged as it stopped.
  rm -f "$stack/audit/moatd/audit.staging"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" "$moatd" --root "$stack" \
    --admin-settings "$work/admin.json" >>"$work/moatd.log" 2>&1 &
  moatd_pid=$!
  # A minute: under valgrind moatd takes seconds to answer.
  for _ in $(seq 1200); do
    if [ "$(curl -s --max-time 1 --unix-socket "$stack/docker.sock" http://docker/v1.41/_ping 2>/dev/null)" = OK ]; then
      return 0
    fi
    kill -0 "$moatd_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$audit_switch_name: moatd-audit-switch did not come up; its log:" >&2
  cat "$work/moatd.log" >&2
  exit 1
}

stop_switched_moatd() {
  if [ -n "$moatd_pid" ]; then
    kill "$moatd_pid" 2>/dev/null || true
    wait "$moatd_pid" 2>/dev/null || true
    moatd_pid=
  fi
}

# set_audit on|off: flips the switch, then proves it took: moatd refuses the
# request the refused-create scenario sends, and records it only when on.
set_audit() {
  if [ "$1" = on ]; then kill -USR1 "$moatd_pid"; else kill -USR2 "$moatd_pid"; fi
  # Each count follows a write of what moatd staged, as root's `moatctl
  # audit` has it done: otherwise records staged with audit on could reach
  # audit.log after the switch, up to moatd's write-behind later.
  write_staged
  local before after
  before=$(audit_records)
  if ! "$load" --socket "$stack/docker.sock" --connections 1 --duration 0.2 --warmup 0 \
    --scenario refused-create --image bench/busybox >"$work/sanity.out" 2>&1; then
    echo "$audit_switch_name: moatd (audit $1) did not answer the refused create with 403:" >&2
    cat "$work/sanity.out" >&2
    exit 1
  fi
  write_staged
  after=$(audit_records)
  if [ "$1" = on ] && [ "$after" -le "$before" ]; then
    echo "$audit_switch_name: moatd with audit on wrote no audit record ($stack/audit/moatd)" >&2
    exit 1
  fi
  if [ "$1" = off ] && [ "$after" != "$before" ]; then
    echo "$audit_switch_name: moatd with audit paused still wrote audit records" >&2
    exit 1
  fi
}
