#!/usr/bin/env bash
# Installs the Debian packages the test suites need, only those missing; quick when all are present.
# redis-server (shared rate limits), postgresql (key store), nginx (gateway benchmark), chromium (browser tests).
set -euo pipefail

packages=(postgresql redis-server nginx chromium)
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package starts system-wide servers; the tests start their own on free loopback ports instead.
for service in postgresql redis-server nginx; do
  service "$service" stop >/dev/null 2>&1 || true
done
