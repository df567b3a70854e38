#!/usr/bin/env bash
# Installs everything Moat needs to build, run and test, from Debian's archive.
# Idempotent: a machine that has it all only pays for the dpkg query.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libboost1.74-dev nlohmann-json3-dev libcli11-dev libssl-dev libseccomp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # the engine Moat hardens, and what its tests run
  docker.io containerd runc busybox-static docker-registry haproxy docker-compose
  iproute2 iptables sudo util-linux procps psmisc openssl rsyslog rsyslog-openssl curl bc strace
  # bench/audit_instructions.sh
  valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
