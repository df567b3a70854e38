# Sourced by the API benches: one stack for the run, under a short root
# (unix socket paths must stay under 108 bytes), on a bridge-less engine,
# with the busybox image and a few running containers so that
# containers/json answers with a list the size of a developer's `docker ps`.
# Needs $moatctl. bench_stack_up sets $work and $stack; bench_stack_down
# (call it from the script's EXIT trap) stops the stack and removes $work.

bench_stack_up() {
  work=$(mktemp -d /tmp/moat-bench-XXXXXX)
  chmod 755 "$work"
  stack=$work/stack
  cat > "$work/admin.json" <<'JSON'
{"configurationFileVersion": 2,
 "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}}}
JSON
  $moatctl up --root "$stack" --admin-settings "$work/admin.json" >/dev/null
  local engine=unix://$stack/engine.sock
  tar -C /bin -c busybox |
    DOCKER_HOST=$engine docker import -c 'ENTRYPOINT ["/busybox"]' - bench/busybox >/dev/null
  for i in 1 2 3; do
    DOCKER_HOST=$engine docker run -d --network none --name "bench-listed-$i" bench/busybox sleep 3600 >/dev/null
  done
}

bench_stack_down() {
  [ -n "${stack:-}" ] && { $moatctl down --root "$stack" >/dev/null 2>&1 || true; }
  [ -n "${work:-}" ] && rm -rf "$work"
  return 0
}
