# Sourced by the registry benches: a real registry (Debian's docker-registry)
# over TLS in a network namespace of its own, as the e2e tests run it
# (tests/harness/test_registry.cc): the engine treats it as a remote host and
# trusts its test CA through /etc/docker/certs.d/ADDRESS/ca.crt.
# bench_registry_up DIR sets $registry (198.18.9.2:5000); bench_registry_down
# (call it from the EXIT trap) stops it and removes the namespace and the CA.

bench_registry_up() {
  local dir=$1 ns=moat-bench-reg
  registry_dir=$dir
  registry=198.18.9.2:5000
  registry_ns=$ns
  mkdir -p "$dir/data"
  (
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
      -subj '/CN=Moat bench registry CA' >/dev/null 2>&1
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
      -subj '/CN=198.18.9.2' >/dev/null 2>&1
    echo 'subjectAltName=IP:198.18.9.2' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
      -extfile san.ext >/dev/null 2>&1
  )
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $registry
  tls:
    certificate: $dir/server.crt
    key: $dir/server.key
YAML
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip link add mbreg-h type veth peer name mbreg-n
  ip link set mbreg-n netns "$ns"
  ip addr add 198.18.9.1/30 dev mbreg-h
  ip link set mbreg-h up
  ip netns exec "$ns" ip addr add 198.18.9.2/30 dev mbreg-n
  ip netns exec "$ns" ip link set mbreg-n up
  ip netns exec "$ns" ip link set lo up
  mkdir -p "/etc/docker/certs.d/$registry"
  cp "$dir/ca.crt" "/etc/docker/certs.d/$registry/ca.crt"
  setsid ip netns exec "$ns" docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -sf --max-time 1 --cacert "$dir/ca.crt" "https://$registry/v2/" -o /dev/null && return 0
    sleep 0.1
  done
  echo "bench registry did not come up:" >&2
  cat "$dir/registry.log" >&2
  return 1
}

bench_registry_down() {
  [ -n "${registry_pid:-}" ] && { kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; }
  [ -n "${registry_ns:-}" ] && { ip netns del "$registry_ns" 2>/dev/null || true; }
  [ -n "${registry:-}" ] && rm -rf "/etc/docker/certs.d/$registry"
  return 0
}
