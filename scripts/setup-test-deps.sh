#!/usr/bin/env bash
# Installs the Debian packages the test suites need, only those missing; quick when all are present.
# redis-server (shared rate limits), postgresql (key store), nginx (gateway benchmark), chromium (browser
# tests), docker.io and debootstrap (the container suite: Docker Engine, and the Debian root file system
# of the Node base image when no registry can be reached).
set -euo pipefail

packages=(postgresql redis-server nginx chromium docker.io debootstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The packages would start system-wide servers (dockerd with its firewall rules among them); the tests
# start their own instead, on free loopback ports, and the container suite's dockerd leaves the firewall
# and routing alone. policy-rc.d forbids starting services during the install, as in container images.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
